import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { makeCtf } from '../../../test/fixtures/imports/make-ctf.ts';
import { decodeXmlText, parseCtf } from './ctf.ts';
import { ImportFileError, checkZipDirectory, decodeText, detectKind } from './file-check.ts';

const today = '2025-11-01';
const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/imports');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

function refused(action: () => unknown, pattern: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ImportFileError, `expected ImportFileError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

const ONE_PUPIL = (version: 24 | 25, pupil: string) => `<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName><CTFversion>${version}.0</CTFversion><DateTime>2025-10-01T09:30:00</DateTime>
    <DocumentQualifier>partial</DocumentQualifier>
    <SourceSchool><LEA>881</LEA><Estab>4001</Estab><URN>100001</URN><SchoolName>St Mary &amp; St John&apos;s</SchoolName><AcademicYear>2025/26</AcademicYear></SourceSchool>
    <DestSchool><LEA>881</LEA><Estab>4002</Estab><URN>100002</URN></DestSchool>
  </Header>
  <CTFpupilData>${pupil}</CTFpupilData>
</CTfile>`;

describe('CTF reading', () => {
  it('reads a CTF 25 pupil with everything SENCO Desk keeps', () => {
    const xml = ONE_PUPIL(25, `
      <Pupil>
        <UPN>B801200005001</UPN><UniqueLearnerNumber>9276308686</UniqueLearnerNumber><UCI>UCI123</UCI>
        <Surname>O&apos;Connor</Surname><Forename>Zo&#235;</Forename><DOB>2014-05-01</DOB><Sex>F</Sex>
        <BasicDetails>
          <FormerUPN>R674123101121</FormerUPN><PreferredSurname>Connor</PreferredSurname><PreferredForename>Zo</PreferredForename>
          <MiddleNames>Anne  Marie</MiddleNames><NCyearActual>R</NCyearActual><Ethnicity>WIRI</Ethnicity>
          <Languages><Type><LanguageType>F</LanguageType><Language>POL</Language></Type></Languages>
          <MedicalFlag>true</MedicalFlag><EnrolStatus>C</EnrolStatus>
        </BasicDetails>
        <FSMhistory>
          <FSMinstance><FSMstartDate>2020-09-01</FSMstartDate><FSMendDate>2021-07-01</FSMendDate></FSMinstance>
          <FSMinstance><FSMstartDate>2024-09-01</FSMstartDate><FSMendDate>2026-07-31</FSMendDate></FSMinstance>
        </FSMhistory>
        <LookedAfter><InCare>true</InCare><CareAuthority>881</CareAuthority></LookedAfter>
        <SENhistory>
          <SEN><StartDate>2019-09-01</StartDate><SENprovision>A</SENprovision></SEN>
          <SEN><StartDate>2023-09-04</StartDate><SENprovision>K</SENprovision></SEN>
          <SENneeds>
            <SENneed><SENtype>SEMH</SENtype><SENtypeRank>2</SENtypeRank></SENneed>
            <SENneed><SENtype>SLCN</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
          </SENneeds>
        </SENhistory>
        <Address><BS7666Address><SAON>Flat 2</SAON><PAON>12</PAON><Street>High Street</Street><Locality>Old Town</Locality><Town>Northtown</Town><PostTown>Northtown</PostTown><Postcode>NT1 2AB</Postcode></BS7666Address></Address>
        <Contacts>
          <Contact><Order>2</Order><Title>Mr</Title><Forename>Sean</Forename><Surname>O'Connor</Surname><Relationship>PAR</Relationship><Responsibility>false</Responsibility>
            <Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>07700 900123</PhoneNo></Phone></Phones></Contact>
          <Contact><Order>1</Order><Title>Ms</Title><Forename>Aoife</Forename><Surname>O'Connor</Surname><Relationship>PAR</Relationship><Responsibility>true</Responsibility>
            <Phones><Phone><TelephoneType>H</TelephoneType><PhoneNo>01632 960001</PhoneNo></Phone><Phone><PhoneNo>07700 900001</PhoneNo></Phone></Phones>
            <Email><EmailType>H</EmailType><EmailAddress>aoife@example.org</EmailAddress></Email></Contact>
        </Contacts>
      </Pupil>`);
    const parsed = parseCtf(xml, { today });
    assert.deepEqual(parsed.warnings, []);
    assert.equal(parsed.header.source.name, "St Mary & St John's");
    assert.equal(parsed.header.versionNumber, 25);
    assert.equal(parsed.header.qualifier, 'partial');
    assert.deepEqual(parsed.header.dest, { lea: '881', estab: '4002', urn: '100002', name: null, academicYear: null });
    const [row] = parsed.rows;
    assert.deepEqual(row!.problems, []);
    assert.equal(row!.line, 1);
    assert.deepEqual(row!.record, {
      upn: 'B801200005001',
      uln: '9276308686',
      uci: 'UCI123',
      legalSurname: "O'Connor",
      legalForename: 'Zoë',
      dateOfBirth: '2014-05-01',
      sex: 'F',
      formerUpn: 'R674123101121',
      preferredSurname: 'Connor',
      preferredForename: 'Zo',
      middleNames: 'Anne Marie',
      ethnicity: 'WIRI',
      enrolStatus: 'C',
      yearGroup: 0,
      firstLanguage: 'POL',
      eal: true,
      medicalFlag: true,
      fsm: true,
      lookedAfter: true,
      careAuthority: '881',
      sen: { provision: 'K', needs: [{ need: 'SEMH', rank: 2 }, { need: 'SLCN', rank: 1 }], startDate: '2023-09-04' },
      address: 'Flat 2, 12 High Street, Old Town, Northtown, NT1 2AB',
      contacts: [
        { order: 1, title: 'Ms', forename: 'Aoife', surname: "O'Connor", relationship: 'PAR', parentalResponsibility: true, phone: '01632 960001', email: 'aoife@example.org' },
        { order: 2, title: 'Mr', forename: 'Sean', surname: "O'Connor", relationship: 'PAR', parentalResponsibility: false, phone: '07700 900123', email: null },
      ],
    });
  });

  it('reads Gender in CTF 24, and AddressLines, ended FSM and no SEN history', () => {
    const xml = ONE_PUPIL(24, `
      <Pupil><UPN>R674123101121</UPN><Surname>Ng</Surname><Forename>Li</Forename><DOB>2013-02-03</DOB><Gender>M</Gender>
        <BasicDetails><NCyearActual>8</NCyearActual><Languages><Type><LanguageType>F</LanguageType><Language>ENB</Language></Type></Languages></BasicDetails>
        <FSMhistory><FSMinstance><FSMstartDate>2020-09-01</FSMstartDate><FSMendDate>2021-07-01</FSMendDate></FSMinstance></FSMhistory>
        <LookedAfter><InCare>false</InCare></LookedAfter>
        <Address><AddressLines><AddressLine1>1 Mill Road</AddressLine1><AddressLine2>Northtown</AddressLine2><County>Northshire</County><Postcode>NT9 9ZZ</Postcode></AddressLines></Address>
      </Pupil>`);
    const parsed = parseCtf(xml, { today });
    const record = parsed.rows[0]!.record!;
    assert.deepEqual(parsed.rows[0]!.problems, []);
    assert.equal(parsed.header.versionNumber, 24);
    assert.equal(record.sex, 'M');
    assert.equal(record.fsm, false);
    assert.equal(record.eal, false);
    assert.equal(record.lookedAfter, false);
    assert.equal(record.careAuthority, null);
    assert.equal(record.sen, undefined, 'no SENhistory leaves the register’s SEN status alone');
    assert.equal(record.contacts, undefined);
    assert.equal(record.registrationGroup, undefined, 'a CTF does not carry registration groups');
    assert.equal(record.address, '1 Mill Road, Northtown, Northshire, NT9 9ZZ');
  });

  it('reads generated files of both versions without a single rejection', () => {
    for (const version of [24, 25] as const) {
      const parsed = parseCtf(makeCtf({ pupils: 200, version }), { today });
      assert.equal(parsed.rows.length, 200);
      assert.deepEqual(parsed.rows.filter((row) => row.problems.length).map((row) => row.problems), []);
      assert.deepEqual(parsed.warnings, []);
      assert.ok(parsed.rows.every((row) => row.record!.sex === 'M' || row.record!.sex === 'F'), `sex read from CTF ${version}`);
      assert.ok(parsed.rows.some((row) => row.record!.sen?.provision === 'E'));
    }
  });

  it('warns about other CTF versions but still reads them', () => {
    const parsed = parseCtf(makeCtf({ pupils: 3, version: 22 }), { today });
    assert.equal(parsed.rows.filter((row) => row.problems.length === 0).length, 3);
    assert.match(parsed.warnings[0]!, /This is CTF version 22\.0\. SENCO Desk reads the current and previous versions \(24 and 25\)/);
  });

  it('rejects pupils with their position, UPN, field and reason, and keeps the rest', () => {
    const xml = makeCtf({
      pupils: 6,
      customise: (pupil, index) => {
        if (index === 1) return { ...pupil, upn: 'X801200005001' };
        if (index === 2) return { ...pupil, uln: '9276308687', sen: { provision: 'K', startDate: '2024-09-01', needs: [] } };
        if (index === 3) return { ...pupil, sen: { provision: 'E', startDate: '2024-09-01', needs: [{ type: 'NSA', rank: 1 }] } };
        if (index === 4) return { ...pupil, sen: { provision: 'K', startDate: '2024-09-01', needs: [{ type: 'ASD', rank: 1 }, { type: 'SLCN', rank: 1 }] } };
        if (index === 5) return { ...pupil, sen: { provision: 'S', startDate: '2016-09-01', needs: [{ type: 'MLD', rank: 1 }] } };
      },
    });
    const parsed = parseCtf(xml, { today });
    const problems = parsed.rows.map((row) => row.problems.map((problem) => `${problem.field}: ${problem.reason}`));
    assert.deepEqual(problems[0], []);
    assert.deepEqual(problems[1], ['UPN: UPN check letter does not match the rest of the UPN ("X801200005001")']);
    assert.equal(parsed.rows[1]!.line, 2);
    assert.equal(parsed.rows[1]!.upn, 'X801200005001');
    assert.deepEqual(problems[2], [
      'UniqueLearnerNumber: ULN check digit does not match ("9276308687")',
      'SENneeds: SEN support needs at least one need: add the primary need',
    ]);
    assert.deepEqual(problems[3], ['SENneeds: NSA (no specialist assessment) can only be used with SEN support (K)']);
    assert.deepEqual(problems[4], ['SENneeds: Each need must have a different rank: rank 1 is used twice']);
    assert.deepEqual(problems[5], [], 'a historic statement (S) is imported as history');
  });

  it('rejects both pupils when a UPN appears twice', () => {
    const base = makeCtf({ pupils: 3 });
    const firstUpn = /<UPN>([^<]+)<\/UPN>/.exec(base)![1]!;
    const duplicated = makeCtf({ pupils: 3, customise: (pupil, index) => (index === 2 ? { ...pupil, upn: firstUpn } : pupil) });
    const parsed = parseCtf(duplicated, { today });
    assert.deepEqual(parsed.rows.map((row) => row.problems.length), [1, 0, 1]);
    assert.equal(parsed.rows[0]!.problems[0]!.reason, `UPN ${firstUpn} appears more than once in the file (pupils 1 and 3)`);
  });
});

describe('hostile and broken files', () => {
  it('refuses an external entity (XXE) before any parser sees it', () => {
    refused(() => parseCtf(fixture('xxe.xml'), { today }), /entity declaration \(<!ENTITY>\)\. CTF files never have one/);
  });

  it('refuses entity expansion (billion laughs)', () => {
    refused(() => parseCtf(fixture('billion-laughs.xml'), { today }), /entity declaration/);
    refused(() => parseCtf('<!DOCTYPE CTfile><CTfile/>', { today }), /document type declaration \(<!DOCTYPE>\)/);
  });

  it('says a truncated file ends early and names the unclosed elements', () => {
    refused(() => parseCtf(fixture('truncated.xml'), { today }), /The file is incomplete: it ends before the XML is finished \(<CTfile>, <CTFpupilData>, <Pupil>, <Surname> are never closed\)/);
  });

  it('names what is missing from a document that is not a CTF', () => {
    refused(() => parseCtf('<?xml version="1.0"?><Register><Pupil/></Register>', { today }), /root element is <Register>, not <CTfile>/);
    refused(() => parseCtf('<CTfile><Header><CTFversion>25</CTFversion></Header></CTfile>', { today }), /missing <CTFpupilData>/);
    refused(() => parseCtf('<CTfile></CTfile>', { today }), /missing <Header> and <CTFpupilData>/);
    refused(() => parseCtf('<CTfile><Header><A>1</B></Header></CTfile>', { today }), /not well-formed XML: .*line 1/);
    refused(() => parseCtf('<CTfile><__proto__><x>1</x></__proto__><Header/><CTFpupilData/></CTfile>', { today }), /could not be read as XML/);
  });

  it('refuses binary data, invalid UTF-8 and UTF-16 text', () => {
    refused(() => decodeText(new Uint8Array([0x3c, 0x43, 0x00, 0x54]), 'ctf'), /binary data \(NUL bytes\)/);
    refused(() => decodeText(new Uint8Array([0x3c, 0x43, 0xff, 0xfe, 0x41]), 'ctf'), /not valid UTF-8 text/);
    refused(() => decodeText(new Uint8Array([0x55, 0x50, 0xc3, 0x28]), 'csv'), /CSV UTF-8/);
    refused(() => decodeText(new Uint8Array([0xff, 0xfe, 0x55, 0x00]), 'csv'), /Unicode \(UTF-16\)/);
    assert.equal(decodeText(new TextEncoder().encode('\uFEFF<CTfile/>'), 'ctf').replace(/^\uFEFF/, ''), '<CTfile/>');
    const latin1 = Uint8Array.from([...new TextEncoder().encode('<?xml version="1.0" encoding="ISO-8859-1"?><a>Zo'), 0xeb, ...new TextEncoder().encode('</a>')]);
    assert.match(decodeText(latin1, 'ctf'), /Zoë/);
  });

  it('tells file kinds apart and refuses the ones it cannot read', () => {
    assert.equal(detectKind('881400_CTF_8814002_001.XML', new TextEncoder().encode('<?xml')), 'ctf');
    assert.equal(detectKind('register.csv', new TextEncoder().encode('UPN,Surname')), 'csv');
    assert.equal(detectKind('register.xlsx', new Uint8Array([0x50, 0x4b, 0x03, 0x04])), 'xlsx');
    assert.equal(detectKind('export', new TextEncoder().encode('  <CTfile>')), 'ctf');
    refused(() => detectKind('register.xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])), /old Excel workbook \(\.xls\)/);
    refused(() => detectKind('register.xlsx', new TextEncoder().encode('UPN,Surname')), /not an Excel workbook/);
    refused(() => detectKind('photo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47])), /cannot import \.png files/);
  });

  it('refuses a workbook whose parts would unpack to far more than a register (zip bomb)', () => {
    // A zip directory claiming one 4 GB part.
    const entry = new Uint8Array(46 + 5);
    const view = new DataView(entry.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint32(20, 1000, true);
    view.setUint32(24, 0xfffffff0, true);
    view.setUint16(28, 5, true);
    entry.set(new TextEncoder().encode('a.xml'), 46);
    const end = new Uint8Array(22);
    const endView = new DataView(end.buffer);
    endView.setUint32(0, 0x06054b50, true);
    endView.setUint16(10, 1, true);
    endView.setUint32(12, entry.length, true);
    endView.setUint32(16, 4, true);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...entry, ...end]);
    refused(() => checkZipDirectory(zip, { maxUnpackedBytes: 100 * 1024 * 1024, maxEntries: 100 }), /would unpack to more than 100 MB/);
    refused(() => checkZipDirectory(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), { maxUnpackedBytes: 1e9, maxEntries: 100 }), /damaged or incomplete/);
  });

  it('decodes the five XML escapes and character references, and nothing else', () => {
    assert.equal(decodeXmlText('St Mary &amp; St John&apos;s &lt;&gt;&quot; &#233;&#xE9;'), 'St Mary & St John\'s <>" éé');
    assert.equal(decodeXmlText('&lol9; &#0; &#x110000;'), '&lol9; &#0; &#x110000;');
  });
});
