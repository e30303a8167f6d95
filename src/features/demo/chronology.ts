// A year of meetings, actions, calls, emails, agency work and referrals for the demo school's pupils
// with SEN, so the Meetings and Chronology tabs, "My tasks" and the three-meetings page mean something
// on first start. Most parents of pupils on SEN support meet the school two to four times a year; a
// few are hard to reach (calls go unanswered), so the three-meetings page has names on it. Review
// meetings follow the plan cycles the plans demo wrote earlier in the same transaction, when there are
// any. Actions go to the demo SENCO, teachers who teach the pupil and teaching assistants: most done,
// some open, a few overdue. Deterministic: the same school, seed and date give the same records.
import type { DbOrTransaction } from '../../db/database.ts';
import { newId } from '../../platform/ids.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import * as repository from '../chronology/repository.ts';
import { schoolYearOf } from '../chronology/rules.ts';
import { mulberry32, type DemoPupil, type DemoSchoolData } from './generator.ts';
import { DAY_MS, toDays, fromDays, drawsFrom } from './helpers.ts';

export interface DemoChronologyCounts {
  meetings: number;
  actions: number;
  entries: number;
}

export interface DemoChronologyRows {
  meetings: repository.MeetingRow[];
  actions: repository.ActionRow[];
  entries: repository.EntryRow[];
}

/** A plan cycle the plans demo wrote: its review is a review meeting. */
export interface DemoCycle {
  id: string;
  pupil_id: string;
  number: number;
  status: string;
  started_on: string;
  reviewed_on: string | null;
}

/** Meetings and calls happen on school days: a weekend date moves to the Monday after. */
function weekday(days: number): number {
  const day = new Date(Math.round(days) * DAY_MS).getUTCDay();
  return day === 6 ? days + 2 : day === 0 ? days + 1 : days;
}

type Area = 'learning' | 'communication' | 'semh' | 'physical';
function areaOf(pupil: DemoPupil): Area {
  const need = pupil.sen.needs.find((entry) => entry.rank === 1)?.need ?? 'MLD';
  if (['SLCN', 'ASD'].includes(need)) return 'communication';
  if (need === 'SEMH') return 'semh';
  if (['VI', 'HI', 'MSI', 'PD'].includes(need)) return 'physical';
  return 'learning';
}

const STRATEGY: Record<Area, string[]> = {
  learning: ['pre-teaching key vocabulary before each topic', 'a reading ruler and coloured overlay', 'chunking written tasks with a checklist', 'Lexia three times a week', 'writing frames in English and humanities'],
  communication: ['a visual timetable and warnings before changes', 'instructions given one at a time and checked back', 'a quiet space to go to at break', 'Talk Boost sessions', 'a named adult to check in with each morning'],
  semh: ['a daily check-in with a trusted adult', 'a time-out card and a calm space', 'ELSA sessions each week', 'a reduced timetable for the first lesson', 'a worry book to share at home and school'],
  physical: ['seating near the front with good light', 'enlarged print for handouts', 'extra time to move between lessons', 'a laptop for longer writing', 'the fine motor skills group'],
};

const PARENT_NOTES = [
  '{parent} said {name} has been happier coming to school this term and talks about {strategy} at home. Homework is still a struggle: {name} is tired by the evening. Agreed to keep homework to twenty minutes and let {parent} write a note if it is not finished.',
  'Start-of-year meeting. {parent} shared that {name} was anxious over the summer about the new class. We went through the support plan together and explained {strategy}. {parent} asked to be told early if anything changes.',
  '{parent} raised concerns that {name} is not getting on with classmates at lunch. Staff have noticed the same. Agreed to try {strategy} and to talk again in four weeks.',
  'Parents’ evening. {parent} was pleased with progress in reading. Talked about what helps at home: short, regular practice rather than long sessions. {name} joined the end of the meeting and said what helps most is {strategy}.',
  '{parent} asked what support {name} will have for the tests in the summer. Explained access arrangements and that evidence is being gathered. {parent} agreed to share the letter from the optician.',
  'Meeting at {parent}’s request after a difficult week. {name} had two incidents at break. Talked through triggers; {parent} said mornings at home have been hard. Agreed {strategy} and a phone call on Friday to see how the week ended.',
  'Catch-up on the plan. {name} has met the spelling target and is close on the maths target. {parent} feels {strategy} is working and asked that it carries on. No changes to the plan for now.',
];

const REVIEW_NOTES = [
  'Review of the SEN support plan. {name} has made good progress on two of the three targets. {parent} and {name} both said {strategy} helps. Targets updated for next term; the reading target carries forward.',
  'Termly review. Progress is slower than hoped on the writing target. Discussed adding {strategy}. {parent} agreed and will practise at home. {name}’s views were shared from the pupil contribution form.',
  'Review meeting. {name} has settled well and the attendance concern has eased. All targets reviewed; one achieved, two partly achieved. Agreed to continue {strategy} and to review again next term.',
  'Review with {parent}. Assessment results show small steps of progress in reading age. {parent} asked whether an educational psychologist should see {name}; agreed to discuss at the next planning meeting.',
];

const REVIEW_WITHOUT_PARENTS = 'Review of the SEN support plan. {parent} was invited but could not come; {name}’s views were gathered beforehand. Targets reviewed and updated; agreed to continue {strategy}. The SENCO will phone {parent} to go through the changes.';

const INTERNAL_NOTES = [
  'Staff planning meeting (SENCO, class teacher, teaching assistant) to agree how {strategy} will run this half term. Timetable checked for clashes.',
  'Internal meeting to look at the evidence for an EHC needs assessment request: assessment results, the last two plan reviews and the educational psychologist’s advice. Not ready yet: one more cycle first.',
  'Staff discussion after a safeguarding-neutral incident at break. Agreed consistent responses across lessons and {strategy}.',
];

const MULTI_AGENCY_NOTES = [
  'Team around the child meeting. The educational psychologist shared her observations; the speech and language therapist recommended {strategy}. {parent} agreed to the plan. Next meeting in six weeks.',
  'Multi-agency meeting with early help and the school nurse. {parent} described the support at home. Agreed who will do what; school will continue {strategy}.',
];

const ACTIONS = [
  'Send home the visual timetable used in class',
  'Share the updated plan with every teacher who teaches {name}',
  'Update the pupil passport with what {name} said',
  'Arrange a check-in with {name} every Monday',
  'Move {name}’s seat nearer the front in English and maths',
  'Send {parent} the Local Offer and SENDIASS details',
  'Set up Lexia at home and send the log-in details',
  'Gather evidence for access arrangements (extra time)',
  'Ask the educational psychology service for a consultation',
  'Book the next review meeting and invite {parent}',
  'Send a copy of the reading record to {parent} each Friday',
  'Try a time-out card in science and report back',
];

const CALLS = [
  ['Phoned {parent} to arrange the review meeting', null],
  ['{parent} phoned, worried about {name} before the school trip', 'Talked through the plan for the day and who will be with {name}. {parent} reassured.'],
  ['Tried to phone {parent} to arrange a meeting: no answer, left a message', null],
  ['Phoned {parent} after a difficult lunchtime', '{name} was upset after a falling-out. Settled by the end of the day. {parent} will talk to {name} tonight.'],
  ['Phoned {parent} with good news about reading', '{name} moved up a reading band this week.'],
] as const;

const EMAILS = [
  ['Emailed {parent} the updated plan and targets', null],
  ['Email from {parent} about homework', '{parent} says homework takes over an hour most nights. Passed to the class teacher; agreed to reduce it.'],
  ['Emailed {parent} the invitation to the review meeting', null],
  ['Email from {parent} with the letter from the paediatrician', 'Letter saved to the pupil’s documents.'],
] as const;

const AGENCY_WORK: Record<Area, Array<[string, string, string]>> = {
  learning: [['Educational psychology service', 'Educational psychologist observed {name} in maths and English', 'Working memory is a relative weakness. Recommended pre-teaching, reducing copying from the board, and checking understanding with short questions.']],
  communication: [
    ['Speech and language therapy', 'Speech and language therapist assessed {name} in school', 'Expressive language about two years behind; understanding is better. Programme of targets sent to school: six weeks of small-group work, then review.'],
    ['Educational psychology service', 'Educational psychologist consultation with staff about {name}', 'Discussed sensory needs and transitions. Advice: warnings before changes and a quiet space at break.'],
  ],
  semh: [
    ['CAMHS', 'CAMHS appointment letter received', '{name} is on the waiting list for an assessment. School asked to complete the teacher questionnaire.'],
    ['School nurse', 'School nurse met {name} about sleep and worries', 'Gave {name} and {parent} a sleep diary. Will see {name} again in a month.'],
    ['Early help', 'Early help worker visited school', 'Early help assessment under way with the family. School contributed attendance and behaviour information.'],
  ],
  physical: [['Sensory support service', 'Qualified teacher of the visually impaired visited', 'Checked seating, lighting and print size. Recommended 18-point handouts and a laptop for longer writing.']],
};

const REFERRALS: Record<Area, Array<[string, string]>> = {
  learning: [['Educational psychology service', 'Progress remains slow after three cycles of SEN support. Asked for an assessment of cognition and learning.']],
  communication: [['Speech and language therapy', 'Referred with parents’ consent: difficulties with expressive language and following instructions.']],
  semh: [['CAMHS', 'Referred with parents’ consent after increasing anxiety and school refusal. GP has also written.']],
  physical: [['Occupational therapy', 'Referred for assessment of fine motor skills and handwriting.']],
};

/** One line of text with the pupil's and the parent's names in it. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_match, key: string) => values[key] ?? '');
}

export async function writeDemoChronology(
  trx: DbOrTransaction,
  scope: SchoolScope,
  data: DemoSchoolData,
  ids: { pupilIds: Map<string, string>; userIds: Map<string, string> },
): Promise<DemoChronologyCounts> {
  const senPupilIds = data.pupils.filter((pupil) => pupil.sen.provision === 'K' || pupil.sen.provision === 'E').map((pupil) => ids.pupilIds.get(pupil.key)!);
  const cycles = await repository.listCyclesOfPupils(trx, scope, senPupilIds);
  const rows = generateDemoChronology(data, ids, cycles);
  await repository.insertMeetings(trx, scope, rows.meetings);
  await repository.insertActions(trx, scope, rows.actions);
  await repository.insertEntries(trx, scope, rows.entries);
  return { meetings: rows.meetings.length, actions: rows.actions.length, entries: rows.entries.length };
}

export function generateDemoChronology(data: DemoSchoolData, ids: { pupilIds: Map<string, string>; userIds: Map<string, string> }, cycles: readonly DemoCycle[] = []): DemoChronologyRows {
  const next = mulberry32((data.seed ^ 0x0c40_3003 ^ data.pupils.length) >>> 0);
  const { chance, int, pick } = drawsFrom(next);
  const asOfDays = toDays(data.asOf);
  const windowStart = asOfDays - 365;
  const rows: DemoChronologyRows = { meetings: [], actions: [], entries: [] };

  const users = data.users;
  const senco = users.find((user) => user.role === 'senco' && user.signIn) ?? users.find((user) => user.role === 'senco');
  const admin = users.find((user) => user.role === 'sen_admin');
  // A school whose SENCO is shared (their account belongs to another school's data) records through
  // its SEN administrator or, failing that, a teacher.
  const recorder = senco ?? admin ?? users.find((user) => user.role === 'teacher') ?? users.find((user) => user.role !== 'parent' && user.role !== 'governor');
  if (!recorder) return rows;
  const recorderRole = recorder.role === 'senco' ? 'SENCO' : recorder.role === 'sen_admin' ? 'SEN administrator' : 'class teacher';
  const tas = users.filter((user) => user.role === 'teaching_assistant');
  const teachers = users.filter((user) => user.role === 'teacher');
  const demoTeacher = teachers.find((user) => user.signIn);
  const demoTa = tas.find((user) => user.signIn);
  const userId = (key: string) => ids.userIds.get(key)!;
  const staffOf = new Map<string, string[]>();
  const groupsByKey = new Map(data.groups.map((group) => [group.key, group]));
  for (const link of data.groupStaff) {
    for (const pupilKey of groupsByKey.get(link.groupKey)?.pupilKeys ?? []) {
      const list = staffOf.get(pupilKey) ?? [];
      if (!list.includes(link.userKey)) list.push(link.userKey);
      staffOf.set(pupilKey, list);
    }
  }
  const userByKey = new Map(users.map((user) => [user.key, user]));
  const parentOf = new Map<string, { name: string; relationship: string; isDemo: boolean }>();
  for (const contact of [...data.contacts].sort((a, b) => a.order - b.order)) {
    if (!contact.parentalResponsibility || parentOf.has(contact.pupilKey)) continue;
    const name = `${contact.title ? `${contact.title} ` : ''}${contact.surname}`;
    parentOf.set(contact.pupilKey, { name, relationship: contact.relationship.toLowerCase(), isDemo: contact.userKey !== null });
  }
  const demoChildren = new Set(data.contacts.filter((contact) => contact.userKey !== null).map((contact) => contact.pupilKey));
  const cyclesOf = new Map<string, DemoCycle[]>();
  for (const cycle of cycles) cyclesOf.set(cycle.pupil_id, [...(cyclesOf.get(cycle.pupil_id) ?? []), cycle]);

  const thisYear = schoolYearOf(data.asOf).start;

  for (const pupil of data.pupils) {
    if (pupil.sen.provision !== 'K' && pupil.sen.provision !== 'E') continue;
    const pupilId = ids.pupilIds.get(pupil.key)!;
    const name = pupil.preferredForename || pupil.legalForename;
    const parent = parentOf.get(pupil.key) ?? { name: 'the parent', relationship: 'parent', isDemo: false };
    const area = areaOf(pupil);
    const values = () => ({ name, parent: parent.name, strategy: pick(STRATEGY[area]) });
    const isDemoChild = demoChildren.has(pupil.key);
    // About one family in eight is hard to reach: the school tries, and the count shows it.
    const hardToReach = !isDemoChild && chance(0.13);
    const classStaff = (staffOf.get(pupil.key) ?? []).map((key) => userByKey.get(key)!).filter(Boolean);
    const teacherFor = () => {
      const theirs = classStaff.filter((user) => user.role === 'teacher');
      if (demoTeacher && theirs.some((user) => user.key === demoTeacher.key) && chance(0.6)) return demoTeacher;
      return theirs.length ? pick(theirs) : teachers.length ? pick(teachers) : recorder;
    };
    const taFor = () => {
      const theirs = classStaff.filter((user) => user.role === 'teaching_assistant');
      if (demoTa && chance(0.3)) return demoTa;
      return theirs.length ? pick(theirs) : tas.length ? pick(tas) : recorder;
    };
    const staffAttendees = (teacher: (typeof users)[number]) => teacher.key === recorder.key ? `${recorder.displayName} (${recorderRole})` : `${recorder.displayName} (${recorderRole}), ${teacher.displayName} (class teacher)`;

    const meetings: Array<{ day: number; kind: string; withParents: boolean; notes: string; cycleId: string | null; teacher: (typeof users)[number]; extra?: string }> = [];
    const add = (day: number, kind: string, withParents: boolean, template: string, cycleId: string | null = null, extra?: string) => {
      const at = weekday(day);
      if (at < windowStart || at >= asOfDays) return;
      meetings.push({ day: at, kind, withParents, notes: fill(template, values()), cycleId, teacher: teacherFor(), ...(extra ? { extra } : {}) });
    };
    const parentChance = hardToReach ? 0.2 : 1;
    const review = (day: number, cycleId: string | null) => {
      const withParents = chance(hardToReach ? 0.3 : 0.92);
      add(day, 'review', withParents, withParents ? pick(REVIEW_NOTES) : REVIEW_WITHOUT_PARENTS, cycleId);
    };
    const pupilCycles = cyclesOf.get(pupilId) ?? [];
    for (const start of [thisYear - 1, thisYear]) {
      const date = (month: number, day: number) => toDays(`${month >= 9 ? start : start + 1}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
      // Autumn: a start-of-year meeting, often a settling-in catch-up, then parents' evening.
      if (chance(0.9 * parentChance)) add(date(9, int(10, 26)), 'parents', true, chance(0.7) ? PARENT_NOTES[1]! : pick(PARENT_NOTES));
      if (chance(0.55 * parentChance)) add(date(10, int(6, 17)), 'parents', true, pick(PARENT_NOTES));
      if (chance(0.75 * parentChance)) add(date(11, int(2, 19)), 'parents', true, PARENT_NOTES[3]!);
      if (chance(0.45 * parentChance)) add(date(2, int(24, 28)) + int(0, 12), 'parents', true, pick(PARENT_NOTES));
      if (chance(0.2 * parentChance)) add(date(5, int(5, 20)), 'parents', true, pick(PARENT_NOTES));
      if (pupilCycles.length === 0) {
        // Termly reviews, when the plans demo has not written cycles to follow.
        for (const [month, from, to] of [[12, 1, 12], [3, 16, 27], [7, 1, 14]] as const) {
          if (chance(0.75)) review(date(month, int(from, to)), null);
        }
      }
    }
    for (const cycle of pupilCycles) {
      if (cycle.reviewed_on) review(toDays(cycle.reviewed_on), cycle.id);
    }
    if (pupil.sen.provision === 'E') add(asOfDays - int(20, 300), 'review', true, 'Annual review of the EHC plan with {parent}, {name}, the class teacher and the local authority’s SEN officer. Outcomes reviewed; the school will send the report to the local authority within two weeks. Agreed to ask for Section F to include {strategy}.', null, 'SEN officer (local authority)');
    if (chance(pupil.sen.provision === 'E' ? 0.35 : 0.08)) add(asOfDays - int(15, 330), 'multi-agency', true, pick(MULTI_AGENCY_NOTES), null, 'educational psychologist, speech and language therapist');
    if (isDemoChild || chance(0.12)) add(asOfDays - int(5, 200), 'other', false, pick(INTERNAL_NOTES));

    meetings.sort((a, b) => a.day - b.day);
    for (const meeting of meetings) {
      const id = newId();
      const heldOn = fromDays(meeting.day);
      const createdAt = `${heldOn}T16:${String(int(0, 59)).padStart(2, '0')}:00.000Z`;
      const attendees = [
        ...(meeting.withParents ? [`${parent.name} (${parent.relationship})`] : []),
        ...(meeting.withParents && meeting.kind !== 'parents' && chance(0.5) ? [`${name} (for part of the meeting)`] : []),
        staffAttendees(meeting.teacher),
        ...(meeting.extra ? [meeting.extra] : []),
      ].join(', ');
      rows.meetings.push({ id, pupil_id: pupilId, held_on: heldOn, kind: meeting.kind, with_parents: meeting.withParents ? 1 : 0, attendees, notes: meeting.notes, cycle_id: meeting.cycleId, created_by: userId(recorder.key), created_at: createdAt, updated_at: createdAt });
      const actionCount = meeting.kind === 'parents' && chance(0.4) ? 0 : int(1, 3);
      const used = new Set<string>();
      for (let index = 0; index < actionCount; index++) {
        const template = pick(ACTIONS);
        if (used.has(template)) continue;
        used.add(template);
        const ownerPick = next();
        const owner = ownerPick < 0.4 ? recorder : ownerPick < 0.75 ? meeting.teacher : taFor();
        const due = weekday(meeting.day + int(7, 35));
        let doneAt: string | null = null;
        // Actions long past their date are done; a few from the last two months slip; a few due soon are done early.
        if (chance(due < asOfDays - 60 ? 1 : due < asOfDays - 14 ? 0.94 : due < asOfDays ? 0.6 : 0.2)) {
          const doneDay = Math.min(asOfDays - 1, Math.max(meeting.day + 1, due - int(-3, 6)));
          if (doneDay < asOfDays) doneAt = `${fromDays(doneDay)}T${String(int(8, 17)).padStart(2, '0')}:15:00.000Z`;
        }
        rows.actions.push({ id: newId(), pupil_id: pupilId, meeting_id: id, description: fill(template, values()), owner_user_id: userId(owner.key), due_on: fromDays(due), done_at: doneAt, done_by: doneAt ? userId(owner.key) : null, created_by: userId(recorder.key), created_at: createdAt });
      }
    }

    // Calls and emails, agency work and referrals.
    const entry = (day: number, kind: string, summary: string, details: string | null, agency: string | null = null) => {
      const at = weekday(day);
      if (at < windowStart || at >= asOfDays) return;
      const on = fromDays(at);
      rows.entries.push({ id: newId(), pupil_id: pupilId, kind, occurred_on: on, agency, summary: fill(summary, values()), details: details ? fill(details, values()) : null, created_by: userId(chance(0.7) || !admin ? recorder.key : admin.key), created_at: `${on}T${String(int(9, 16)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:00.000Z` });
    };
    const calls = hardToReach ? int(2, 4) : int(0, 3);
    for (let index = 0; index < calls; index++) {
      const [summary, details] = hardToReach && chance(0.7) ? CALLS[2] : pick(CALLS);
      entry(asOfDays - int(3, 360), 'phone-call', summary, details);
    }
    for (let index = int(0, 2); index > 0; index--) {
      const [summary, details] = pick(EMAILS);
      entry(asOfDays - int(3, 360), 'email', summary, details);
    }
    if (chance(pupil.sen.provision === 'E' ? 0.6 : 0.2)) {
      const [agency, summary, details] = pick(AGENCY_WORK[area]);
      entry(asOfDays - int(10, 340), 'agency', summary, details, agency);
    }
    if (chance(pupil.sen.provision === 'E' ? 0.15 : 0.1)) {
      const [agency, details] = pick(REFERRALS[area]);
      entry(asOfDays - int(10, 300), 'referral', `Referred {name} to ${agency.toLowerCase().replace('camhs', 'CAMHS')}`, details, agency);
    }
    if (chance(0.08)) entry(asOfDays - int(3, 200), 'note', 'Note: {name} has a new baby brother; may be tired for a few weeks', null);
  }
  return rows;
}
