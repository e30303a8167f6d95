// `senco import FILE`: the same preview as the web page, printed; applied only with --commit.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { ValidationError } from '../platform/errors.ts';
import { formatBytes } from '../features/imports/file-check.ts';
import { TARGET_FIELDS } from '../features/imports/mapping.ts';
import { aboutFile } from '../features/imports/present.ts';
import * as imports from '../features/imports/service.ts';
import { CliError, cliActorLabel, cliContext, DATABASE_OPTION, openDatabase, parseCommand, readFileWithin, resolveSchool, UsageError, wholeNumber, type CliIo } from './support.ts';
import { formatNumber } from '../platform/figures.ts';

export const usage = `Usage:
  npm run senco -- import FILE [--school URN] [--commit] [--mapping MAPPING.json] [--show N]

Checks a Common Transfer File (.xml, CTF 24 or 25) or a register spreadsheet (.csv or .xlsx) and
prints what importing it would do: the file's source school and version, how many pupils are new,
changed, unchanged or rejected, each rejected row with its line, field and reason, and the changes.
Nothing is saved unless --commit is given; then everything is imported in one transaction.

  --school URN       the school to import into (may be left out when the database has one school)
  --commit           import the valid pupils; rejected rows are skipped
  --mapping FILE     for a spreadsheet, a JSON object naming the column for each field, by heading
                     or by column number from 1, e.g. {"legalSurname": "Surname", "dateOfBirth": "DOB"}.
                     Without it, the mapping saved for the same headings is used, else one is
                     suggested from the headings (and printed).
  --show N           how many rejected and changed rows to list (default 50)
  --database URL_OR_FILE (default: DATABASE_URL, else DATA_DIR)

Fields: ${TARGET_FIELDS.map((field) => field.key).join(', ')}.`;

const number = formatNumber;

function readMappingFile(file: string): imports.MappingInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the mapping file ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('it must be a JSON object');
    for (const value of Object.values(parsed)) {
      if (typeof value !== 'string' && typeof value !== 'number' && value !== null) throw new Error('each value must be a column heading or a column number');
    }
    return parsed as imports.MappingInput;
  } catch (error) {
    throw new UsageError(`The mapping file ${file} is not usable: ${(error as Error).message}`);
  }
}

function printPreview(io: CliIo, view: imports.BatchView, show: number, schoolName: string): void {
  const out = (line = '') => io.stdout(`${line}\n`);
  for (const row of aboutFile(view)) if (row.key.text !== 'Uploaded' && row.key.text !== 'Columns') out(`${`${row.key.text}:`.padEnd(20)}${row.value.text}`);
  out(`${'Importing into:'.padEnd(20)}${schoolName}`);
  for (const warning of view.summary.warnings) out(`\nWarning: ${warning}`);
  const counts = view.summary.counts;
  if (!counts) return;
  const ctf = view.kind === 'ctf';
  out(`\nPupils in the file: ${number(counts.total)}`);
  out(`  New        ${number(counts.new).padStart(7)}`);
  out(`  Changed    ${number(counts.changed).padStart(7)}`);
  out(`  Unchanged  ${number(counts.unchanged).padStart(7)}`);
  out(`  Rejected   ${number(counts.rejected).padStart(7)}${counts.rejected ? ' (will be skipped)' : ''}`);
  const ref = (line: number) => (ctf ? `Pupil ${line}` : `Row ${line}`);
  if (view.rejectedTotal) {
    out(`\nRejected ${ctf ? 'pupils' : 'rows'} (line, UPN, name, field: reason):`);
    for (const row of view.rejected.slice(0, show)) {
      for (const problem of row.problems) out(`  ${ref(row.line).padEnd(11)} ${(row.upn ?? '-').padEnd(14)} ${row.name || '(no name)'} — ${problem.field}: ${problem.reason}`);
    }
    if (view.rejectedTotal > show) out(`  … and ${number(view.rejectedTotal - show)} more (--show ${view.rejectedTotal} lists them all)`);
  }
  if (view.changedTotal) {
    out('\nChanged pupils (line, UPN, name: what changes):');
    for (const entry of view.changed.slice(0, show)) out(`  ${ref(entry.line).padEnd(11)} ${(entry.upn ?? '-').padEnd(14)} ${entry.name}: ${entry.changes.join(', ')}`);
    if (view.changedTotal > show) out(`  … and ${number(view.changedTotal - show)} more (--show ${view.changedTotal} lists them all)`);
  }
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, {
    ...DATABASE_OPTION,
    school: { type: 'string' },
    commit: { type: 'boolean' },
    mapping: { type: 'string' },
    show: { type: 'string' },
  });
  const [file, ...extra] = positionals;
  if (!file) throw new UsageError('Name the file to import: senco import FILE');
  if (extra.length) throw new UsageError(`Unexpected "${extra.join(' ')}": import one file at a time`);
  const show = wholeNumber(values.show, 'show', { min: 0, max: 1_000_000 }) ?? 50;
  const mapping = values.mapping ? readMappingFile(values.mapping) : undefined;
  const config = loadConfig(io.env);
  const bytes = readFileWithin(file, config.importMaxBytes);

  const { database } = await openDatabase(io, { database: values.database, migrate: true });
  try {
    const school = await resolveSchool(database, values.school);
    const ctx = cliContext(io, database);
    const actor: imports.ImportActor = { schoolId: school.id, userId: null, label: cliActorLabel(), ip: null };
    const started = performance.now();
    let preview;
    try {
      preview = await imports.previewImport(ctx, actor, { filename: path.basename(file), bytes, ...(mapping ? { mapping } : {}) });
    } catch (error) {
      if (error instanceof imports.ImportFileError) throw new CliError(`${path.basename(file)} was not imported: ${error.message}`);
      throw error;
    }
    if (preview.summary.kind !== 'ctf') {
      // A spreadsheet: show which column feeds each field. With no mapping given or saved for these
      // headings, the one suggested from the headings is used.
      const form = await imports.getMappingForm(ctx, actor, preview.batchId);
      const source = mapping ? 'as given in the mapping file' : preview.summary.spreadsheet?.mappingRemembered ? 'as saved for these headings' : 'from their headings';
      io.stdout(`Columns matched ${source}:\n`);
      for (const entry of imports.describeMapping(form.mapping, form.headers)) io.stdout(`  ${entry.key.padEnd(18)} ← "${entry.column}"\n`);
      io.stdout('\n');
      if (preview.status === 'uploaded') {
        try {
          await imports.applyMapping(ctx, actor, preview.batchId, form.mapping);
        } catch (error) {
          await imports.discardImport(ctx, actor, preview.batchId);
          if (error instanceof ValidationError) {
            throw new UsageError(
              `The columns could not all be matched from their headings:\n${error.errors.map((entry) => `  ${entry.message}`).join('\n')}\n` +
                `The file's headings: ${form.headers.map((header) => `"${header}"`).join(', ')}.\nWrite a mapping file and pass it with --mapping.`,
            );
          }
          throw error;
        }
      }
    }
    const view = await imports.getImport(ctx, actor, preview.batchId, Math.max(show, 1));
    const checkedMs = performance.now() - started;
    printPreview(io, view, show, `${school.name}${school.urn ? ` (URN ${school.urn})` : ''}`);
    io.stdout(`\nChecked ${formatBytes(bytes.length)} in ${number(Math.round(checkedMs))} ms.\n`);
    if (!values.commit) {
      await imports.discardImport(ctx, actor, preview.batchId);
      io.stdout('Nothing was imported: this was a preview. Run the same command with --commit to import.\n');
      await ctx.audit.flush();
      return 0;
    }
    const committing = performance.now();
    const result = await imports.confirmImport(ctx, actor, preview.batchId);
    const committedMs = performance.now() - committing;
    io.stdout(
      `Imported in ${number(Math.round(committedMs))} ms: ${number(result.created)} new, ${number(result.updated)} updated, ${number(result.unchanged)} unchanged` +
        `${result.skipped ? `, ${number(result.skipped)} rejected ${view.kind === 'ctf' ? 'pupils' : 'rows'} skipped` : ''}.\n`,
    );
    await ctx.audit.flush();
    return 0;
  } finally {
    await database.close();
  }
}

