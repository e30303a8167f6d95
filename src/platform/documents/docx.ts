import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  type IStylesOptions,
  ImageRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import { fitWithin, logoSize } from './image.ts';
import {
  CONFIDENTIAL_NOTICE,
  cleanText,
  columnWidths,
  estimateArialWidth,
  paddedRows,
  plainText,
  toRuns,
  validateModel,
  type Block,
  type DocumentModel,
  type RichText,
  type SummaryBlock,
  type TableBlock,
} from './model.ts';

// Word measures in twips (1/20 pt); font sizes in half-points.
const A4 = { width: 11906, height: 16838 };
// 3 cm at the top (the header sits 0.9 cm from the edge: LibreOffice clips a header taller than the
// space between the two), 2.2 cm at the bottom, 2 cm at the sides.
const MARGIN = { top: 1701, bottom: 1247, left: 1134, right: 1134, header: 510, footer: 567 };
const TEXT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
/** Arial is on every Windows and Mac machine with Word; LibreOffice uses its metric twin, Liberation Sans. */
const FONT = 'Arial';
const COLOUR = { text: '0B0C0C', secondary: '505A5F', border: 'B1B4B6', headerFill: 'F3F2F1' };
const LOGO_BOX = { width: 160, height: 44 }; // pixels at 96 dpi

type HeadingValue = (typeof HeadingLevel)[keyof typeof HeadingLevel];
const HEADINGS: Record<2 | 3 | 4, HeadingValue> = { 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3, 4: HeadingLevel.HEADING_4 };

/** The model as a Word document (Office Open XML), editable in Word and LibreOffice. */
export async function renderDocx(model: DocumentModel): Promise<Buffer> {
  validateModel(model);
  const language = model.language ?? 'en-GB';
  const document = new Document({
    title: cleanText(model.title),
    subject: cleanText(model.subject ?? ''),
    creator: cleanText(model.schoolName),
    lastModifiedBy: cleanText(model.schoolName),
    description: cleanText(model.subtitle ?? ''),
    styles: styles(language),
    sections: [
      {
        properties: {
          page: {
            size: { width: A4.width, height: A4.height },
            margin: MARGIN,
          },
        },
        headers: { default: header(model) },
        footers: { default: footer(model) },
        children: body(model),
      },
    ],
  });
  return Packer.toBuffer(document);
}

/*
 * Every line spacing names its rule: the standard's default is "auto", but LibreOffice reads a spacing
 * without one as exact and clips an inline image (the logo) to the text's height.
 */
function styles(language: string): IStylesOptions {
  const heading = (size: number, before: number) => ({
    run: { font: FONT, size, bold: true, color: COLOUR.text },
    paragraph: { spacing: { before, after: 120 }, keepNext: true, keepLines: true },
  });
  return {
    default: {
      document: {
        run: { font: FONT, size: 22, color: COLOUR.text, language: { value: language } },
        paragraph: { spacing: { after: 120, line: 276, lineRule: LineRuleType.AUTO } },
      },
      heading1: heading(36, 0),
      heading2: heading(28, 320),
      heading3: heading(24, 240),
      heading4: heading(22, 200),
      caption: { run: { font: FONT, size: 22, bold: true, italics: false, color: COLOUR.text }, paragraph: { spacing: { before: 200, after: 80 }, keepNext: true } },
      listParagraph: { paragraph: { spacing: { after: 60 } } },
    },
  };
}

/** Logo, school name and title in a borderless one-row table, so they line up in Word and LibreOffice alike. */
function header(model: DocumentModel): Header {
  const logo = model.logo ? fitWithin(logoSize(model.logo), LOGO_BOX.width, LOGO_BOX.height) : undefined;
  const logoWidth = logo ? Math.round(logo.width * 15) + 200 : 0; // pixels to twips, and a gap
  const titleWidth = Math.round(TEXT_WIDTH * 0.4);
  const cells: TableCell[] = [];
  const headerCell = (width: number, children: Paragraph[]) =>
    new TableCell({
      width: { size: width, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      margins: { top: 0, bottom: 80, left: 0, right: 0 },
      borders: { top: NONE, left: NONE, right: NONE, bottom: { style: BorderStyle.SINGLE, size: 6, color: COLOUR.border } },
      children,
    });
  if (model.logo && logo) {
    cells.push(
      headerCell(logoWidth, [
        new Paragraph({
          spacing: { after: 0, line: 240, lineRule: LineRuleType.AUTO },
          children: [
            new ImageRun({
              type: model.logo.type === 'png' ? 'png' : 'jpg',
              data: model.logo.data,
              transformation: { width: Math.round(logo.width), height: Math.round(logo.height) },
              altText: { name: 'Logo', title: `${cleanText(model.schoolName)} logo`, description: `${cleanText(model.schoolName)} logo` },
            }),
          ],
        }),
      ]),
    );
  }
  cells.push(
    headerCell(TEXT_WIDTH - logoWidth - titleWidth, [new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text: cleanText(model.schoolName), bold: true, size: 22 })] })]),
    headerCell(titleWidth, [
      new Paragraph({ spacing: { after: 0 }, alignment: AlignmentType.RIGHT, children: [new TextRun({ text: cleanText(model.title), size: 18, color: COLOUR.secondary })] }),
    ]),
  );
  return new Header({
    children: [
      new Table({
        rows: [new TableRow({ children: cells })],
        width: { size: TEXT_WIDTH, type: WidthType.DXA },
        columnWidths: cells.length === 3 ? [logoWidth, TEXT_WIDTH - logoWidth - titleWidth, titleWidth] : [TEXT_WIDTH - titleWidth, titleWidth],
        layout: TableLayoutType.FIXED,
        borders: { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE },
      }),
      new Paragraph({ spacing: { after: 0, line: 20, lineRule: LineRuleType.EXACT }, children: [] }), // a header may not end with a table
    ],
  });
}

function footer(model: DocumentModel): Footer {
  return new Footer({
    children: [
      new Paragraph({
        tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
        border: { top: { style: BorderStyle.SINGLE, size: 6, color: COLOUR.border, space: 4 } },
        spacing: { after: 0 },
        children: [
          new TextRun({ text: cleanText(model.confidentiality ?? CONFIDENTIAL_NOTICE), size: 18, color: COLOUR.secondary }),
          new TextRun({ text: '\t', size: 18 }),
          new TextRun({ children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], size: 18, color: COLOUR.secondary }),
        ],
      }),
    ],
  });
}

function body(model: DocumentModel): (Paragraph | Table)[] {
  const out: (Paragraph | Table)[] = [new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(cleanText(model.title))] })];
  if (model.subtitle) {
    out.push(new Paragraph({ children: [new TextRun({ text: cleanText(model.subtitle), size: 26, color: COLOUR.secondary })], spacing: { after: 240 } }));
  }
  const blocks = model.blocks;
  // A page break becomes "page break before" on what follows, so no empty line starts the page; after a
  // table the next paragraph gets space above it, and only a table that follows a table (which Word
  // would join to it) or ends the document gets an empty paragraph after it.
  let breakBefore = false;
  let afterTable = false;
  const add = (item: Paragraph | Table) => out.push(item);
  const next = (options: { heading?: boolean } = {}): { pageBreakBefore?: boolean; spacing?: { before: number } } => {
    const result = {
      ...(breakBefore ? { pageBreakBefore: true } : {}),
      ...(afterTable && !options.heading ? { spacing: { before: 200 } } : {}),
    };
    breakBefore = false;
    afterTable = false;
    return result;
  };
  for (const [index, block] of blocks.entries()) {
    if (block.type === 'pageBreak') {
      breakBefore = true;
      continue;
    }
    const startsWithTable = (block.type === 'table' && !block.caption) || block.type === 'summary';
    if (startsWithTable && breakBefore) {
      add(new Paragraph({ pageBreakBefore: true, spacing: { after: 0, line: 20, lineRule: LineRuleType.EXACT }, children: [] }));
      breakBefore = false;
    }
    renderBlock(block, add, next);
    if (block.type === 'table' || block.type === 'summary') {
      afterTable = true;
      const following = blocks.slice(index + 1).find((entry) => entry.type !== 'pageBreak');
      const touching = following && blocks[index + 1]?.type !== 'pageBreak' && ((following.type === 'table' && !following.caption) || following.type === 'summary');
      if (!following || touching) {
        add(new Paragraph({ spacing: { after: 120 }, children: [] }));
        afterTable = false;
      }
    }
  }
  return out;
}

type Next = (options?: { heading?: boolean }) => { pageBreakBefore?: boolean; spacing?: { before: number } };

function renderBlock(block: Exclude<Block, { type: 'pageBreak' }>, add: (item: Paragraph | Table) => void, next: Next): void {
  switch (block.type) {
    case 'heading':
      add(new Paragraph({ ...next({ heading: true }), heading: HEADINGS[block.level], children: [new TextRun(cleanText(block.text))] }));
      return;
    case 'paragraph':
      add(new Paragraph({ ...next(), children: runs(block.content, block.style === 'secondary' ? { size: 20, color: COLOUR.secondary } : {}) }));
      return;
    case 'bullets':
      for (const item of block.items) add(new Paragraph({ ...next(), bullet: { level: 0 }, children: runs(item) }));
      return;
    case 'table':
      if (block.caption) add(new Paragraph({ ...next({ heading: true }), style: 'Caption', children: [new TextRun(cleanText(block.caption))] }));
      else next();
      add(dataTable(block));
      return;
    case 'summary':
      next();
      add(summaryTable(block));
      return;
  }
}

/** Text runs; a newline inside a run becomes a line break. */
function runs(content: RichText, base: { size?: number; color?: string; bold?: boolean } = {}): TextRun[] {
  const out: TextRun[] = [];
  for (const run of toRuns(content)) {
    run.text.split('\n').forEach((line, index) => {
      out.push(new TextRun({ ...base, text: line, bold: base.bold || run.bold, italics: run.italic, break: index > 0 ? 1 : undefined }));
    });
  }
  return out;
}

const CELL_MARGINS = { top: 80, bottom: 80, left: 100, right: 100 };
const RULE = { style: BorderStyle.SINGLE, size: 4, color: COLOUR.border };
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const TABLE_SIZE = 20; // 10 pt in tables

/** Twips for the table's columns, estimated from Arial's character widths at the table's font size. */
function tableColumns(block: TableBlock): number[] {
  const widths = columnWidths(block, TEXT_WIDTH, (text, bold) => estimateArialWidth(text, bold) * (TABLE_SIZE / 2) * 20, CELL_MARGINS.left + CELL_MARGINS.right + 20);
  const rounded = widths.map((width) => Math.floor(width));
  rounded[rounded.length - 1]! += TEXT_WIDTH - rounded.reduce((sum, width) => sum + width, 0);
  return rounded;
}

/** Rows of ordinary height move whole to the next page; a very tall one may still break across pages. */
function rowFitsOnAPage(row: readonly RichText[], widths: number[]): boolean {
  const lines = Math.max(
    ...row.map((content, index) =>
      plainText(content)
        .split('\n')
        .reduce((sum, line) => sum + Math.ceil((estimateArialWidth(line, false) * (TABLE_SIZE / 2) * 20) / Math.max(1, widths[index]! - 200) + 0.01), 0),
    ),
  );
  return lines <= 25;
}

function cell(content: RichText, width: number, options: { header?: boolean; numeric?: boolean; key?: boolean; size?: number }): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    margins: CELL_MARGINS,
    shading: options.header ? { type: ShadingType.CLEAR, color: 'auto', fill: COLOUR.headerFill } : undefined,
    borders: { top: NONE, left: NONE, right: NONE, bottom: options.header ? { ...RULE, size: 12, color: COLOUR.text } : RULE },
    children: [
      new Paragraph({
        spacing: { after: 0, line: 252, lineRule: LineRuleType.AUTO },
        alignment: options.numeric ? AlignmentType.RIGHT : AlignmentType.LEFT,
        children: runs(content, { size: options.size ?? TABLE_SIZE, ...(options.header || options.key ? { bold: true } : {}) }),
      }),
    ],
  });
}

function dataTable(block: TableBlock): Table {
  const widths = tableColumns(block);
  const numeric = (index: number) => Boolean(block.numeric?.[index]);
  const headerRow = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: widths.map((width, index) => cell(block.headers[index] ?? '', width, { header: true, numeric: numeric(index) })),
  });
  const rows = paddedRows(block, widths.length).map(
    (row) =>
      new TableRow({
        cantSplit: rowFitsOnAPage(row, widths),
        children: row.map((content, index) => cell(content, widths[index]!, { numeric: numeric(index) })),
      }),
  );
  return new Table({
    rows: [headerRow, ...rows],
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: RULE, insideVertical: NONE },
  });
}

function summaryTable(block: SummaryBlock): Table {
  const keyWidth = Math.round(TEXT_WIDTH * 0.35);
  const widths = [keyWidth, TEXT_WIDTH - keyWidth];
  return new Table({
    rows: block.items.map(
      (item) =>
        new TableRow({
          cantSplit: rowFitsOnAPage([item.key, item.value], widths),
          children: [cell(item.key, widths[0]!, { key: true, size: 22 }), cell(item.value, widths[1]!, { size: 22 })],
        }),
    ),
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: { top: RULE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: RULE, insideVertical: NONE },
  });
}
