import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import Fastify from 'fastify';
import { strFromU8, unzipSync } from 'fflate';
import { logoSize } from './image.ts';
import { bold, contentDisposition, documentResponse, heading, pageBreak, paragraph, renderDocx, renderPdf, summary, table, type DocumentModel } from './index.ts';
import { cleanText, columnWidths, estimateArialWidth, toRuns, validateModel } from './model.ts';
import { SAMPLE_PUPIL, SAMPLE_SCHOOL, SAMPLE_TABLE_ROWS, sampleDocument, samplePngLogo, sampleSessions } from './sample.ts';

const PDFTOTEXT = '/usr/bin/pdftotext';
const PDFINFO = '/usr/bin/pdfinfo';
const popplerMissing = existsSync(PDFTOTEXT) && existsSync(PDFINFO) ? false : 'poppler-utils is not installed (apt-get install poppler-utils)';

/** The text of a Word XML part: its w:t runs, with paragraphs on their own lines. */
function wordText(xml: string): string {
  return xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<w:tab\/>/g, '\t')
    .replace(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<[^>]+>/g, (_, text: string | undefined) => text ?? '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('the document model', () => {
  it('drops characters a DOCX or PDF cannot carry, and keeps emphasis', () => {
    assert.equal(cleanText('a\u0000b\u0007c\r\nd\te\uFFFE\uD800f'), 'abc\nd ef');
    assert.deepEqual(toRuns(['Plain ', bold('strong'), { text: '', italic: true }]), [
      { text: 'Plain ', bold: false, italic: false },
      { text: 'strong', bold: true, italic: false },
    ]);
  });

  it('keeps short columns on one line and gives the rest to long text', () => {
    const widths = columnWidths(
      { headers: ['Date', 'Notes', 'Minutes'], rows: sampleSessions(10).map((row) => [row[0]!, row[3]!, row[4]!]) },
      480,
      (text, strong) => estimateArialWidth(text, strong) * 10,
      10,
    );
    assert.equal(Math.round(widths.reduce((sum, width) => sum + width, 0)), 480);
    assert.ok(widths[0]! >= estimateArialWidth('2026-09-07', false) * 10 + 10, 'the date is not broken');
    assert.ok(widths[2]! >= estimateArialWidth('Minutes', true) * 10 + 10, 'the header word is not broken');
    assert.ok(widths[1]! > widths[0]! + widths[2]!, 'the notes column gets the room');
    assert.deepEqual(
      columnWidths({ headers: ['A', 'B'], rows: [], widths: [1, 3] }, 400, () => 1, 0),
      [100, 300],
    );
  });

  it('refuses a model a renderer could not draw, naming what is wrong', () => {
    assert.throws(() => validateModel({ ...sampleDocument(), title: ' ' }), /title/);
    assert.throws(() => validateModel({ ...sampleDocument(), schoolName: '' }), /school name/);
    assert.throws(() => validateModel({ ...sampleDocument(), blocks: [{ type: 'heading', level: 1 as 2, text: 'x' }] }), /Block 0: heading level/);
    assert.throws(() => validateModel({ ...sampleDocument(), blocks: [{ type: 'table', headers: [], rows: [] }] }), /header row/);
    assert.throws(() => validateModel({ ...sampleDocument(), blocks: [{ type: 'video' } as never] }), /unknown block type video/);
  });

  it('reads a logo’s size and refuses bytes that are not the declared image type', () => {
    assert.deepEqual(logoSize({ data: samplePngLogo(40), type: 'png' }), { width: 40, height: 40 });
    // A baseline JPEG's start: SOI, an APP0 segment, then SOF0 with height 30 and width 120.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x1e, 0x00, 0x78, 0x03, 0x01, 0x22, 0x00]);
    assert.deepEqual(logoSize({ data: jpeg, type: 'jpeg' }), { width: 120, height: 30 });
    assert.throws(() => logoSize({ data: jpeg, type: 'png' }), /not a PNG/);
    assert.throws(() => logoSize({ data: samplePngLogo(8), type: 'jpeg' }), /not a JPEG/);
    assert.throws(() => logoSize({ data: new Uint8Array(3), type: 'gif' as 'png' }), /must be a PNG or a JPEG/);
  });
});

describe('downloads', () => {
  it('gives an ASCII fallback and the UTF-8 name, and nothing that can break the header', () => {
    assert.equal(
      contentDisposition('Zoë Ó Briain – plan', 'pdf'),
      `attachment; filename="Zoe O Briain - plan.pdf"; filename*=UTF-8''Zo%C3%AB%20%C3%93%20Briain%20%E2%80%93%20plan.pdf`,
    );
    const hostile = contentDisposition('../"evil"\r\nSet-Cookie: x=1;.docx', 'docx');
    assert.doesNotMatch(hostile, /[\r\n]/);
    assert.match(hostile, /^attachment; filename="[^"/\\]*\.docx"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+\.docx$/);
    assert.ok(!hostile.includes('.docx.docx'));
    assert.match(contentDisposition('', 'pdf'), /filename="document\.pdf"/);
    assert.equal(contentDisposition('Łódź 漢字', 'pdf'), `attachment; filename="_odz _.pdf"; filename*=UTF-8''%C5%81%C3%B3d%C5%BA%20%E6%BC%A2%E5%AD%97.pdf`);
  });

  it('sends the document with its type, a safe file name and no caching', async () => {
    const app = Fastify();
    app.get('/plan.:format', async (request, reply) => {
      const format = (request.params as { format: string }).format === 'pdf' ? 'pdf' : 'docx';
      return documentResponse(reply, { model: sampleDocument(), format, filename: `${SAMPLE_PUPIL} SEN support plan` });
    });
    try {
      const pdf = await app.inject({ method: 'GET', url: '/plan.pdf' });
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(pdf.headers['cache-control'], 'no-store');
      assert.match(String(pdf.headers['content-disposition']), /^attachment; filename="Zoe O Briain-Wojcik SEN support plan\.pdf"; filename\*=UTF-8''Zo%C3%AB/);
      assert.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      const docx = await app.inject({ method: 'GET', url: '/plan.docx' });
      assert.equal(docx.headers['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      assert.match(String(docx.headers['content-disposition']), /\.docx"; filename\*=UTF-8''.*\.docx$/);
      assert.equal(docx.rawPayload.subarray(0, 2).toString('latin1'), 'PK');
    } finally {
      await app.close();
    }
  });
});

describe('DOCX', () => {
  it('writes well-formed Office Open XML with the text, header, footer and metadata', async () => {
    const files = unzipSync(new Uint8Array(await renderDocx(sampleDocument())));
    for (const [name, data] of Object.entries(files)) {
      if (name.endsWith('.xml') || name.endsWith('.rels')) assert.equal(XMLValidator.validate(strFromU8(data)), true, `${name} is well-formed`);
    }
    const document = strFromU8(files['word/document.xml']!);
    const text = wordText(document);
    assert.match(text, /^SEN support plan\n/);
    assert.ok(text.includes(`${SAMPLE_PUPIL} · Year 4`), 'the subtitle');
    assert.ok(text.includes('Mrs Amélie Fontaine-Dubois'));
    assert.ok(text.includes('In Zoë’s own words: “I like drawing dragons and I’m good at remembering stories.'));
    assert.ok(text.includes('Precision teaching – reading'));
    for (const [date] of sampleSessions()) assert.ok(text.includes(date!), `session ${date}`);
    assert.ok(text.includes('Mrs Ngozi Adébáyọ̀') && text.includes('Ms Ioana Ștefănescu') && text.includes('Mr Emre Güneş'));
    // The long table: a header row that repeats on every page, then one row per session.
    const sessions = document.slice(document.indexOf('Intervention sessions'));
    const sessionTable = sessions.slice(0, sessions.indexOf('</w:tbl>'));
    assert.equal((sessionTable.match(/<w:tr>/g) ?? []).length, SAMPLE_TABLE_ROWS + 1);
    assert.match(sessionTable, /<w:tblHeader\/>/);
    assert.match(document, /<w:pStyle w:val="Heading1"\/>/);
    assert.match(document, /<w:pStyle w:val="Heading2"\/>/);
    assert.match(document, /<w:pageBreakBefore\/>/);
    const header = Object.keys(files).filter((name) => /^word\/header\d+\.xml$/.test(name)).map((name) => wordText(strFromU8(files[name]!))).join('');
    assert.ok(header.includes(SAMPLE_SCHOOL), 'the school in the header');
    assert.ok(Object.keys(files).some((name) => name.startsWith('word/media/') && name.endsWith('.png')), 'the logo');
    const footer = Object.keys(files).filter((name) => /^word\/footer\d+\.xml$/.test(name)).map((name) => strFromU8(files[name]!)).join('');
    assert.ok(wordText(footer).includes('Confidential: contains special category personal data'));
    assert.match(footer, /PAGE/);
    assert.match(footer, /NUMPAGES/);
    const core = strFromU8(files['docProps/core.xml']!);
    assert.match(core, /<dc:title>SEN support plan<\/dc:title>/);
    assert.match(core, /<dc:creator>St Aidan’s Church of England Primary School<\/dc:creator>/);
    assert.match(strFromU8(files['word/styles.xml']!), /<w:lang w:val="en-GB"\/>/);
  });

  it('keeps tables that follow each other apart, and puts what follows a page break on the new page', async () => {
    const files = unzipSync(
      new Uint8Array(
        await renderDocx({
          title: 'T',
          schoolName: 'S',
          blocks: [table({ headers: ['A'], rows: [['1']] }), table({ headers: ['B'], rows: [['2']] }), pageBreak(), summary([{ key: 'K', value: 'V' }]), paragraph('After')],
        }),
      ),
    );
    const document = strFromU8(files['word/document.xml']!);
    assert.equal((document.match(/<w:tbl>/g) ?? []).length, 3);
    assert.doesNotMatch(document, /<\/w:tbl><w:tbl>/, 'Word would join two touching tables into one');
    const summaryStart = document.lastIndexOf('<w:tbl>');
    assert.match(document.slice(0, summaryStart), /<w:pageBreakBefore\/>(?:(?!<w:tbl>).)*$/s, 'the page break comes just before the summary');
    assert.match(document.slice(summaryStart), /<w:spacing w:before="200"\/>.*After/s, 'space above the paragraph after a table');
  });

  it('escapes what a school or a parent typed', async () => {
    const files = unzipSync(
      new Uint8Array(
        await renderDocx({
          title: 'A <b> & "c"\u0001',
          subtitle: 'sub\u0002title',
          schoolName: 'S & T\u0003',
          confidentiality: 'Private\u0004',
          blocks: [heading('Head\u0005ing'), paragraph('</w:t><w:t>injected & <tags>\u0001'), table({ caption: 'Cap\u0006tion', headers: ['<h>\u0007'], rows: [['&amp;']] }), summary([{ key: 'K\u0008', value: 'V' }])],
        }),
      ),
    );
    for (const [name, data] of Object.entries(files)) {
      if (name.endsWith('.xml')) assert.equal(XMLValidator.validate(strFromU8(data)), true, `${name} is well-formed`);
    }
    const document = strFromU8(files['word/document.xml']!);
    assert.ok(wordText(document).includes('Heading') && wordText(document).includes('subtitle') && wordText(document).includes('Caption'));
    assert.ok(wordText(document).includes('</w:t><w:t>injected & <tags>'));
    assert.ok(wordText(document).includes('&amp;'));
  });
});

describe('PDF', () => {
  const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;

  it('is a tagged A4 PDF 1.7 with its language, title shown, and one page object per page', async () => {
    const pdf = await renderPdf(sampleDocument());
    const raw = pdf.toString('latin1');
    assert.equal(raw.slice(0, 8), '%PDF-1.7');
    assert.match(raw.slice(-8), /%%EOF\s*$/);
    const pages = pdfPages(pdf);
    assert.ok(pages >= 3, `the session table runs over at least three pages (${pages})`);
    assert.equal(raw.match(/\/Count (\d+)/)?.[1], String(pages));
    assert.match(raw, /\/MediaBox \[0 0 595\.28 841\.89\]/);
    assert.match(raw, /\/Lang \(en-GB\)/);
    assert.match(raw, /\/Marked true/);
    assert.match(raw, /\/StructTreeRoot/);
    assert.match(raw, /\/DisplayDocTitle true/);
    assert.match(raw, /\/FontFile2/, 'fonts are embedded');
    assert.doesNotMatch(raw, /\/BaseFont \/Helvetica/, 'no unembedded standard font');
  });

  it('is the same bytes for the same model', async () => {
    const model = sampleDocument();
    assert.ok((await renderPdf(model)).equals(await renderPdf(model)));
  });

  it('refuses a logo that is not what it says', async () => {
    await assert.rejects(renderPdf({ ...sampleDocument(), logo: { data: new Uint8Array([1, 2, 3]), type: 'png' } }), /not a PNG/);
    await assert.rejects(renderDocx({ ...sampleDocument(), logo: { data: new Uint8Array([1, 2, 3]), type: 'jpeg' } }), /not a JPEG/);
  });

  it('reads back with its text, accents, running header, footer and a repeated table header', { skip: popplerMissing }, async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'senco-pdf-'));
    try {
      const file = path.join(directory, 'plan.pdf');
      const pdf = await renderPdf(sampleDocument());
      writeFileSync(file, pdf);
      const info = execFileSync(PDFINFO, [file], { encoding: 'utf8' });
      const pages = Number(info.match(/^Pages:\s+(\d+)/m)?.[1]);
      assert.equal(pages, pdfPages(pdf));
      assert.match(info, /^Title:\s+SEN support plan$/m);
      assert.match(info, /^Author:\s+St Aidan’s Church of England Primary School$/m);
      assert.match(info, /^Tagged:\s+yes$/m);
      assert.match(info, /^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
      const text = execFileSync(PDFTOTEXT, ['-layout', file, '-'], { encoding: 'utf8' });
      const pageTexts = text.split('\f').filter((page) => page.trim());
      assert.equal(pageTexts.length, pages);
      pageTexts.forEach((page, index) => {
        assert.ok(page.includes(SAMPLE_SCHOOL), `page ${index + 1} has the school's name`);
        assert.ok(page.includes('Confidential: contains special category personal data'), `page ${index + 1} has the notice`);
        assert.ok(page.includes(`Page ${index + 1} of ${pages}`), `page ${index + 1} is numbered`);
      });
      assert.ok(text.includes(SAMPLE_PUPIL));
      assert.ok(text.includes('Mrs Amélie Fontaine-Dubois'));
      assert.ok(text.includes('In Zoë’s own words: “I like drawing dragons'));
      assert.ok(text.includes('Ms Ioana Ștefănescu') && text.includes('Mr Łukasz Nowak') && text.includes('Mr Emre Güneş'));
      for (const [date] of sampleSessions()) assert.ok(text.includes(date!), `session ${date}`);
      const headed = pageTexts.filter((page) => /Date\s+Intervention\s+Staff\s+Notes\s+Minutes/.test(page)).length;
      assert.ok(headed >= 3, `the table's header row is on each page it runs onto (${headed})`);
      // Tagged structure: headings, lists and table header cells are there for a screen reader.
      const structure = execFileSync(PDFINFO, ['-struct-text', file], { encoding: 'utf8' });
      for (const tag of ['H1', 'H2', 'H3', 'P', 'L', 'LI', 'Lbl', 'LBody', 'Table', 'Caption', 'TR', 'TH', 'TD']) {
        assert.match(structure, new RegExp(`^\\s+${tag}\\b`, 'm'), `a ${tag} element`);
      }
      assert.match(structure, /\/Scope \/Column/);
      assert.match(structure, /\/Scope \/Row/);
      assert.match(structure, /"Zoë will ask for help using her help card"/, 'words broken across lines keep their space');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('splits a row taller than a page, and breaks a word longer than a line', { skip: popplerMissing }, async () => {
    const note = Array.from({ length: 140 }, (_, index) => `Sentence ${index + 1} of a long report.`).join(' ');
    const model: DocumentModel = {
      title: 'Edge cases',
      schoolName: 'A school whose name is long enough to need more than two lines in the running header of every page, and then some more',
      blocks: [
        heading('A long row'),
        table({ headers: ['Date', 'Report'], rows: [['2027-01-01', note], ['2027-01-02', 'After the long row']] }),
        summary([{ key: 'Word', value: 'x'.repeat(400) }]),
      ],
    };
    const directory = mkdtempSync(path.join(tmpdir(), 'senco-pdf-'));
    try {
      const file = path.join(directory, 'edge.pdf');
      writeFileSync(file, await renderPdf(model));
      const text = execFileSync(PDFTOTEXT, [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      for (let index = 1; index <= 140; index += 1) assert.ok(text.includes(`Sentence ${index} of a long report.`), `sentence ${index}`);
      assert.ok(text.includes('After the long row'));
      assert.equal((text.match(/x/g) ?? []).length, 400);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
