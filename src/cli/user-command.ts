import { randomInt } from 'node:crypto';
import { findUserByEmail } from '../platform/auth/repository.ts';
import { createUser, resetPassword } from '../platform/auth/service.ts';
import { isRole, ROLE_LABELS, ROLES } from '../platform/permissions.ts';
import { cliActorLabel, cliContext, DATABASE_OPTION, openDatabase, parseCommand, required, resolveSchool, UsageError, type CliIo } from './support.ts';

const ROLE_LIST = ROLES.map((role) => `${role} (${ROLE_LABELS[role]})`).join(', ');

export const usage = `Usage:
  npm run senco -- user add --email E --name N --school URN_OR_NAME --role ROLE [--password P]
  npm run senco -- user reset-password --email E [--password P]

user add creates an account with a role in a school, or gives an existing account a role there.
Without --password a new account gets a strong random password, printed once: pass it on securely.
An existing account keeps its password unless --password is given.
user reset-password sets a new password (random unless given) and signs the account out everywhere.

Roles: ${ROLE_LIST}.
Both take --database URL_OR_FILE (default: DATABASE_URL, else DATA_DIR).`;

// Letters and digits that cannot be mistaken for one another (no 0/O, 1/l/I): 24 of them is ~140 bits.
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

function strongPassword(): string {
  return Array.from({ length: 24 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, {
    ...DATABASE_OPTION,
    email: { type: 'string' },
    name: { type: 'string' },
    school: { type: 'string' },
    role: { type: 'string' },
    password: { type: 'string' },
  });
  const [action, ...extra] = positionals;
  if (extra.length) throw new UsageError(`Unexpected "${extra.join(' ')}"`);
  if (action === 'add') return add(io, values);
  if (action === 'reset-password') return reset(io, values);
  throw new UsageError(action ? `"${action}" is not a user action: use add or reset-password` : 'Say what to do: user add or user reset-password');
}

async function add(io: CliIo, values: { email?: string; name?: string; school?: string; role?: string; password?: string; database?: string }): Promise<number> {
  const email = required(values.email, 'email').toLowerCase();
  const roleText = required(values.role, 'role');
  if (!isRole(roleText)) throw new UsageError(`"${roleText}" is not a role. Valid roles: ${ROLE_LIST}`);
  const schoolText = required(values.school, 'school');
  const { database } = await openDatabase(io, { database: values.database, migrate: true });
  try {
    const school = await resolveSchool(database, schoolText);
    const existing = await findUserByEmail(database.db, email);
    const name = values.name?.trim() || existing?.display_name;
    if (!name) throw new UsageError('--name is required for a new account');
    const generated = values.password === undefined && !existing ? strongPassword() : undefined;
    const password = values.password ?? generated ?? null;
    await createUser(cliContext(io, database), { email, displayName: name, password, schoolId: school.id, role: roleText, actorLabel: cliActorLabel() });
    const where = `${ROLE_LABELS[roleText]} at ${school.name}`;
    if (existing) {
      io.stdout(`${email} already had an account: it now has the role ${where}. ${values.password === undefined ? 'Its password is unchanged.' : 'Its password was changed.'}\n`);
    } else {
      io.stdout(`Created the account ${email} (${name}) with the role ${where}.\n`);
    }
    if (generated) io.stdout(`Password (shown once, pass it on securely): ${generated}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

async function reset(io: CliIo, values: { email?: string; password?: string; database?: string }): Promise<number> {
  const email = required(values.email, 'email').toLowerCase();
  const generated = values.password === undefined ? strongPassword() : undefined;
  const { database } = await openDatabase(io, { database: values.database, migrate: true });
  try {
    await resetPassword(cliContext(io, database), { email, password: values.password ?? generated!, actorLabel: cliActorLabel() });
    io.stdout(`Reset the password of ${email} and signed it out everywhere.\n`);
    if (generated) io.stdout(`New password (shown once, pass it on securely): ${generated}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
