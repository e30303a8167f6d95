// How a batch is described to people: the same words on the preview page and from the command line.
import { formatDate, formatDateTime } from '../../platform/dates.ts';
import { formatBytes } from './file-check.ts';
import type { BatchView } from './service.ts';
import { formatNumber } from '../../platform/figures.ts';

/** A CTF's DateTime is the school's local time, written without a zone: shown as written. */
function ctfDateTime(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return value;
  const hour = Number(match[2]);
  return `${formatDate(match[1])} at ${hour % 12 === 0 ? 12 : hour % 12}:${match[3]}${hour < 12 ? 'am' : 'pm'}`;
}

type SummaryRow = { key: { text: string }; value: { text: string }; actions?: { items: Array<{ href: string; text: string; visuallyHiddenText: string }> } };

/** The "About the file" summary list: what the file says about itself, and who uploaded it. */
export function aboutFile(batch: BatchView): SummaryRow[] {
  const s = batch.summary;
  const row = (key: string, value: string): SummaryRow => ({ key: { text: key }, value: { text: value } });
  const rows: SummaryRow[] = [row('File', `${batch.filename} (${formatBytes(s.bytes)})`)];
  if (s.ctf) {
    const ctf = s.ctf;
    rows.push(row('Type', `${batch.kindLabel}${ctf.version ? `, version ${ctf.version}` : ''}`));
    const school = (entry: typeof ctf.source, withName: boolean) => {
      const ids = [entry.urn ? `URN ${entry.urn}` : '', entry.lea && entry.estab ? `LA ${entry.lea}, establishment ${entry.estab}` : ''].filter(Boolean).join('; ');
      const name = withName ? entry.name : null;
      if (name && ids) return `${name} (${ids})`;
      return name || ids || 'Not given';
    };
    rows.push(row('Source school', school(ctf.source, true)));
    rows.push(row('Destination school', school(ctf.dest, true)));
    if (ctf.source.academicYear) rows.push(row('Academic year', ctf.source.academicYear));
    if (ctf.dateTime) rows.push(row('File created', ctfDateTime(ctf.dateTime)));
    if (ctf.qualifier) {
      const qualifier = ctf.qualifier.toLowerCase();
      rows.push(row('Contents', qualifier === 'full' ? 'All pupils (full)' : qualifier === 'partial' ? 'Some pupils (partial)' : ctf.qualifier));
    }
  } else {
    rows.push(row('Type', batch.kindLabel));
    if (s.spreadsheet) {
      rows.push(row('Rows of pupils', formatNumber(s.spreadsheet.rows)));
      if (batch.status === 'previewed') {
        rows.push({
          ...row('Columns', s.spreadsheet.mappingRemembered && s.spreadsheet.mappingSavedAt ? `Matched using the choices saved on ${formatDateTime(s.spreadsheet.mappingSavedAt)}` : 'Matched as you chose'),
          actions: { items: [{ href: `/imports/${batch.id}/mapping`, text: 'Change', visuallyHiddenText: 'how the columns are matched' }] },
        });
      }
    }
  }
  rows.push(row('Uploaded', `${formatDateTime(batch.createdAt)} by ${s.actorLabel}`));
  return rows;
}

/** A, B, … Z, AA: how a spreadsheet names its columns. */
export function columnLetter(index: number): string {
  let letters = '';
  let value = index + 1;
  while (value > 0) {
    const remainder = (value - 1) % 26;
    letters = String.fromCharCode(65 + remainder) + letters;
    value = Math.floor((value - 1) / 26);
  }
  return letters;
}

