// The school's logo on generated documents (plans, reviews, passports): one PNG or JPEG per school,
// uploaded by the SENCO under School settings → School details. Every upload is checked by what its
// bytes are, not by its name: a PNG or JPEG header, a readable size within limits, and the PDF
// renderer able to open it, so a logo can never break a document later. Uploads and removals are
// audited; the SQL is in the settings repository.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import * as auth from '../../platform/auth/service.ts';
import type { AppContext } from '../../platform/context.ts';
import { logoSize, type ImageSize } from '../../platform/documents/image.ts';
import type { DocumentLogo } from '../../platform/documents/model.ts';
import { renderPdf } from '../../platform/documents/pdf.ts';
import { ValidationError } from '../../platform/errors.ts';
import { schoolScope } from '../../platform/scope.ts';
import * as repository from './repository.ts';
import type { SettingsActor } from './service.ts';

/** The largest logo file accepted: 1 MB. */
export const LOGO_MAX_BYTES = 1024 * 1024;
/** The largest width or height in pixels: a logo prints at a few centimetres. */
const LOGO_MAX_PIXELS = 4000;

const LOGO_CONTENT_TYPES = { png: 'image/png', jpeg: 'image/jpeg' } as const;

export interface CheckedLogo extends DocumentLogo, ImageSize {
  contentType: (typeof LOGO_CONTENT_TYPES)[keyof typeof LOGO_CONTENT_TYPES];
}

const refuse = (message: string): never => {
  throw new ValidationError([{ field: 'logo', message }]);
};

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((byte, index) => bytes[at + index] === byte);
}

/** What a file that is not a PNG or JPEG seems to be, to say so plainly. */
function otherKind(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
  if (head.startsWith('GIF8')) return 'a GIF image';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'a WebP image';
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'an SVG drawing';
  if (head.startsWith('BM')) return 'a BMP image';
  if (head.slice(4, 8) === 'ftyp' && /heic|heix|mif1|hevc/.test(head.slice(8, 12))) return 'a HEIC photo (from an iPhone)';
  if (head.startsWith('%PDF')) return 'a PDF document';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'a TIFF image';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a Word document or other zip file';
  return undefined;
}

/**
 * Checks an uploaded logo's bytes: a PNG or a JPEG (by its header, whatever its name), no larger than
 * 1 MB, with a readable size of at most 4000 pixels each way. Throws a ValidationError on the field
 * 'logo' saying what to do. Pure, apart from nothing: the PDF check is in `saveSchoolLogo`.
 */
export function checkLogo(bytes: Uint8Array | undefined): CheckedLogo {
  if (!bytes || bytes.length === 0) return refuse('Select a PNG or JPEG file of the school’s logo');
  if (bytes.length > LOGO_MAX_BYTES) {
    return refuse(`The selected file is ${formatSize(bytes.length)}: the logo must be 1 MB or smaller. Save a smaller version (a logo of 600 pixels across is plenty) and upload that`);
  }
  let type: DocumentLogo['type'];
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) type = 'png';
  else if (startsWith(bytes, [0xff, 0xd8, 0xff])) type = 'jpeg';
  else {
    const kind = otherKind(bytes);
    return refuse(kind ? `The selected file is ${kind}: the logo must be a PNG or JPEG image. Save it as PNG and upload that` : 'The selected file is not a PNG or JPEG image: save the logo as PNG and upload that');
  }
  let size: ImageSize;
  try {
    size = logoSize({ data: bytes, type });
  } catch {
    return refuse(`The selected file starts like a ${type === 'png' ? 'PNG' : 'JPEG'} image but its size cannot be read: it may be damaged. Save it again as PNG and upload that`);
  }
  if (size.width > LOGO_MAX_PIXELS || size.height > LOGO_MAX_PIXELS) {
    return refuse(`The logo is ${size.width} × ${size.height} pixels: it must be no more than ${LOGO_MAX_PIXELS} pixels wide and high. Save a smaller version and upload that`);
  }
  return { data: bytes, type, contentType: LOGO_CONTENT_TYPES[type], width: size.width, height: size.height };
}

function formatSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

function typeOf(contentType: string): DocumentLogo['type'] | undefined {
  return contentType === 'image/png' ? 'png' : contentType === 'image/jpeg' ? 'jpeg' : undefined;
}

/** The school's logo for a generated document, or undefined when it has none (documents then show the name alone). */
export async function loadSchoolLogo(ctx: AppContext, schoolId: string): Promise<DocumentLogo | undefined> {
  const row = await repository.findLogo(ctx.db, schoolScope(schoolId));
  const type = row ? typeOf(row.content_type) : undefined;
  if (!row || !type) return undefined;
  return { data: new Uint8Array(row.body), type };
}

export interface LogoDetails {
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  uploadedAt: string;
  uploadedBy: string | null;
}

/** What the School details page says about the current logo (its size, who uploaded it and when). */
export async function getLogoDetails(ctx: AppContext, by: SettingsActor): Promise<LogoDetails | undefined> {
  const row = await repository.findLogo(ctx.db, schoolScope(by.schoolId));
  const type = row ? typeOf(row.content_type) : undefined;
  if (!row || !type) return undefined;
  const data = new Uint8Array(row.body);
  const size = logoSize({ data, type });
  const person = row.uploaded_by ? await auth.findSchoolPerson(ctx, by.schoolId, row.uploaded_by) : undefined;
  return { contentType: row.content_type, ...size, bytes: data.length, uploadedAt: row.uploaded_at, uploadedBy: person?.displayName ?? null };
}

/** The logo's bytes, for its preview on the School details page. */
export async function readLogoImage(ctx: AppContext, by: SettingsActor): Promise<{ contentType: string; body: Buffer } | undefined> {
  const row = await repository.findLogo(ctx.db, schoolScope(by.schoolId));
  if (!row || !typeOf(row.content_type)) return undefined;
  return { contentType: row.content_type, body: Buffer.from(row.body) };
}

/** Saves (or replaces) the school's logo after checking it, and audits the upload. */
export async function saveSchoolLogo(ctx: AppContext, by: SettingsActor, bytes: Uint8Array | undefined): Promise<CheckedLogo> {
  const logo = checkLogo(bytes);
  // The PDF renderer decodes the image itself: a file it cannot open is refused now, not on the first plan.
  try {
    await renderPdf({ title: 'Logo check', schoolName: 'Logo check', logo, blocks: [] });
  } catch {
    refuse(`The selected file looks like a ${logo.type === 'png' ? 'PNG' : 'JPEG'} image but could not be read: it may be damaged or use an unusual format. Save it again as a standard PNG and upload that`);
  }
  const now = new Date().toISOString();
  const scope = schoolScope(by.schoolId);
  await ctx.db.transaction().execute(async (trx) => {
    const replaced = Boolean(await repository.findLogo(trx, scope));
    await repository.saveLogo(trx, scope, { contentType: logo.contentType, body: logo.data, uploadedBy: by.userId, uploadedAt: now });
    await ctx.audit.record(trx, {
      schoolId: by.schoolId, action: 'school.logo-uploaded', actorUserId: by.userId, actorLabel: by.label, ip: by.ip, at: now,
      detail: { type: logo.contentType, width: logo.width, height: logo.height, bytes: logo.data.length, sha256: createHash('sha256').update(logo.data).digest('hex'), replaced },
    });
  });
  return logo;
}

/** Removes the logo (documents then show the school's name alone); false when there was none. */
export async function removeSchoolLogo(ctx: AppContext, by: SettingsActor): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const removed = await repository.deleteLogo(trx, schoolScope(by.schoolId));
    if (removed) await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'school.logo-removed', actorUserId: by.userId, actorLabel: by.label, ip: by.ip });
    return removed;
  });
}

// A tiny PNG encoder: the demo school's logo is drawn in code, and tests make images of any size.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/**
 * An 8-bit RGBA PNG of `width` × `height` pixels; `pixel(x, y)` gives [r, g, b, a] from 0 to 255.
 * Deterministic: the same drawing always gives the same bytes.
 */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  let offset = 0;
  for (let y = 0; y < height; y++) {
    raw[offset++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw[offset++] = r;
      raw[offset++] = g;
      raw[offset++] = b;
      raw[offset++] = a;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
