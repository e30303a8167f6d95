/**
 * Generated documents (ADR 8): one model, rendered as DOCX and as PDF.
 *
 *   import { documentResponse, heading, paragraph, summary, table } from '../../platform/documents/index.ts';
 *   return documentResponse(reply, { model, format: 'pdf', filename: `${pupil.name} SEN support plan` });
 */
export {
  CONFIDENTIAL_NOTICE,
  bold,
  bullets,
  heading,
  italic,
  pageBreak,
  paragraph,
  plainText,
  summary,
  table,
  type Block,
  type BulletsBlock,
  type DocumentLogo,
  type DocumentModel,
  type HeadingBlock,
  type PageBreakBlock,
  type ParagraphBlock,
  type RichText,
  type SummaryBlock,
  type TableBlock,
  type TextRun,
} from './model.ts';
export { renderDocx } from './docx.ts';
export { renderPdf } from './pdf.ts';
export { CONTENT_TYPES, contentDisposition, documentResponse, renderDocument, type DocumentFormat } from './response.ts';
