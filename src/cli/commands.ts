// The registration point for `senco` commands: one line each, in the order `senco help` lists them.
// A command is a module in this folder that exports `usage` (text) and `run(args, io)` (see
// CommandModule in support.ts); it is loaded only when it runs. To add one, write the module and add:
//   name: { summary: 'One line for senco help', load: () => import('./name-command.ts') },
import type { CommandEntry } from './support.ts';

export const COMMANDS: Record<string, CommandEntry> = {
  migrate: { summary: 'Bring the database schema up to date', load: () => import('./migrate-command.ts') },
  demo: { summary: 'Create the demo schools (Riverside Academy and Millbrook Primary School)', load: () => import('./demo-command.ts') },
  school: { summary: 'Add a school (name, URN, LAESTAB, LA, phase), or list the schools', load: () => import('./school-command.ts') },
  user: { summary: 'Add an account or give it a role in a school; reset a password', load: () => import('./user-command.ts') },
  import: { summary: 'Check a CTF, CSV or XLSX file and show what importing it would do; import it with --commit', load: () => import('./import-command.ts') },
  groups: { summary: 'Check class lists (CSV) and show what importing them would do; import them with --commit', load: () => import('./groups-command.ts') },
  parent: { summary: "Link a parent's account (made if needed) to their child's contact", load: () => import('./parent-command.ts') },
  export: { summary: "Export a school's SEN register as CSV", load: () => import('./export-command.ts') },
  backup: { summary: 'Copy the SQLite database to a file, safely while the app runs', load: () => import('./backup-command.ts') },
  audit: { summary: 'Check that the audit trail has not been altered', load: () => import('./audit-command.ts') },
};
