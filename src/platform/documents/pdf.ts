import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { fitWithin, logoSize } from './image.ts';
import {
  CONFIDENTIAL_NOTICE,
  cleanText,
  columnWidths,
  paddedRows,
  toRuns,
  validateModel,
  type DocumentModel,
  type RichText,
  type SummaryBlock,
  type TableBlock,
  type TextRun,
} from './model.ts';

/*
 * Our own line layout on pdfkit's drawing primitives: every line is placed by this module, so a
 * paragraph, a list item or a table row can continue on the next page with the table's header row
 * repeated, and every piece of text is tagged (headings, paragraphs, lists, tables with header cells)
 * while rules, fills, running headers and footers are marked as artifacts. Units are points.
 */

type PDFDoc = InstanceType<typeof PDFDocument>;
type FontKey = 'regular' | 'bold' | 'italic' | 'boldItalic';
type StructElement = ReturnType<PDFDoc['struct']>;
/** A structure element and its tag, which marked content on the page must repeat. */
interface Tagged {
  element: StructElement;
  tag: string;
}
/** What pdfkit 0.20 does that its type definitions (0.17) do not yet say. */
interface PdfkitExtras {
  struct(type: string, options: { scope?: 'Column' | 'Row' }): StructElement;
  openImage(data: Buffer): unknown;
  image(image: unknown, x: number, y: number, options: { width: number; height: number }): unknown;
}

const PAGE = { width: 595.28, height: 841.89 }; // A4
const MARGIN = { top: 84, bottom: 66, left: 56.69, right: 56.69 }; // 2 cm at the sides
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const CONTENT_BOTTOM = PAGE.height - MARGIN.bottom;
const COLOUR = { text: '#0b0c0c', secondary: '#505a5f', border: '#b1b4b6', headerFill: '#f3f2f1' };
const LINE = 1.35; // line height as a multiple of the font size
const BODY = 11.5;
const SMALL = 10;
const TABLE_TEXT = 10.5;
const HEADING_SIZE = { 1: 22, 2: 17, 3: 14, 4: 12 } as const;
const CELL = { x: 5, y: 4.5 };
const LIST_INDENT = 16;

/**
 * Source Sans Pro (SIL Open Font License 1.1), shipped in the `source-sans-pro` npm package: it covers
 * the Latin alphabets of the languages spoken in English schools (ë, á, ł, ș, ğ, ő, …), Greek and
 * Cyrillic, which the standard PDF fonts' WinAnsi encoding cannot.
 */
const FONT_FILES: Record<FontKey, string> = {
  regular: 'SourceSansPro-Regular.ttf',
  bold: 'SourceSansPro-Bold.ttf',
  italic: 'SourceSansPro-It.ttf',
  boldItalic: 'SourceSansPro-BoldIt.ttf',
};
let parsedFonts: Record<FontKey, unknown> | undefined;

/**
 * The four fonts, parsed once per process by pdfkit's own fontkit (parsing costs about 40 ms a font;
 * pdfkit accepts a parsed font and subsets it per document).
 */
function fonts(): Record<FontKey, unknown> {
  if (!parsedFonts) {
    const require = createRequire(import.meta.url);
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(data: Uint8Array): unknown };
    const directory = path.join(path.dirname(require.resolve('source-sans-pro/package.json')), 'TTF');
    parsedFonts = Object.fromEntries(Object.entries(FONT_FILES).map(([key, file]) => [key, fontkit.create(readFileSync(path.join(directory, file)))])) as Record<FontKey, unknown>;
  }
  return parsedFonts;
}

/** The model as a tagged, A4 PDF with embedded fonts. */
export async function renderPdf(model: DocumentModel): Promise<Buffer> {
  validateModel(model);
  const created = model.created ?? new Date();
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: false,
    pdfVersion: '1.7',
    tagged: true,
    lang: model.language ?? 'en-GB',
    displayTitle: true,
    info: {
      Title: cleanText(model.title),
      Subject: cleanText(model.subject ?? ''),
      Author: cleanText(model.schoolName),
      Creator: 'SENCO Desk',
      Producer: 'SENCO Desk',
      CreationDate: created,
      ModDate: created,
    },
  });
  for (const [key, font] of Object.entries(fonts())) doc.registerFont(key, font as Buffer);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // A model that cannot be drawn throws here; the unfinished document is dropped, never ended.
  new PdfWriter(doc, model).write();
  doc.end();
  return done;
}

interface Segment {
  text: string;
  font: FontKey;
  width: number;
}
interface Line {
  segments: Segment[];
  width: number;
  /** Broken at a space: the space is drawn at the line's end, so extracted and read-aloud text keeps it. */
  soft?: boolean;
}
interface TextStyle {
  size: number;
  colour: string;
  bold?: boolean;
  align?: 'left' | 'right';
}
/** A table cell ready to draw: its lines, and how many are already drawn. */
interface CellLayout {
  lines: Line[];
  style: TextStyle;
  cell: Tagged;
  x: number;
  width: number;
  drawn: number;
}

const fontFor = (bold: boolean, italic: boolean): FontKey => (bold ? (italic ? 'boldItalic' : 'bold') : italic ? 'italic' : 'regular');


/** Spaces a line may break at (not the no-break spaces). */
const TOKENS = /\n|[^\S\n\u00A0\u202F\u2007]+|(?:[^\s]|[\u00A0\u202F\u2007])+/g;

class PdfWriter {
  private readonly doc: PDFDoc;
  private readonly extras: PdfkitExtras;
  private readonly model: DocumentModel;
  private readonly root: StructElement;
  private readonly widths = new Map<string, number>();
  private y = MARGIN.top;
  private pageCount = 0;
  private readonly logo: { image: unknown; width: number; height: number } | undefined;

  constructor(doc: PDFDoc, model: DocumentModel) {
    this.doc = doc;
    this.extras = doc as unknown as PdfkitExtras;
    this.model = model;
    this.root = doc.struct('Document');
    doc.addStructure(this.root);
    if (model.logo) {
      const size = fitWithin(logoSize(model.logo), 130, 36);
      this.logo = { image: this.extras.openImage(Buffer.from(model.logo.data)), ...size };
    }
  }

  write(): void {
    this.newPage();
    this.text(toRuns(this.model.title), { size: HEADING_SIZE[1], colour: COLOUR.text, bold: true }, this.element('H1'), MARGIN.left, CONTENT_WIDTH);
    if (this.model.subtitle) {
      this.y += 2;
      this.text(toRuns(this.model.subtitle), { size: 13, colour: COLOUR.secondary }, this.element('P'), MARGIN.left, CONTENT_WIDTH);
    }
    this.y += 10;
    for (const [index, block] of this.model.blocks.entries()) {
      switch (block.type) {
        case 'heading': {
          const size = HEADING_SIZE[block.level];
          if (this.y > MARGIN.top) this.y += block.level === 2 ? 12 : 8;
          // Keep a heading with the start of what follows it.
          this.ensure(this.opening(index));
          this.text(toRuns(block.text), { size, colour: COLOUR.text, bold: true }, this.element(`H${block.level}`), MARGIN.left, CONTENT_WIDTH);
          this.y += 3;
          break;
        }
        case 'paragraph': {
          const secondary = block.style === 'secondary';
          const style = { size: secondary ? SMALL : BODY, colour: secondary ? COLOUR.secondary : COLOUR.text };
          this.text(toRuns(block.content), style, this.element('P'), MARGIN.left, CONTENT_WIDTH);
          this.y += 7;
          break;
        }
        case 'bullets':
          this.bullets(block.items);
          this.y += 7;
          break;
        case 'table':
          this.table(block);
          this.y += 14;
          break;
        case 'summary':
          this.summary(block);
          this.y += 14;
          break;
        case 'pageBreak':
          if (this.y > MARGIN.top) this.newPage();
          break;
      }
    }
    this.root.end();
    this.footers();
  }

  /**
   * The height a block needs at the bottom of a page before it is worth starting there: a heading
   * with the start of what follows, two lines of a paragraph or list, a table's caption, header row and
   * first lines. A short note between a heading and a table stays with both.
   */
  private opening(index: number, depth = 0): number {
    const block = this.model.blocks[index];
    if (!block || depth > 3) return 0;
    const lines = (content: RichText, size: number, width = CONTENT_WIDTH, bold = false) => this.measure(toRuns(content), size, width, bold).length;
    switch (block.type) {
      case 'heading': {
        const size = HEADING_SIZE[block.level];
        return lines(block.text, size, CONTENT_WIDTH, true) * size * LINE + 3 + this.opening(index + 1, depth + 1);
      }
      case 'paragraph': {
        const size = block.style === 'secondary' ? SMALL : BODY;
        const count = lines(block.content, size);
        return count <= 2 ? count * size * LINE + 7 + this.opening(index + 1, depth + 1) : 2 * size * LINE;
      }
      case 'bullets':
        return block.items[0] === undefined ? 0 : Math.min(lines(block.items[0], BODY, CONTENT_WIDTH - LIST_INDENT), 2) * BODY * LINE;
      case 'table':
        return this.tableOpening(block);
      case 'summary':
        return block.items[0] === undefined ? 0 : Math.min(Math.max(lines(block.items[0].key, BODY), lines(block.items[0].value, BODY, CONTENT_WIDTH * 0.65)), 3) * BODY * LINE + 2 * CELL.y;
      case 'pageBreak':
        return 0;
    }
  }

  // Pages, running header and footer.

  private newPage(): void {
    this.doc.addPage({ size: 'A4', margins: MARGIN });
    this.pageCount += 1;
    this.y = MARGIN.top;
    this.header();
  }

  /** Starts a new page unless `height` still fits on this one (or this page is still empty). */
  private ensure(height: number): void {
    if (this.y + height > CONTENT_BOTTOM && this.y > MARGIN.top) this.newPage();
  }

  private header(): void {
    const doc = this.doc;
    const top = 24;
    const band = 36;
    const titleWidth = CONTENT_WIDTH * 0.42;
    let x = MARGIN.left;
    this.artifact(() => {
      if (this.logo) {
        this.extras.image(this.logo.image, x, top + (band - this.logo.height) / 2, { width: this.logo.width, height: this.logo.height });
      }
      const titleLines = this.measure(toRuns(this.model.title), 9, titleWidth);
      const first = titleLines[0];
      if (first) {
        const text = first.segments.map((segment) => segment.text).join('') + (titleLines.length > 1 ? '…' : '');
        doc.font('regular').fontSize(9).fillColor(COLOUR.secondary);
        doc.text(text, PAGE.width - MARGIN.right - doc.widthOfString(text), top + band / 2 - 9 * LINE / 2, { lineBreak: false });
      }
      doc.moveTo(MARGIN.left, top + band + 8).lineTo(PAGE.width - MARGIN.right, top + band + 8).lineWidth(0.75).strokeColor(COLOUR.border).stroke();
    });
    if (this.logo) x += this.logo.width + 10;
    // The school's name is content on the first page and a running header on the others.
    const nameWidth = PAGE.width - MARGIN.right - titleWidth - 16 - x;
    const name = toRuns(this.model.schoolName);
    let style: TextStyle = { size: 11, colour: COLOUR.text, bold: true };
    let lines = this.measure(name, style.size, nameWidth, true);
    if (lines.length > 2) {
      style = { ...style, size: 9.5 };
      lines = this.measure(name, style.size, nameWidth, true);
    }
    if (lines.length > 3) {
      lines = lines.slice(0, 3);
      const ellipsis = this.width('…', 'bold', style.size);
      lines[2]!.segments.push({ text: '…', font: 'bold', width: ellipsis });
      lines[2]!.width += ellipsis;
    }
    const draw = () => {
      let y = top + band / 2 - (lines.length * style.size * LINE) / 2;
      for (const line of lines) {
        this.drawLine(line, style, x, y, nameWidth);
        y += style.size * LINE;
      }
    };
    if (this.pageCount === 1) this.tagged(this.element('P'), draw);
    else this.artifact(draw);
  }

  private footers(): void {
    const doc = this.doc;
    const range = doc.bufferedPageRange();
    const notice = toRuns(this.model.confidentiality ?? CONFIDENTIAL_NOTICE);
    const rule = PAGE.height - 46;
    for (let index = 0; index < range.count; index += 1) {
      doc.switchToPage(range.start + index);
      this.artifact(() => {
        doc.moveTo(MARGIN.left, rule).lineTo(PAGE.width - MARGIN.right, rule).lineWidth(0.75).strokeColor(COLOUR.border).stroke();
        const label = `Page ${index + 1} of ${range.count}`;
        const labelWidth = this.width(label, 'regular', 9);
        let y = rule + 5;
        for (const line of this.measure(notice, 9, CONTENT_WIDTH - labelWidth - 24).slice(0, 2)) {
          this.drawLine(line, { size: 9, colour: COLOUR.secondary }, MARGIN.left, y, CONTENT_WIDTH);
          y += 9 * LINE;
        }
        this.drawLine({ segments: [{ text: label, font: 'regular', width: labelWidth }], width: labelWidth }, { size: 9, colour: COLOUR.secondary, align: 'right' }, MARGIN.left, rule + 5, CONTENT_WIDTH);
      }, 'Pagination');
    }
  }

  // Tagging: every piece of text belongs to a structure element; everything else is an artifact.

  private element(tag: string, parent: StructElement = this.root, scope?: 'Column' | 'Row'): Tagged {
    const element = scope ? this.extras.struct(tag, { scope }) : this.doc.struct(tag);
    parent.add(element);
    return { element, tag };
  }

  /** Draws content marked as part of `target`; ends the element unless it goes on (`open`). */
  private tagged(target: Tagged, draw: () => void, open = false): void {
    const content = this.doc.markStructureContent(target.tag);
    draw();
    this.doc.endMarkedContent();
    target.element.add(content);
    if (!open) target.element.end();
  }

  private artifact(draw: () => void, type: 'Pagination' | 'Layout' = 'Layout'): void {
    this.doc.markContent('Artifact', { type });
    draw();
    this.doc.endMarkedContent();
  }

  // Text layout.

  private width(text: string, font: FontKey, size: number): number {
    const key = `${font}\u0000${size}\u0000${text}`;
    let width = this.widths.get(key);
    if (width === undefined) {
      width = this.doc.font(font).fontSize(size).widthOfString(text);
      this.widths.set(key, width);
    }
    return width;
  }

  /** Breaks runs into lines no wider than `maxWidth`: at spaces, at newlines, and inside words too long for a line. */
  private measure(runs: TextRun[], size: number, maxWidth: number, forceBold = false): Line[] {
    type Piece = { text: string; font: FontKey };
    const lines: Line[] = [];
    let line: Line = { segments: [], width: 0 };
    let space: Segment | undefined;
    let word: Piece[] = [];
    const push = (segment: Segment) => {
      const last = line.segments.at(-1);
      if (last && last.font === segment.font) {
        last.text += segment.text;
        last.width += segment.width;
      } else {
        line.segments.push({ ...segment });
      }
      line.width += segment.width;
    };
    const endLine = () => {
      lines.push(line);
      line = { segments: [], width: 0 };
      space = undefined;
    };
    const flushWord = () => {
      if (word.length === 0) return;
      const pieces = word.map((piece) => ({ ...piece, width: this.width(piece.text, piece.font, size) }));
      word = [];
      const total = pieces.reduce((sum, piece) => sum + piece.width, 0);
      const gap = space && line.segments.length > 0 ? space : undefined;
      space = undefined;
      if (line.width + (gap?.width ?? 0) + total <= maxWidth + 0.01) {
        if (gap) push(gap);
        pieces.forEach(push);
        return;
      }
      if (line.segments.length > 0) {
        if (gap) line.soft = true;
        endLine();
      }
      if (total <= maxWidth + 0.01) {
        pieces.forEach(push);
        return;
      }
      // A word longer than a line: break it between characters.
      for (const piece of pieces) {
        for (const character of Array.from(piece.text)) {
          const width = this.width(character, piece.font, size);
          if (line.width + width > maxWidth + 0.01 && line.segments.length > 0) endLine();
          push({ text: character, font: piece.font, width });
        }
      }
    };
    for (const run of runs) {
      const font = fontFor(forceBold || Boolean(run.bold), Boolean(run.italic));
      for (const token of run.text.match(TOKENS) ?? []) {
        if (token === '\n') {
          flushWord();
          endLine();
        } else if (/^[^\S\u00A0\u202F\u2007]+$/.test(token)) {
          flushWord();
          if (line.segments.length > 0) space = { text: ' ', font, width: this.width(' ', font, size) };
        } else {
          word.push({ text: token, font });
        }
      }
    }
    flushWord();
    if (line.segments.length > 0 || lines.length === 0) lines.push(line);
    return lines;
  }

  private drawLine(line: Line, style: TextStyle, x: number, y: number, width: number): void {
    const doc = this.doc;
    let left = style.align === 'right' ? x + width - line.width : x;
    // Centre the glyphs (about 1.26 em from ascender to descender in this font) in the line's height.
    const top = y + (style.size * LINE - style.size * 1.257) / 2;
    line.segments.forEach((segment, index) => {
      const text = line.soft && index === line.segments.length - 1 ? `${segment.text} ` : segment.text;
      doc.font(segment.font).fontSize(style.size).fillColor(style.colour).text(text, left, top, { lineBreak: false });
      left += segment.width;
    });
  }

  /** Flowing text as one structure element, continued on new pages as needed. */
  private text(runs: TextRun[], style: TextStyle, target: Tagged, x: number, width: number): void {
    const height = style.size * LINE;
    for (const line of this.measure(runs, style.size, width, style.bold)) {
      this.ensure(height);
      this.tagged(target, () => this.drawLine(line, style, x, this.y, width), true);
      this.y += height;
    }
    target.element.end();
  }

  // Blocks.

  private bullets(items: readonly RichText[]): void {
    const list = this.element('L');
    const style: TextStyle = { size: BODY, colour: COLOUR.text };
    for (const item of items) {
      const listItem = this.element('LI', list.element);
      const label = this.element('Lbl', listItem.element);
      const body = this.element('LBody', listItem.element);
      this.ensure(BODY * LINE * Math.min(this.measure(toRuns(item), BODY, CONTENT_WIDTH - LIST_INDENT).length, 2));
      const bullet = this.width('•', 'regular', BODY);
      this.tagged(label, () => this.drawLine({ segments: [{ text: '•', font: 'regular', width: bullet }], width: bullet }, style, MARGIN.left + 4, this.y, LIST_INDENT));
      this.text(toRuns(item), style, body, MARGIN.left + LIST_INDENT, CONTENT_WIDTH - LIST_INDENT);
      listItem.element.end();
      this.y += 2;
    }
    list.element.end();
  }

  private tableColumns(block: TableBlock): number[] {
    return columnWidths(block, CONTENT_WIDTH, (text, bold) => this.width(text, bold ? 'bold' : 'regular', TABLE_TEXT), 2 * CELL.x + 0.5);
  }

  private tableOpening(block: TableBlock): number {
    const widths = this.tableColumns(block);
    const lines = (content: RichText, index: number, bold: boolean) => this.measure(toRuns(content), TABLE_TEXT, widths[index]! - 2 * CELL.x, bold).length;
    const caption = block.caption ? this.measure(toRuns(block.caption), BODY, CONTENT_WIDTH, true).length * BODY * LINE + 4 : 0;
    const header = Math.max(...widths.map((_, index) => lines(block.headers[index] ?? '', index, true))) * TABLE_TEXT * LINE + 2 * CELL.y;
    const first = block.rows[0];
    const firstRow = first ? Math.min(3, Math.max(1, ...widths.map((_, index) => lines(first[index] ?? '', index, false)))) * TABLE_TEXT * LINE + 2 * CELL.y : 0;
    return caption + header + firstRow;
  }

  private table(block: TableBlock): void {
    const widths = this.tableColumns(block);
    const lefts = widths.map((_, index) => MARGIN.left + widths.slice(0, index).reduce((sum, width) => sum + width, 0));
    const align = (index: number): 'left' | 'right' => (block.numeric?.[index] ? 'right' : 'left');
    const cellWidth = (index: number) => widths[index]! - 2 * CELL.x;
    const lineHeight = TABLE_TEXT * LINE;
    const headerLines = widths.map((_, index) => this.measure(toRuns(block.headers[index] ?? ''), TABLE_TEXT, cellWidth(index), true));
    const headerHeight = Math.max(...headerLines.map((lines) => lines.length)) * lineHeight + 2 * CELL.y;
    const rows = paddedRows(block, widths.length).map((cells) => cells.map((content, index) => this.measure(toRuns(content), TABLE_TEXT, cellWidth(index))));

    // Keep the caption, the header row and the start of the first row together.
    this.ensure(this.tableOpening(block));
    const captionRuns = block.caption ? toRuns(block.caption) : [];

    const tableElement = this.element('Table');
    if (block.caption) {
      this.text(captionRuns, { size: BODY, colour: COLOUR.text, bold: true }, this.element('Caption', tableElement.element), MARGIN.left, CONTENT_WIDTH);
      this.y += 4;
    }
    const drawHeader = (repeated: boolean) => {
      const y = this.y;
      this.artifact(() => {
        this.doc.rect(MARGIN.left, y, CONTENT_WIDTH, headerHeight).fillColor(COLOUR.headerFill).fill();
      });
      this.rule(y + headerHeight, 1.5, COLOUR.text);
      const row = repeated ? undefined : this.element('TR', tableElement.element);
      headerLines.forEach((lines, index) => {
        const style: TextStyle = { size: TABLE_TEXT, colour: COLOUR.text, bold: true, align: align(index) };
        const draw = () => lines.forEach((line, n) => this.drawLine(line, style, lefts[index]! + CELL.x, y + CELL.y + n * lineHeight, cellWidth(index)));
        // The first header row is the table's; its repeats on later pages are artifacts.
        if (row) this.tagged(this.element('TH', row.element, 'Column'), draw);
        else this.artifact(draw);
      });
      row?.element.end();
      this.y += headerHeight;
    };
    drawHeader(false);
    for (const cells of rows) {
      const row = this.element('TR', tableElement.element);
      const layouts: CellLayout[] = cells.map((lines, index) => ({
        lines,
        style: { size: TABLE_TEXT, colour: COLOUR.text, align: align(index) },
        cell: this.element('TD', row.element),
        x: lefts[index]! + CELL.x,
        width: cellWidth(index),
        drawn: 0,
      }));
      this.drawRow(layouts, headerHeight, () => drawHeader(true));
      row.element.end();
    }
    tableElement.element.end();
  }

  private summary(block: SummaryBlock): void {
    const keyWidth = CONTENT_WIDTH * 0.35;
    const tableElement = this.element('Table');
    const topRule = () => this.rule(this.y, 0.75, COLOUR.border);
    this.ensure(BODY * LINE * 2 + 2 * CELL.y);
    topRule();
    for (const item of block.items) {
      const row = this.element('TR', tableElement.element);
      const layouts: CellLayout[] = [
        {
          lines: this.measure(toRuns(item.key), BODY, keyWidth - 2 * CELL.x, true),
          style: { size: BODY, colour: COLOUR.text, bold: true },
          cell: this.element('TH', row.element, 'Row'),
          x: MARGIN.left + CELL.x,
          width: keyWidth - 2 * CELL.x,
          drawn: 0,
        },
        {
          lines: this.measure(toRuns(item.value), BODY, CONTENT_WIDTH - keyWidth - 2 * CELL.x),
          style: { size: BODY, colour: COLOUR.text },
          cell: this.element('TD', row.element),
          x: MARGIN.left + keyWidth + CELL.x,
          width: CONTENT_WIDTH - keyWidth - 2 * CELL.x,
          drawn: 0,
        },
      ];
      this.drawRow(layouts, 0, topRule);
      row.element.end();
    }
    tableElement.element.end();
  }

  /**
   * Draws a table row: whole on this page if it fits, otherwise whole on the next page (after
   * `continued`, which repeats the header row), and split between lines only when it is taller than
   * a page or little room is left.
   */
  private drawRow(cells: CellLayout[], repeatHeight: number, continued: () => void): void {
    const lineHeight = (cell: CellLayout) => cell.style.size * LINE;
    const needed = () => Math.max(...cells.map((cell) => (cell.lines.length - cell.drawn) * lineHeight(cell)), lineHeight(cells[0]!)) + 2 * CELL.y;
    const pageRoom = CONTENT_BOTTOM - MARGIN.top - repeatHeight;
    const continuePage = () => {
      this.newPage();
      continued();
    };
    let fresh = false;
    for (;;) {
      const room = CONTENT_BOTTOM - this.y;
      const height = needed();
      if (!fresh && height > room && (height <= pageRoom || room < 3 * lineHeight(cells[0]!) + 2 * CELL.y)) {
        continuePage();
        fresh = true;
        continue;
      }
      const rowHeight = Math.min(height, room);
      const top = this.y;
      for (const cell of cells) {
        const fit = Math.max(1, Math.floor((rowHeight - 2 * CELL.y + 0.01) / lineHeight(cell)));
        const lines = cell.lines.slice(cell.drawn, cell.drawn + fit);
        if (lines.length > 0) {
          this.tagged(cell.cell, () => lines.forEach((line, n) => this.drawLine(line, cell.style, cell.x, top + CELL.y + n * lineHeight(cell), cell.width)), true);
        }
        cell.drawn += lines.length;
      }
      this.y = top + rowHeight;
      this.rule(this.y, 0.75, COLOUR.border);
      if (cells.every((cell) => cell.drawn >= cell.lines.length)) break;
      continuePage();
      fresh = true;
    }
    cells.forEach((cell) => cell.cell.element.end());
  }

  private rule(y: number, width: number, colour: string): void {
    this.artifact(() => {
      this.doc.moveTo(MARGIN.left, y).lineTo(PAGE.width - MARGIN.right, y).lineWidth(width).strokeColor(colour).stroke();
    });
  }
}
