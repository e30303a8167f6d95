// The document rules, by example: what a file really is (from its bytes, not its name), the names it
// is stored under, the details an upload needs, and who sees a confidential document.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { paragraph, renderDocx, renderPdf } from '../../platform/documents/index.ts';
import type { Actor, Role } from '../../platform/permissions.ts';
import {
  DocumentFileError,
  MAX_DOCUMENT_BYTES,
  attachmentDisposition,
  detectDocumentType,
  documentDetailsProblems,
  documentEventTitle,
  mayOpenDocument,
  storedFilename,
  verifyFile,
  visibleDocuments,
} from './rules.ts';

const model = { title: 'Educational psychologist report', schoolName: 'Riverside Primary', blocks: [paragraph('Findings.')] };
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
const zip = (files: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));

function refusal(bytes: Uint8Array): string {
  try {
    detectDocumentType(bytes);
  } catch (error) {
    assert.ok(error instanceof DocumentFileError);
    return error.message;
  }
  assert.fail('the file was accepted');
}

describe('what an uploaded file really is', () => {
  it('recognises real PDFs, Word documents, JPEGs and PNGs from their bytes', async () => {
    assert.equal(detectDocumentType(await renderPdf(model)), 'pdf');
    assert.equal(detectDocumentType(await renderDocx(model)), 'docx');
    assert.equal(detectDocumentType(jpeg), 'jpeg');
    assert.equal(detectDocumentType(png), 'png');
  });

  it('refuses other files, saying what to do', () => {
    assert.match(refusal(strToU8('<!doctype html><script>alert(1)</script>')), /must be a PDF, a Word document \(\.docx\), a JPEG or a PNG/);
    assert.match(refusal(strToU8('MZ\x90\x00 a Windows program')), /must be a PDF/);
    assert.match(refusal(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])), /old Word format \(\.doc\)/);
    assert.match(refusal(zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' })), /Excel workbook: save it as a PDF/);
    assert.match(refusal(zip({ 'notes.txt': 'hello' })), /compressed \(zip\) file/);
    assert.match(refusal(zip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>', 'word/vbaProject.bin': 'macro' })), /contains macros/);
    assert.match(refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])), /damaged or incomplete/);
    assert.match(refusal(new Uint8Array([0, 0, 0, 24, ...strToU8('ftypheic'), 0, 0, 0, 0])), /HEIC photo/);
  });

  it('does not trust the name: a web page called report.pdf is refused, a PNG called scan.pdf is stored as scan.png', () => {
    assert.throws(() => verifyFile({ filename: 'report.pdf', bytes: strToU8('<html><body>not a pdf</body></html>') }), /The selected file must be a PDF/);
    const verified = verifyFile({ filename: 'scan.pdf', bytes: png });
    assert.equal(verified.type, 'png');
    assert.equal(verified.contentType, 'image/png');
    assert.equal(verified.filename, 'scan.png');
    assert.equal(verified.sha256.length, 64);
  });

  it('refuses empty files and files over 10 MB, naming the file when asked', () => {
    assert.throws(() => verifyFile({ filename: 'a.pdf', bytes: new Uint8Array(0) }), /The selected file is empty/);
    const big = new Uint8Array(MAX_DOCUMENT_BYTES + 1);
    big.set(strToU8('%PDF-1.7'));
    assert.throws(() => verifyFile({ filename: 'big.pdf', bytes: big }), /must be smaller than 10 MB/);
    assert.throws(() => verifyFile({ filename: 'cut.pdf', bytes: strToU8('%PDF-1.7'), truncated: true }), /must be smaller than 10 MB/);
    assert.throws(() => verifyFile({ filename: 'C:\\Users\\me\\notes.exe', bytes: strToU8('MZ') }, { nameInMessage: true }), /^Error: notes\.exe must be a PDF/);
  });
});

describe('stored file names and downloads', () => {
  it('keeps a matching extension, corrects a wrong one and drops folders', () => {
    assert.equal(storedFilename('EP report.PDF', 'pdf'), 'EP report.pdf');
    assert.equal(storedFilename('photo.jpeg', 'jpeg'), 'photo.jpeg');
    assert.equal(storedFilename('photo.png', 'jpeg'), 'photo.jpg');
    assert.equal(storedFilename('C:\\fakepath\\SALT report', 'docx'), 'SALT report.docx');
    assert.equal(storedFilename('', 'pdf'), 'document.pdf');
  });

  it('downloads under the stored name, with an ASCII fallback', () => {
    assert.equal(attachmentDisposition('Zoë’s EP report.pdf'), `attachment; filename="Zoe's EP report.pdf"; filename*=UTF-8''Zo%C3%AB%E2%80%99s%20EP%20report.pdf`);
    assert.equal(attachmentDisposition('a"b\r\n.pdf'), `attachment; filename="a-b.pdf"; filename*=UTF-8''a-b.pdf`);
  });
});

describe('the details of an upload', () => {
  const today = '2026-03-14';
  const good = { title: 'Speech and language therapy report', category: 'salt', documentDate: '2026-02-02', confidential: false };

  it('accepts a titled, categorised document dated today or before', () => {
    assert.deepEqual(documentDetailsProblems(good, today), []);
    assert.deepEqual(documentDetailsProblems({ ...good, documentDate: today }, today), []);
  });

  it('says what is missing or wrong, field by field', () => {
    const problems = documentDetailsProblems({ title: ' ', category: 'homework', documentDate: '2026-03-15', confidential: true }, today);
    assert.deepEqual(problems.map((problem) => problem.field), ['title', 'category', 'documentDate']);
    assert.match(problems[2]!.message, /today or in the past/);
    assert.match(documentDetailsProblems({ ...good, documentDate: '2026-02-31' }, today)[0]!.message, /real date/);
    assert.match(documentDetailsProblems({ ...good, category: '' }, today)[0]!.message, /Choose what kind of document/);
  });
});

describe('who sees a confidential document', () => {
  const pupilId = 'pupil-1';
  const actor = (role: Role): Actor => ({ userId: 'u', displayName: role, schoolId: 's', role, taughtPupilIds: new Set([pupilId]) });
  const documents = [
    { id: 'a', confidential: 0, title: 'Previous school records', category: 'previous-school' },
    { id: 'b', confidential: 1, title: 'CAMHS assessment', category: 'camhs' },
    { id: 'c', confidential: 1, title: 'EP report', category: 'ep' },
  ];

  it('the SENCO and SEN administrator see and open every document', () => {
    for (const role of ['senco', 'sen_admin'] as const) {
      assert.deepEqual(visibleDocuments(actor(role), pupilId, documents), { shown: documents, hiddenConfidential: 0 });
      assert.equal(mayOpenDocument(actor(role), pupilId, documents[1]!), true);
    }
  });

  it('teachers, teaching assistants and leaders see only how many confidential documents there are', () => {
    for (const role of ['teacher', 'teaching_assistant', 'leader'] as const) {
      const { shown, hiddenConfidential } = visibleDocuments(actor(role), pupilId, documents);
      assert.deepEqual(shown.map((document) => document.id), ['a'], role);
      assert.equal(hiddenConfidential, 2);
      assert.equal(mayOpenDocument(actor(role), pupilId, documents[2]!), false);
    }
  });

  it('a teacher opens nothing for a pupil they do not teach, and parents and governors nothing at all', () => {
    assert.equal(mayOpenDocument(actor('teacher'), 'someone-else', documents[0]!), false);
    assert.equal(mayOpenDocument(actor('parent'), pupilId, documents[0]!), false);
    assert.equal(mayOpenDocument(actor('governor'), pupilId, documents[0]!), false);
  });

  it('the chronology names a confidential document only to those who may open it', () => {
    assert.equal(documentEventTitle(documents[1]!, true), 'Document added: CAMHS assessment');
    assert.equal(documentEventTitle(documents[1]!, false), 'Confidential document added (held by the SENCO)');
    assert.equal(documentEventTitle(documents[0]!, true), 'Document added: Previous school records');
  });
});
