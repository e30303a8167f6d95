// `senco parent link`: a parent's account linked to their child's contact, as under School settings.
import * as settings from '../features/settings/service.ts';
import { cliActorLabel, cliContext, DATABASE_OPTION, openDatabase, parseCommand, required, resolveSchool, UsageError, type CliIo } from './support.ts';

export const usage = `Usage:
  npm run senco -- parent link --school URN --upn UPN --email EMAIL [--name "CONTACT NAME"]

Links a contact with parental responsibility for the pupil with this UPN to the parent account with
this email address, so the parent sees the child when they sign in. The contact is the one named by
--name (forename and surname, or surname), or else the first whose email address on record is EMAIL.
If no account has the email address, one is created with the contact's name and the parent role at
the school, and its generated password is printed once; an existing account keeps its password.

  --database URL_OR_FILE (default: DATABASE_URL, else DATA_DIR)`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, {
    ...DATABASE_OPTION,
    school: { type: 'string' },
    upn: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
  });
  const [action, ...extra] = positionals;
  if (action !== 'link') throw new UsageError(action ? `"${action}" is not a parent action: use link` : 'Say what to do: parent link');
  if (extra.length) throw new UsageError(`Unexpected "${extra.join(' ')}"`);
  const upn = required(values.upn, 'upn');
  const email = required(values.email, 'email');
  const { database } = await openDatabase(io, { database: values.database, migrate: true });
  const ctx = cliContext(io, database);
  try {
    const school = await resolveSchool(database, values.school);
    const actor: settings.SettingsActor = { schoolId: school.id, userId: null, label: cliActorLabel(), ip: null };
    const linked = await settings.linkParentByUpn(ctx, actor, { upn, email, name: values.name });
    const who = `${linked.contact.pupilName}’s contact ${linked.contact.name}`;
    if (linked.alreadyLinked) {
      io.stdout(`${who} is already linked to the account ${linked.email}: nothing was changed.\n`);
    } else if (linked.created) {
      io.stdout(`Created the account ${linked.email} (${linked.displayName}) with the parent role at ${school.name}, and linked ${who} to it.\n`);
      io.stdout(`Password (shown once, pass it on securely): ${linked.password}\n`);
    } else {
      io.stdout(
        `Linked ${who} to the existing account ${linked.email}` +
          `${linked.grantedRole ? `, which now has the parent role at ${school.name}` : ''}. Its password is unchanged.\n`,
      );
    }
    return 0;
  } finally {
    // Reads are audited in the background: write them before the database closes.
    await ctx.audit.flush().catch(() => undefined);
    await database.close();
  }
}
