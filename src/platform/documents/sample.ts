import { deflateSync } from 'node:zlib';
import { bold, bullets, heading, italic, pageBreak, paragraph, summary, table, type DocumentModel } from './model.ts';

/*
 * An invented SEN support plan used by the tests and for looking at the renderers' output: accented
 * names, every kind of block, and a table long enough to run over three pages.
 */

export const SAMPLE_PUPIL = 'Zoë Ó Briain-Wójcik';
export const SAMPLE_SCHOOL = 'St Aidan’s Church of England Primary School';
export const SAMPLE_TABLE_ROWS = 70;

const STAFF = ['Mrs Ngozi Adébáyọ̀', 'Mr Łukasz Nowak', 'Ms Ioana Ștefănescu', 'Mr Emre Güneş', 'Miss Siân Pritchard'];
const INTERVENTIONS = ['Precision teaching – reading', 'Speech and language group', 'Fine motor skills', 'Zones of Regulation', 'Numicon maths'];

export function sampleSessions(count = SAMPLE_TABLE_ROWS): string[][] {
  return Array.from({ length: count }, (_, index) => {
    const day = new Date(Date.UTC(2026, 8, 7 + index * 2));
    const date = day.toISOString().slice(0, 10);
    const note =
      index % 9 === 4
        ? 'Zoë was tired after the trip and found the new sounds hard; we went back to the cards she knows – she finished the session smiling and asked to take the “ai” card home to show her dad.'
        : index % 3 === 0
          ? 'Met the target: read 9/10 words without help.'
          : 'Attended; worked well.';
    return [date, INTERVENTIONS[index % INTERVENTIONS.length]!, STAFF[index % STAFF.length]!, note, String(20 + (index % 4) * 5)];
  });
}

export function sampleDocument(options: { logo?: boolean } = {}): DocumentModel {
  return {
    title: 'SEN support plan',
    subtitle: `${SAMPLE_PUPIL} · Year 4 · Cycle 2, spring term 2027`,
    subject: 'SEN support plan',
    schoolName: SAMPLE_SCHOOL,
    ...(options.logo === false ? {} : { logo: { data: samplePngLogo(), type: 'png' as const } }),
    created: new Date('2027-01-15T09:30:00Z'),
    blocks: [
      summary([
        { key: 'Pupil', value: SAMPLE_PUPIL },
        { key: 'Date of birth', value: '3 May 2018' },
        { key: 'Primary need', value: 'Speech, language and communication needs (SLCN)' },
        { key: 'SENCO', value: 'Mrs Amélie Fontaine-Dubois' },
        { key: 'Next review', value: [bold('27 March 2027'), ' (termly)'] },
      ]),
      heading('About me'),
      paragraph([
        'In Zoë’s own words: ',
        italic('“I like drawing dragons and I’m good at remembering stories. I don’t like it when it’s noisy – it makes my head feel full.”'),
      ]),
      heading('What helps me'),
      bullets([
        'Instructions given one at a time, with a picture to look back at.',
        ['A ', bold('quiet space'), ' to go to when the classroom is loud (the reading corner).'],
        'Being told about changes to the day before they happen – e.g. a supply teacher or a trip.',
        'Extra time to answer: count to ten before asking again.',
      ]),
      heading('Outcomes', 2),
      table({
        caption: 'Targets for this cycle',
        headers: ['Target', 'Success criterion', 'By'],
        rows: [
          ['Zoë will read the 45 phase 3 words', 'Reads 40 of 45 words in two sessions running', '27 Mar 2027'],
          ['Zoë will ask for help using her help card', 'Uses the card without a prompt 4 times in a week', '27 Mar 2027'],
          ['Zoë will write two sentences about a picture', 'Two sentences with capital letters and full stops, independently', '27 Mar 2027'],
        ],
      }),
      heading('Sessions this term', 3),
      paragraph('Every session recorded by the staff who ran it, with their notes.', 'secondary'),
      table({
        caption: 'Intervention sessions',
        headers: ['Date', 'Intervention', 'Staff', 'Notes', 'Minutes'],
        numeric: [false, false, false, false, true],
        rows: sampleSessions(),
      }),
      pageBreak(),
      heading('Parents’ and carers’ views'),
      paragraph('Mr Wójcik said: “She loves the dragon books – can she bring some home?”'),
      paragraph(['Signed: ', bold('Mrs Amélie Fontaine-Dubois'), ', SENCO – 15 January 2027']),
    ],
  };
}

/** A small logo drawn in code (a shield in two blues), encoded as PNG. */
export function samplePngLogo(size = 96): Uint8Array {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x += 1) {
      const u = (x + 0.5) / size - 0.5;
      const v = (y + 0.5) / size;
      const half = v < 0.6 ? 0.42 : 0.42 * Math.sqrt(Math.max(0, 1 - ((v - 0.6) / 0.4) ** 2));
      const inside = Math.abs(u) <= half && v > 0.04 && v < 0.98;
      const cross = inside && (Math.abs(u) < 0.06 || Math.abs(v - 0.42) < 0.06);
      const [r, g, b, a] = !inside ? [0, 0, 0, 0] : cross ? [255, 221, 0, 255] : u < 0 ? [29, 112, 184, 255] : [0, 48, 120, 255];
      row.set([r, g, b, a], 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return new Uint8Array(
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]),
  );
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
