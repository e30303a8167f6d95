// `senco groups import FILE`: class lists from CSV, with the same preview and rules as School settings.
import { loadConfig } from '../config.ts';
import * as settings from '../features/settings/service.ts';
import { CLASS_LIST_HEADINGS } from '../features/settings/class-lists.ts';
import { CliError, cliActorLabel, cliContext, DATABASE_OPTION, openDatabase, parseCommand, readFileWithin, resolveSchool, UsageError, wholeNumber, type CliIo } from './support.ts';
import { formatNumber } from '../platform/figures.ts';

export const usage = `Usage:
  npm run senco -- groups import FILE --school URN [--commit] [--show N]

Reads class lists from a CSV file, one row per pupil in a group, with the headings
  ${CLASS_LIST_HEADINGS.join(', ')}
(kind is registration or teaching; staff emails are separated by ;) and prints what importing it
would do: groups created and changed, pupils and staff added and taken out, and every rejected row
with its line, field and reason. For each group it names, the file is the whole list. Nothing is
saved unless --commit is given; then everything is applied in one transaction.

  --school URN   the school (may be left out when the database has one school)
  --commit       apply the changes; rejected rows are skipped
  --show N       how many rejected rows and changed groups to list (default 50)
  --database URL_OR_FILE (default: DATABASE_URL, else DATA_DIR)`;

const number = formatNumber;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, {
    ...DATABASE_OPTION,
    school: { type: 'string' },
    commit: { type: 'boolean' },
    show: { type: 'string' },
  });
  const [action, file, ...extra] = positionals;
  if (action !== 'import') throw new UsageError(action ? `"${action}" is not a groups action: use import` : 'Say what to do: groups import FILE');
  if (!file) throw new UsageError('Name the file to import: senco groups import FILE');
  if (extra.length) throw new UsageError(`Unexpected "${extra.join(' ')}": import one file at a time`);
  const show = wholeNumber(values.show, 'show', { min: 0, max: 1_000_000 }) ?? 50;
  const config = loadConfig(io.env);
  const bytes = readFileWithin(file, config.importMaxBytes);

  const { database } = await openDatabase(io, { database: values.database, migrate: true });
  const ctx = cliContext(io, database);
  try {
    const school = await resolveSchool(database, values.school);
    const actor: settings.SettingsActor = { schoolId: school.id, userId: null, label: cliActorLabel(), ip: null };
    let preview;
    try {
      preview = await settings.previewClassLists(ctx, actor, { filename: file, bytes });
    } catch (error) {
      if (error instanceof settings.ImportFileError) throw new CliError(`${file} was not imported: ${error.message}`);
      throw error;
    }
    const view = await settings.getClassListImport(ctx, actor, preview.batchId, show);
    const out = (line = '') => io.stdout(`${line}\n`);
    const counts = preview.plan.counts;
    out(`Importing into:     ${school.name}`);
    for (const warning of preview.summary.warnings) out(`Warning: ${warning}`);
    out(`\nRows of pupils: ${number(counts.rows)}`);
    out(`  Groups new        ${number(counts.newGroups).padStart(7)}`);
    out(`  Groups changed    ${number(counts.changedGroups).padStart(7)}`);
    out(`  Groups unchanged  ${number(counts.unchangedGroups).padStart(7)}`);
    out(`  Pupils added      ${number(counts.pupilsAdded).padStart(7)}`);
    out(`  Pupils taken out  ${number(counts.pupilsRemoved).padStart(7)}`);
    out(`  Staff added       ${number(counts.staffAdded).padStart(7)}`);
    out(`  Staff taken off   ${number(counts.staffRemoved).padStart(7)}`);
    out(`  Rows rejected     ${number(counts.rejected).padStart(7)}${counts.rejected ? ' (will be skipped)' : ''}`);
    const plan = view.plan;
    if (plan?.rejectedTotal) {
      out('\nRejected rows (line, group, UPN, field: reason):');
      for (const row of plan.rejected) {
        for (const problem of row.problems) out(`  Line ${String(row.line).padEnd(6)} ${(row.group || '-').padEnd(12)} ${(row.upn || '-').padEnd(14)} ${problem.field}: ${problem.reason}`);
      }
      if (plan.rejectedTotal > plan.rejected.length) out(`  … and ${number(plan.rejectedTotal - plan.rejected.length)} more (--show ${plan.rejectedTotal} lists them all)`);
    }
    if (plan?.groups.length) {
      out('\nGroups to create or change:');
      for (const group of plan.groups) {
        const parts = [
          ...group.detailChanges.map((change) => `details: ${change}`),
          group.pupilsAdded ? `+${number(group.pupilsAdded)} pupil${group.pupilsAdded === 1 ? '' : 's'}` : '',
          group.pupilsRemoved.length ? `taken out: ${group.pupilsRemoved.join(', ')}` : '',
          group.staffAdded.length ? `staff added: ${group.staffAdded.join(', ')}` : '',
          group.staffRemoved.length ? `staff taken off: ${group.staffRemoved.join(', ')}` : '',
          group.removalsHeldBack ? 'nobody taken out (a row was rejected)' : '',
        ].filter(Boolean);
        out(`  ${group.outcome === 'new' ? 'New    ' : 'Changed'} ${group.name}: ${parts.join('; ') || 'created empty'}`);
      }
      if (plan.groupsTotal > plan.groups.length) out(`  … and ${number(plan.groupsTotal - plan.groups.length)} more`);
    }
    if (!values.commit) {
      out(`\nNothing was imported: this was a preview. Run again with --commit to import${counts.rejected ? ` (the ${number(counts.rejected)} rejected rows will be skipped)` : ''}.`);
      return 0;
    }
    const result = await settings.confirmClassListImport(ctx, actor, preview.batchId);
    out(
      `\nImported: ${number(result.groupsCreated)} groups created, ${number(result.groupsUpdated)} changed; ${number(result.pupilsAdded)} pupils added, ` +
        `${number(result.pupilsRemoved)} taken out; ${number(result.staffAdded)} staff added, ${number(result.staffRemoved)} taken off` +
        `${result.skipped ? `; ${number(result.skipped)} rejected rows skipped` : ''}.`,
    );
    return 0;
  } finally {
    // Reads are audited in the background: write them before the database closes.
    await ctx.audit.flush().catch(() => undefined);
    await database.close();
  }
}
