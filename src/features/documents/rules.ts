// The rules for a pupil's uploaded documents: what kinds of file are accepted (decided from the
// file's own bytes, never its name), the categories, the details an upload needs, and who may see a
// confidential document. Pure functions: nothing here touches the database.
import { createHash } from 'node:crypto';
import { isIsoDate } from '../../platform/dates.ts';
import type { FieldError } from '../../platform/errors.ts';
import { can, type Actor } from '../../platform/permissions.ts';
import { contentDisposition } from '../../platform/documents/response.ts';

export const DOCUMENT_CATEGORIES = ['ep', 'salt', 'ot', 'medical', 'camhs', 'social-care', 'previous-school', 'other'] as const;
export type DocumentCategory = (typeof DOCUMENT_CATEGORIES)[number];
/** Files a member of staff attached when raising a concern: not offered in the upload form. */
export const EVIDENCE_CATEGORY = 'concern-evidence';

export const CATEGORY_LABELS: Record<string, string> = {
  ep: 'Educational psychologist report',
  salt: 'Speech and language therapy report',
  ot: 'Occupational therapy report',
  medical: 'Medical',
  camhs: 'CAMHS',
  'social-care': 'Social care',
  'previous-school': 'Previous school',
  other: 'Other',
  [EVIDENCE_CATEGORY]: 'Evidence with a concern',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? 'Other';
}

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export type DocumentType = 'pdf' | 'docx' | 'jpeg' | 'png';

export const DOCUMENT_TYPES: Record<DocumentType, { contentType: string; extensions: string[]; label: string }> = {
  pdf: { contentType: 'application/pdf', extensions: ['pdf'], label: 'PDF' },
  docx: { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'], label: 'Word document' },
  jpeg: { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jpe'], label: 'JPEG image' },
  png: { contentType: 'image/png', extensions: ['png'], label: 'PNG image' },
};

const CONTENT_TYPE_TO_TYPE = new Map(Object.entries(DOCUMENT_TYPES).map(([type, info]) => [info.contentType, type as DocumentType]));

/** The file type a stored content type stands for (what was verified at upload). */
export function typeOfContent(contentType: string): DocumentType | undefined {
  return CONTENT_TYPE_TO_TYPE.get(contentType);
}

/** A file refused at upload, with the reason to show beside the file field. */
export class DocumentFileError extends Error {}

const ACCEPTED = 'a PDF, a Word document (.docx), a JPEG or a PNG';

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  return signature.every((byte, index) => bytes[at + index] === byte);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  if (from >= bytes.length) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, Math.max(0, Math.min(to, bytes.length) - from)).toString('latin1');
}

/** The names of the entries in a zip file, read from its central directory; undefined if it is damaged. */
export function zipEntryNames(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 22) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 65_535); offset--) {
    if (view.getUint32(offset, true) === 0x06054b50) {
      end = offset;
      break;
    }
  }
  if (end === -1) return undefined;
  const entries = view.getUint16(end + 10, true);
  const directoryOffset = view.getUint32(end + 16, true);
  const names: string[] = [];
  let offset = directoryOffset;
  for (let index = 0; index < entries; index++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) return undefined;
    const nameLength = view.getUint16(offset + 28, true);
    if (offset + 46 + nameLength > bytes.length) return undefined;
    names.push(Buffer.from(bytes.buffer, bytes.byteOffset + offset + 46, nameLength).toString('utf8'));
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return names;
}

/**
 * What a file really is, from its first bytes (and, for a Word document, the parts inside it). The
 * name the file was given is not trusted: an HTML page or a program renamed to .pdf is refused.
 */
export function detectDocumentType(bytes: Uint8Array): DocumentType {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    const names = zipEntryNames(bytes);
    if (!names) throw new DocumentFileError('The selected file is damaged or incomplete: open it, save it again and upload the new copy');
    if (names.includes('word/document.xml') && names.includes('[Content_Types].xml')) {
      if (names.some((name) => name.toLowerCase() === 'word/vbaproject.bin')) {
        throw new DocumentFileError('The Word document contains macros, which could harm the computers that open it: save it as a Word Document (.docx) or as a PDF, then upload that');
      }
      return 'docx';
    }
    if (names.includes('xl/workbook.xml')) throw new DocumentFileError(`The selected file is an Excel workbook: save it as a PDF, then upload that. The file must be ${ACCEPTED}`);
    if (names.includes('ppt/presentation.xml')) throw new DocumentFileError(`The selected file is a PowerPoint presentation: save it as a PDF, then upload that. The file must be ${ACCEPTED}`);
    throw new DocumentFileError(`The selected file is a compressed (zip) file: unzip it and upload the documents inside. The file must be ${ACCEPTED}`);
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw new DocumentFileError('The selected file is in the old Word format (.doc): open it in Word and save it as a Word Document (.docx) or a PDF, then upload that');
  }
  if (ascii(bytes, 4, 8) === 'ftyp' && /^(heic|heix|hevc|mif1|msf1)$/.test(ascii(bytes, 8, 12))) {
    throw new DocumentFileError('The selected file is a HEIC photo (the iPhone’s format): save it as a JPEG, or set the camera to “Most Compatible”, then upload that');
  }
  throw new DocumentFileError(`The selected file must be ${ACCEPTED}`);
}

/** The file's name as stored: no folders, no control characters, and an extension that says what it really is. */
export function storedFilename(filename: string, type: DocumentType): string {
  const base = (filename.split(/[\\/]/).pop() ?? '')
    .normalize('NFC')
    .replace(/[\u0000-\u001F\u007F-\u009F]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(base);
  const extension = match?.[1]?.toLowerCase();
  const info = DOCUMENT_TYPES[type];
  const stem = (extension && match ? base.slice(0, -match[0].length) : base).trim();
  const keep = extension && info.extensions.includes(extension) ? extension : info.extensions[0]!;
  return `${Array.from(stem || 'document').slice(0, 150).join('')}.${keep}`;
}

export interface VerifiedFile {
  type: DocumentType;
  contentType: string;
  filename: string;
  sizeBytes: number;
  sha256: string;
  bytes: Uint8Array;
}

/** An uploaded file as the routes hand it over: its name, bytes and whether the size limit cut it short. */
export interface UploadedFileInput {
  filename: string;
  bytes: Uint8Array;
  /** The multipart parser stopped reading at the size limit. */
  truncated?: boolean;
}

/**
 * Checks a file's size and kind; throws DocumentFileError with the reason to show. With several files
 * in one form (a concern's evidence) the message names the file; with one it says "The selected file".
 */
export function verifyFile(file: UploadedFileInput, options: { maxBytes?: number; nameInMessage?: boolean } = {}): VerifiedFile {
  const maxBytes = options.maxBytes ?? MAX_DOCUMENT_BYTES;
  const name = options.nameInMessage ? (file.filename.split(/[\\/]/).pop() ?? '') : '';
  const named = name ? `${name} ` : 'The selected file ';
  if (file.truncated || file.bytes.length > maxBytes) throw new DocumentFileError(`${named}must be smaller than ${Math.round(maxBytes / (1024 * 1024))} MB: choose a smaller file, or save a copy with smaller pictures`);
  if (file.bytes.length === 0) throw new DocumentFileError(`${named}is empty`);
  let type: DocumentType;
  try {
    type = detectDocumentType(file.bytes);
  } catch (error) {
    if (error instanceof DocumentFileError && name) throw new DocumentFileError(error.message.replace(/^The selected file/, name));
    throw error;
  }
  return {
    type,
    contentType: DOCUMENT_TYPES[type].contentType,
    filename: storedFilename(file.filename, type),
    sizeBytes: file.bytes.length,
    sha256: createHash('sha256').update(file.bytes).digest('hex'),
    bytes: file.bytes,
  };
}

// The details of an upload ---------------------------------------------------------------------------

export interface DocumentDetailsInput {
  title: string;
  category: string;
  documentDate: string;
  confidential: boolean;
}

export function isDocumentCategory(value: string): value is DocumentCategory {
  return (DOCUMENT_CATEGORIES as readonly string[]).includes(value);
}

export function documentDetailsProblems(input: DocumentDetailsInput, today: string): FieldError[] {
  const problems: FieldError[] = [];
  const title = input.title.trim();
  if (!title) problems.push({ field: 'title', message: 'Enter a title, for example Educational psychologist report, spring term' });
  else if (title.length > 200) problems.push({ field: 'title', message: 'Title must be 200 characters or fewer' });
  if (!input.category) problems.push({ field: 'category', message: 'Choose what kind of document it is' });
  else if (!isDocumentCategory(input.category)) problems.push({ field: 'category', message: 'Choose one of the kinds of document listed' });
  if (!input.documentDate) problems.push({ field: 'documentDate', message: 'Enter the date of the document' });
  else if (!isIsoDate(input.documentDate)) problems.push({ field: 'documentDate', message: 'The date of the document must be a real date' });
  else if (input.documentDate > today) problems.push({ field: 'documentDate', message: 'The date of the document must be today or in the past' });
  else if (input.documentDate < '1990-01-01') problems.push({ field: 'documentDate', message: 'The date of the document must be after 1 January 1990' });
  return problems;
}

// Who sees what --------------------------------------------------------------------------------------

/** Whether the actor may open (download, or read the title of) one of this pupil's documents. */
export function mayOpenDocument(actor: Actor, pupilId: string, document: { confidential: number | boolean }): boolean {
  const resource = { kind: 'pupil' as const, schoolId: actor.schoolId, pupilId };
  if (!can(actor, 'document.view', resource)) return false;
  return !document.confidential || can(actor, 'document.confidential', resource);
}

/**
 * The documents list as the actor may see it: confidential documents only for those who may open
 * them; for everyone else only how many there are.
 */
export function visibleDocuments<T extends { confidential: number | boolean }>(actor: Actor, pupilId: string, documents: readonly T[]): { shown: T[]; hiddenConfidential: number } {
  const shown = documents.filter((document) => mayOpenDocument(actor, pupilId, document));
  return { shown, hiddenConfidential: documents.length - shown.length };
}

/** The chronology's title for an uploaded document: generic for a confidential one the reader may not open. */
export function documentEventTitle(document: { title: string; confidential: number | boolean; category: string }, mayOpen: boolean): string {
  if (document.confidential && !mayOpen) return 'Confidential document added (held by the SENCO)';
  return `Document added: ${document.title}`;
}

/** A Content-Disposition header that downloads the file under its stored name (ASCII fallback and UTF-8). */
export function attachmentDisposition(filename: string): string {
  const dot = filename.lastIndexOf('.');
  const extension = dot > 0 && /^[A-Za-z0-9]{1,5}$/.test(filename.slice(dot + 1)) ? filename.slice(dot + 1) : '';
  // Stored names always carry the extension of the type their bytes were verified as.
  return extension ? contentDisposition(filename.slice(0, dot), extension) : contentDisposition(filename, 'bin');
}
