import { inflateRawSync } from 'node:zlib';
// The checks every uploaded file passes before any parser sees it. Each refusal names the problem
// in words a SENCO can act on; nothing here touches the database.

export type ImportKind = 'ctf' | 'csv' | 'xlsx';

export const KIND_LABELS: Record<ImportKind, string> = {
  ctf: 'Common Transfer File (CTF)',
  csv: 'CSV spreadsheet',
  xlsx: 'Excel spreadsheet (XLSX)',
};

/** A file refused before import, with the reason to show. status 413 for files over the size limit. */
export class ImportFileError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const megabytes = bytes / (1024 * 1024);
  return `${megabytes >= 10 ? Math.round(megabytes) : Math.round(megabytes * 10) / 10} MB`;
}

export function tooLargeMessage(limit: number, size?: number): string {
  return size === undefined
    ? `The selected file is larger than ${formatBytes(limit)}, the largest file this server accepts. Split the file, or ask your IT team to raise IMPORT_MAX_BYTES`
    : `The selected file is ${formatBytes(size)}: the largest file this server accepts is ${formatBytes(limit)}. Split the file, or ask your IT team to raise IMPORT_MAX_BYTES`;
}

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((byte, index) => bytes[index] === byte);
}

function extension(filename: string): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(filename.trim());
  return match ? match[1]!.toLowerCase() : '';
}

/** Decides what a file is from its name and its first bytes, and refuses the kinds we cannot read. */
export function detectKind(filename: string, bytes: Uint8Array): ImportKind {
  const ext = extension(filename);
  const zip = startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]);
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw new ImportFileError('The file is an old Excel workbook (.xls): open it in Excel and save it as .xlsx or as CSV UTF-8, then import that');
  }
  if (ext === 'xlsx' || ext === 'xlsm') {
    if (!zip) throw new ImportFileError('The file is named .xlsx but is not an Excel workbook: it may be damaged, or another kind of file renamed');
    return 'xlsx';
  }
  if (zip) {
    if (ext === 'xml' || ext === 'csv') throw new ImportFileError(`The file is named .${ext} but is a compressed (zip) file: unzip it first, then import the file inside`);
    if (ext === 'ods') throw new ImportFileError('The file is an OpenDocument spreadsheet (.ods): save it as .xlsx or as CSV UTF-8, then import that');
    throw new ImportFileError('The file is a compressed (zip) file: unzip it first, then import the CTF (.xml), CSV or XLSX file inside');
  }
  if (ext === 'xml') return 'ctf';
  if (ext === 'csv' || ext === 'txt') return 'csv';
  // No telling extension: look at the start of the text.
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 200)).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return 'ctf';
  if (ext === '' || ext === 'tsv') return 'csv';
  throw new ImportFileError(`SENCO Desk cannot import .${ext} files: choose a CTF (.xml), a CSV file or an Excel workbook (.xlsx)`);
}

/** Size, emptiness and the signs of a file that is not what it says it is. */
export function checkFileBasics(bytes: Uint8Array, maxBytes: number): void {
  if (bytes.length === 0) throw new ImportFileError('The selected file is empty');
  if (bytes.length > maxBytes) throw new ImportFileError(tooLargeMessage(maxBytes, bytes.length), 413);
}

/**
 * Text files (CTF and CSV) must be UTF-8 text: NUL bytes mean binary data or UTF-16, invalid byte
 * sequences mean another encoding or a damaged file. A CTF may declare ISO-8859-1 or Windows-1252.
 */
export function decodeText(bytes: Uint8Array, kind: 'ctf' | 'csv'): string {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    throw new ImportFileError(
      kind === 'csv'
        ? 'The file is saved as Unicode (UTF-16) text: in Excel choose Save As, then "CSV UTF-8 (Comma delimited)", and import that'
        : 'The file is saved as UTF-16 text: CTF files must be UTF-8',
    );
  }
  if (bytes.includes(0)) {
    throw new ImportFileError('The file contains binary data (NUL bytes), so it is not a CTF or CSV text file: check you chose the right file');
  }
  if (kind === 'ctf') {
    const declaration = /^(?:\uFEFF|\xEF\xBB\xBF)?\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(
      new TextDecoder('latin1').decode(bytes.subarray(0, 200)),
    );
    const declared = declaration?.[1]?.toLowerCase();
    if (declared && ['iso-8859-1', 'latin1', 'windows-1252', 'cp1252'].includes(declared)) {
      return new TextDecoder('windows-1252').decode(bytes);
    }
    if (declared && declared !== 'utf-8' && declared !== 'utf8') {
      throw new ImportFileError(`The file declares the character encoding ${declaration![1]}: SENCO Desk reads CTF files in UTF-8 or ISO-8859-1`);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ImportFileError(
      kind === 'csv'
        ? 'The file is not UTF-8 text (it may be binary, damaged, or saved in an older encoding): in Excel choose Save As, then "CSV UTF-8 (Comma delimited)", and import that'
        : 'The file is not valid UTF-8 text: it may be binary or damaged. Export the CTF again from your MIS',
    );
  }
}

/** XML with a document type declaration can define entities (billion laughs, external files): CTFs never need one. */
export function refuseDoctype(text: string): void {
  const doctype = /<!DOCTYPE/i.test(text);
  const entity = /<!ENTITY/i.test(text);
  if (doctype || entity) {
    throw new ImportFileError(
      `The file contains ${entity ? 'an entity declaration (<!ENTITY>)' : 'a document type declaration (<!DOCTYPE>)'}. ` +
        'CTF files never have one, and they can be used to attack the system (entity expansion or reading other files), so the file was refused. ' +
        'Export the CTF again from your MIS',
    );
  }
}

/**
 * Looks inside an XLSX (a zip) before the spreadsheet library unpacks it: a small file that would
 * unpack to gigabytes (a zip bomb) is refused, on what its parts really unpack to, not what they claim.
 */
export function checkZipDirectory(bytes: Uint8Array, options: { maxUnpackedBytes: number; maxEntries: number }): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = () => new ImportFileError('The Excel workbook is damaged or incomplete: open it in Excel, save it again and import the new copy');
  let end = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 65_535); offset--) {
    if (view.getUint32(offset, true) === 0x06054b50) {
      end = offset;
      break;
    }
  }
  if (end === -1) throw damaged();
  const entries = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (entries === 0xffff || directoryOffset === 0xffffffff) {
    throw new ImportFileError('The Excel workbook is too large to import (ZIP64): split it into smaller files');
  }
  if (entries > options.maxEntries) throw new ImportFileError(`The Excel workbook has ${entries} parts, more than a register needs: save a copy with only the register sheet`);
  if (directoryOffset + directorySize > bytes.length) throw damaged();
  let offset = directoryOffset;
  let unpacked = 0;
  for (let index = 0; index < entries; index++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) throw damaged();
    const compressed = view.getUint32(offset + 20, true);
    const size = view.getUint32(offset + 24, true);
    if (size === 0xffffffff || compressed === 0xffffffff) throw new ImportFileError('The Excel workbook is too large to import (ZIP64): split it into smaller files');
    const tooLarge = () =>
      new ImportFileError(`The Excel workbook would unpack to more than ${formatBytes(options.maxUnpackedBytes)}, far more than a register needs, so it was refused: save a copy with only the register sheet`);
    // A declared size past the allowance is refused at once; a smaller one may be a lie, so each part
    // is also unpacked for real, stopping at what is left of the allowance.
    if (unpacked + size > options.maxUnpackedBytes) throw tooLarge();
    const method = view.getUint16(offset + 10, true);
    const local = view.getUint32(offset + 42, true);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw damaged();
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataStart + compressed > bytes.length) throw damaged();
    const data = bytes.subarray(dataStart, dataStart + compressed);
    const remaining = options.maxUnpackedBytes - unpacked;
    let actual: number;
    if (method === 0) actual = compressed;
    else if (method === 8) {
      try {
        actual = inflateRawSync(data, { maxOutputLength: Math.max(1, remaining + 1) }).length;
      } catch (error) {
        if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
        throw damaged();
      }
    } else throw damaged();
    if (actual !== size) throw damaged();
    unpacked += actual;
    if (unpacked > options.maxUnpackedBytes) throw tooLarge();
    offset += 46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
}
