import type { FastifyReply } from 'fastify';
import { renderDocx } from './docx.ts';
import type { DocumentModel } from './model.ts';
import { renderPdf } from './pdf.ts';

export type DocumentFormat = 'docx' | 'pdf';

export const CONTENT_TYPES: Record<DocumentFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

/** Renders the model in either format. */
export function renderDocument(model: DocumentModel, format: DocumentFormat): Promise<Buffer> {
  if (format === 'docx') return renderDocx(model);
  if (format === 'pdf') return renderPdf(model);
  throw new TypeError(`Unknown document format: ${String(format)}`);
}

/**
 * A `Content-Disposition: attachment` header for `filename` with the extension of `format` (a
 * document format, or any file extension without its dot; added if missing):
 * an ASCII fallback for old clients and the UTF-8 name as RFC 6266 / RFC 5987 `filename*`, so
 * "Zoë Ó Briain – plan.pdf" downloads with its accents and nothing can break out of the header.
 */
export function contentDisposition(filename: string, format: DocumentFormat | (string & {})): string {
  const extension = `.${format}`;
  let name = String(filename)
    .normalize('NFC')
    .replace(/[\u0000-\u001F\u007F-\u009F]/g, '')
    .replace(/[\\/:*?"<>|]+/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (name.toLowerCase().endsWith(extension)) name = name.slice(0, -extension.length).trim();
  name = Array.from(name).slice(0, 120).join('') || 'document';
  const ascii =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036F]/g, '')
      .replace(/[‘’‛′]/g, "'")
      .replace(/[–—‒―]/g, '-')
      .replace(/[^A-Za-z0-9 ._'()-]+/g, '_')
      .replace(/_+/g, '_')
      .trim() || 'document';
  const encoded = encodeURIComponent(`${name}${extension}`).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}${extension}"; filename*=UTF-8''${encoded}`;
}

/**
 * Renders the model and sends it as a download that no cache keeps. Returns the reply, so a route
 * handler can `return documentResponse(reply, { model, format, filename })`.
 */
export async function documentResponse(
  reply: FastifyReply,
  options: { model: DocumentModel; format: DocumentFormat; filename: string },
): Promise<FastifyReply> {
  const body = await renderDocument(options.model, options.format);
  return reply
    .header('content-type', CONTENT_TYPES[options.format])
    .header('content-disposition', contentDisposition(options.filename, options.format))
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(body);
}
