/**
 * One small document model for every generated document (plans, reviews, passports, reports).
 * Features build a DocumentModel; `renderDocx()` and `renderPdf()` turn the same model into a Word
 * document and a PDF, so the two never say different things. See ADR 8.
 */

/** A run of text with optional emphasis. */
export interface TextRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
}

/** Plain text, or runs of text with emphasis. A newline in a run starts a new line in the same paragraph. */
export type RichText = string | readonly (string | TextRun)[];

export interface HeadingBlock {
  type: 'heading';
  /** 2 is a section, 3 a subsection, 4 below that. Level 1 is the document's title. */
  level: 2 | 3 | 4;
  text: string;
}

export interface ParagraphBlock {
  type: 'paragraph';
  content: RichText;
  /** 'secondary' is smaller grey text for notes and hints. */
  style?: 'body' | 'secondary';
}

export interface BulletsBlock {
  type: 'bullets';
  items: readonly RichText[];
}

export interface TableBlock {
  type: 'table';
  /** Shown above the table and used as its accessible name. */
  caption?: string;
  /** The header row, repeated at the top of every page the table runs onto. */
  headers: readonly string[];
  rows: readonly (readonly RichText[])[];
  /** Columns holding numbers are right-aligned. */
  numeric?: readonly boolean[];
  /** Relative column widths (for example [1, 3, 1]); by default worked out from the content. */
  widths?: readonly number[];
}

/** Key–value pairs, like a GOV.UK summary list: "Date of birth: 3 May 2016". */
export interface SummaryBlock {
  type: 'summary';
  items: readonly { key: string; value: RichText }[];
}

export interface PageBreakBlock {
  type: 'pageBreak';
}

export type Block = HeadingBlock | ParagraphBlock | BulletsBlock | TableBlock | SummaryBlock | PageBreakBlock;

export interface DocumentLogo {
  /** The image's bytes: a PNG or a JPEG. */
  data: Uint8Array;
  type: 'png' | 'jpeg';
}

export interface DocumentModel {
  /** The document's title: its level-1 heading, the file's title metadata and the running header. */
  title: string;
  /** A line under the title, for example the pupil's name and year group. */
  subtitle?: string;
  /** The file's subject metadata, for example "SEN support plan". */
  subject?: string;
  schoolName: string;
  logo?: DocumentLogo;
  /** The footer's notice on every page; defaults to CONFIDENTIAL_NOTICE. */
  confidentiality?: string;
  /** BCP 47 language of the text; defaults to en-GB. */
  language?: string;
  /** When the document was produced (metadata only); defaults to now. */
  created?: Date;
  blocks: readonly Block[];
}

export const CONFIDENTIAL_NOTICE = 'Confidential: contains special category personal data';

// Builders, so feature code reads as the document does.

export const bold = (text: string): TextRun => ({ text, bold: true });
export const italic = (text: string): TextRun => ({ text, italic: true });
export const heading = (text: string, level: HeadingBlock['level'] = 2): HeadingBlock => ({ type: 'heading', level, text });
export const paragraph = (content: RichText, style?: ParagraphBlock['style']): ParagraphBlock =>
  style ? { type: 'paragraph', content, style } : { type: 'paragraph', content };
export const bullets = (items: readonly RichText[]): BulletsBlock => ({ type: 'bullets', items });
export const table = (options: Omit<TableBlock, 'type'>): TableBlock => ({ type: 'table', ...options });
export const summary = (items: SummaryBlock['items']): SummaryBlock => ({ type: 'summary', items });
export const pageBreak = (): PageBreakBlock => ({ type: 'pageBreak' });

// What both renderers share.

/** Runs with emphasis made explicit; characters XML and PDF text cannot carry are dropped. */
export function toRuns(content: RichText): TextRun[] {
  const parts = typeof content === 'string' ? [content] : content;
  const runs: TextRun[] = [];
  for (const part of parts) {
    const run = typeof part === 'string' ? { text: part } : part;
    const text = cleanText(run.text ?? '');
    if (text !== '') runs.push({ text, bold: Boolean(run.bold), italic: Boolean(run.italic) });
  }
  return runs;
}

/** The text without emphasis. */
export function plainText(content: RichText): string {
  return toRuns(content)
    .map((run) => run.text)
    .join('');
}

/**
 * Removes control characters (other than tab and newline), lone surrogates and non-characters, which
 * make a DOCX unreadable and have no glyph in a PDF; normalises line endings and tabs.
 */
export function cleanText(text: string): string {
  return String(text)
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

/**
 * Column widths (in the unit of `available`) for a table, the way a browser lays out an automatic
 * table: columns whose content fits on one line keep it whole (dates, names, numbers), the rest share
 * what is left in proportion to how much they hold, and no column is narrower than its longest word.
 * `measure` gives a text's width (bold for the header row) in the unit of `available`, at the table's
 * font size; `padding` is a cell's left and right padding together.
 */
export function columnWidths(
  block: Pick<TableBlock, 'headers' | 'rows' | 'widths'>,
  available: number,
  measure: (text: string, bold: boolean) => number,
  padding: number,
): number[] {
  const count = Math.max(block.headers.length, ...block.rows.map((row) => row.length), 1);
  if (block.widths && block.widths.length === count && block.widths.every((width) => Number.isFinite(width) && width > 0)) {
    const total = block.widths.reduce((sum, width) => sum + width, 0);
    return block.widths.map((width) => (width / total) * available);
  }
  const least: number[] = [];
  const most: number[] = [];
  for (let column = 0; column < count; column += 1) {
    let longestWord = 0;
    let longestLine = 0;
    const cells: [string, boolean][] = [[block.headers[column] ?? '', true], ...block.rows.map((row): [string, boolean] => [plainText(row[column] ?? ''), false])];
    for (const [text, bold] of cells) {
      for (const line of text.split('\n')) {
        longestLine = Math.max(longestLine, measure(line, bold));
        for (const word of line.split(/[^\S\u00A0\u202F\u2007]+/)) if (word) longestWord = Math.max(longestWord, measure(word, bold));
      }
    }
    least.push(Math.min(longestWord + padding, available));
    most.push(Math.min(Math.max(longestLine, longestWord) + padding, available));
  }
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  if (sum(most) <= available) {
    const spare = available - sum(most);
    return most.map((width) => width + (spare * width) / sum(most));
  }
  if (sum(least) >= available) return least.map((width) => (width * available) / sum(least));
  // Short columns keep their whole content on one line while the long ones can still fit their words.
  const short = most.map((width, index) => width <= available * 0.25 && width - least[index]! > 0);
  const fixed = sum(most.filter((_, index) => short[index]));
  const flexibleLeast = sum(least.filter((_, index) => !short[index]));
  const keepShort = fixed + flexibleLeast <= available && short.some((isShort, index) => !isShort && most[index]! > least[index]!);
  const widths = most.map((width, index) => (keepShort && short[index] ? width : least[index]!));
  const flexible = widths.map((_, index) => !(keepShort && short[index]));
  const spare = available - sum(widths);
  const stretch = sum(most.map((width, index) => (flexible[index] ? width - least[index]! : 0)));
  return widths.map((width, index) => (flexible[index] && stretch > 0 ? width + (spare * (most[index]! - least[index]!)) / stretch : width));
}

/**
 * An estimate of a text's width in Arial (or Liberation Sans), in points at 1 pt, for the DOCX
 * renderer, which cannot measure with the font Word will use.
 */
export function estimateArialWidth(text: string, bold: boolean): number {
  let units = 0;
  for (const character of text.normalize('NFD')) {
    if (/[\u0300-\u036F]/.test(character)) continue;
    units += ARIAL[character] ?? (/[A-Z]/.test(character) ? 700 : /[\u1100-\uFFDC]/.test(character) ? 1000 : 556);
  }
  return (units / 1000) * (bold ? 1.07 : 1);
}

const ARIAL: Record<string, number> = Object.fromEntries(
  [
    [278, " ,.:;!/\\fIt[]|"],
    [222, "ijl'’‘"],
    [333, "r-()`{}"],
    [355, '"“”'],
    [500, 'cksvxyzJ*'],
    [556, '0123456789abdeghnopquL#$_–?£€'],
    [584, '+=<>~^'],
    [611, 'FTZ'],
    [667, 'ABEKPSVXY&'],
    [722, 'wCDHNRU'],
    [778, 'GOQ'],
    [833, 'mM'],
    [889, '%'],
    [944, 'W'],
    [1000, '—@'],
  ].flatMap(([units, characters]) => Array.from(characters as string, (character) => [character, units as number])),
);

/** The rows of a table padded to the column count, so a short row still has every cell. */
export function paddedRows(block: Pick<TableBlock, 'headers' | 'rows'>, count: number): RichText[][] {
  return block.rows.map((row) => Array.from({ length: count }, (_, index) => row[index] ?? ''));
}

/** Throws a TypeError naming what is wrong, before a renderer starts. */
export function validateModel(model: DocumentModel): void {
  if (!model || typeof model !== 'object') throw new TypeError('A document model is required');
  if (typeof model.title !== 'string' || model.title.trim() === '') throw new TypeError('A document needs a title');
  if (typeof model.schoolName !== 'string' || model.schoolName.trim() === '') throw new TypeError('A document needs the school name');
  if (!Array.isArray(model.blocks)) throw new TypeError('A document needs a list of blocks');
  for (const [index, block] of model.blocks.entries()) {
    switch (block?.type) {
      case 'heading':
        if (![2, 3, 4].includes(block.level)) throw new TypeError(`Block ${index}: heading level must be 2, 3 or 4`);
        break;
      case 'table':
        if (!Array.isArray(block.headers) || block.headers.length === 0) throw new TypeError(`Block ${index}: a table needs a header row`);
        if (!Array.isArray(block.rows)) throw new TypeError(`Block ${index}: a table needs rows`);
        break;
      case 'paragraph':
      case 'bullets':
      case 'summary':
      case 'pageBreak':
        break;
      default:
        throw new TypeError(`Block ${index}: unknown block type ${String((block as { type?: unknown })?.type)}`);
    }
  }
}
