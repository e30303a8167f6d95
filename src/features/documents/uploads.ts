// Reading uploaded files from a multipart form body (the routes' side of an upload). The multipart
// parser is told, per route, to stop reading a file at the size limit and carry on with the form, so
// the form's other fields survive and the file is refused with a message beside its field.
import type { FastifyContextConfig, FastifyError, FastifyReply } from 'fastify';
import { MAX_DOCUMENT_BYTES, type UploadedFileInput } from './rules.ts';

interface MultipartFile {
  filename: string;
  file?: { truncated?: boolean };
  toBuffer(): Promise<Buffer>;
}

function isFile(value: unknown): value is MultipartFile {
  return Boolean(value) && typeof value === 'object' && typeof (value as MultipartFile).toBuffer === 'function';
}

/** The files sent in one form field (none for an urlencoded form or an empty file input). */
export async function uploadedFiles(body: unknown, field: string): Promise<UploadedFileInput[]> {
  if (!body || typeof body !== 'object') return [];
  const value = (body as Record<string, unknown>)[field];
  const parts = (Array.isArray(value) ? value : [value]).filter(isFile);
  const files: UploadedFileInput[] = [];
  for (const part of parts) {
    const bytes = await part.toBuffer();
    if (!part.filename && bytes.length === 0) continue; // a file input left empty
    files.push({ filename: part.filename ?? '', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), truncated: Boolean(part.file?.truncated) });
  }
  return files;
}

/** Route options for a form with up to `files` files of at most 10 MB each. */
export function multipartOptions(files: number): FastifyContextConfig['multipartOptions'] {
  return { limits: { fileSize: MAX_DOCUMENT_BYTES, files, fields: 30 }, throwFileSizeLimit: false } as FastifyContextConfig['multipartOptions'];
}

/**
 * The multipart parser's own refusals (too many files or fields) happen before the handler runs and
 * before any pupil-level check: the page that says so names nobody.
 */
export function multipartErrorHandler(tooMany: string) {
  return async (error: FastifyError, _request: unknown, reply: FastifyReply) => {
    const code = error.code ?? '';
    if (!['FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT'].includes(code) && error.statusCode !== 413) throw error;
    reply.code(413);
    return reply.render('platform/views/error.njk', {
      pageTitle: 'There is a problem',
      heading: 'Nothing was saved',
      message: code === 'FST_FILES_LIMIT' ? tooMany : 'The form sent more than it should: go back, and fill in the form again.',
    });
  };
}
