// A year of interventions for a demo school: a catalogue, groups each term with their staff,
// sessions and attendance, and entry and exit scores that behave like real ones (most reading
// groups make useful progress, one does not, a few pupils stall twice in a row), so the impact pages,
// the costed provision map and staff deployment mean something on first start. Deterministic: the
// same school, seed and date give the same data. Written through the provision service, in the
// demo's transaction.
import type { DbOrTransaction } from '../../db/database.ts';
import { newId } from '../../platform/ids.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import type { ProvisionDataRows } from '../provision/repository.ts';
import { writeProvisionData } from '../provision/service.ts';
import type { NeedCode } from '../register/census.ts';
import { DAY_MS, drawsFrom, fromDays, toDays } from './helpers.ts';
import { mulberry32, type DemoPupil, type DemoSchoolData } from './generator.ts';

interface CatalogueEntry {
  key: string;
  short: string;
  name: string;
  description: string;
  tier: 'universal' | 'targeted' | 'specialist';
  area: string;
  groupSize: number;
  sessionsPerWeek: number;
  minutes: number;
  staffType: 'teacher' | 'ta' | 'specialist' | 'external';
  costModel: 'staff-time' | 'per-session' | 'per-term';
  costPence: number | null;
  measure: 'standardised' | 'reading-age' | 'spelling-age' | 'scale' | 'target';
  scale?: [number, number];
  /** Typical progress: ratio gain or points (mean, sd); for a target, the chance of meeting it. */
  effect: [number, number];
  /** Which primary needs it suits. */
  needs: NeedCode[];
  archived?: boolean;
}

// Effects are invented but in the ranges published evaluations report (Brooks 2016 for literacy).
const CATALOGUE: CatalogueEntry[] = [
  { key: 'lexia', short: 'Lexia', name: 'Lexia reading programme', description: 'Computer-based reading practice in a small group with a teaching assistant.', tier: 'targeted', area: 'Cognition and learning', groupSize: 6, sessionsPerWeek: 3, minutes: 30, staffType: 'ta', costModel: 'per-term', costPence: 45_000, measure: 'reading-age', effect: [2.2, 0.9], needs: ['SPLD', 'MLD', 'NSA', 'OTH'] },
  { key: 'catchup', short: 'Catch Up', name: 'Catch Up Literacy', description: 'Short one-to-one reading sessions with a teaching assistant, twice a week.', tier: 'targeted', area: 'Cognition and learning', groupSize: 1, sessionsPerWeek: 2, minutes: 15, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'reading-age', effect: [2.7, 1.0], needs: ['SPLD', 'MLD', 'SLD'] },
  { key: 'comprehension', short: 'Comprehension', name: 'Reading comprehension group', description: 'Small-group work on understanding what is read.', tier: 'targeted', area: 'Cognition and learning', groupSize: 6, sessionsPerWeek: 2, minutes: 40, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'reading-age', effect: [0.9, 0.5], needs: ['MLD', 'SLCN', 'NSA'] },
  { key: 'spelling', short: 'Spelling', name: 'Precision teaching: spelling', description: 'Ten minutes of spelling practice every day, one-to-one.', tier: 'targeted', area: 'Cognition and learning', groupSize: 1, sessionsPerWeek: 5, minutes: 10, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'spelling-age', effect: [1.8, 0.8], needs: ['SPLD'] },
  { key: 'numeracy', short: 'Numeracy', name: 'Numeracy catch-up', description: 'Small-group maths with a teaching assistant.', tier: 'targeted', area: 'Cognition and learning', groupSize: 4, sessionsPerWeek: 2, minutes: 30, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'standardised', effect: [6, 5], needs: ['MLD', 'SPLD', 'NSA', 'SLD'] },
  { key: 'dyslexia', short: 'Specialist', name: 'Specialist dyslexia teaching', description: 'Lessons with the school’s specialist dyslexia teacher.', tier: 'specialist', area: 'Cognition and learning', groupSize: 2, sessionsPerWeek: 1, minutes: 60, staffType: 'specialist', costModel: 'staff-time', costPence: null, measure: 'standardised', effect: [8, 5], needs: ['SPLD'] },
  { key: 'talk', short: 'Talk Boost', name: 'Talk Boost language group', description: 'Small-group sessions to build vocabulary, listening and talking.', tier: 'targeted', area: 'Communication and interaction', groupSize: 4, sessionsPerWeek: 3, minutes: 30, staffType: 'ta', costModel: 'per-term', costPence: 20_000, measure: 'scale', scale: [0, 10], effect: [2.2, 1.3], needs: ['SLCN', 'ASD'] },
  { key: 'salt', short: 'SALT', name: 'Speech and language therapy', description: 'Sessions with a speech and language therapist every fortnight.', tier: 'specialist', area: 'Communication and interaction', groupSize: 1, sessionsPerWeek: 0.5, minutes: 45, staffType: 'external', costModel: 'per-session', costPence: 9_500, measure: 'target', effect: [0.7, 0], needs: ['SLCN', 'ASD'] },
  { key: 'social', short: 'Social skills', name: 'Social skills group', description: 'A small group practising conversation, friendship and turn-taking.', tier: 'targeted', area: 'Communication and interaction', groupSize: 6, sessionsPerWeek: 1, minutes: 45, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'scale', scale: [0, 10], effect: [1.6, 1.2], needs: ['ASD', 'SEMH', 'SLCN'] },
  { key: 'elsa', short: 'ELSA', name: 'ELSA emotional literacy support', description: 'One-to-one sessions with an emotional literacy support assistant.', tier: 'targeted', area: 'Social, emotional and mental health', groupSize: 1, sessionsPerWeek: 1, minutes: 45, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'target', effect: [0.75, 0], needs: ['SEMH'] },
  { key: 'nurture', short: 'Nurture', name: 'Lunchtime nurture club', description: 'A calm lunchtime club for pupils who find break times hard.', tier: 'universal', area: 'Social, emotional and mental health', groupSize: 12, sessionsPerWeek: 5, minutes: 30, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'target', effect: [0.8, 0], needs: ['SEMH', 'ASD'] },
  { key: 'motor', short: 'Fine motor', name: 'Fine motor skills group', description: 'Activities that build hand strength and control for writing.', tier: 'targeted', area: 'Sensory and/or physical', groupSize: 6, sessionsPerWeek: 2, minutes: 30, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'scale', scale: [0, 20], effect: [3.5, 2], needs: ['PD', 'VI', 'MSI', 'HI'] },
  { key: 'onetoone', short: '1:1', name: 'One-to-one teaching assistant support', description: 'A teaching assistant supports your child in lessons for part of each day.', tier: 'specialist', area: 'Cognition and learning', groupSize: 1, sessionsPerWeek: 5, minutes: 180, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'target', effect: [0.65, 0], needs: [] },
  { key: 'toebytoe', short: 'Toe by Toe', name: 'Toe by Toe (replaced by Lexia)', description: 'A one-to-one phonics reading manual.', tier: 'targeted', area: 'Cognition and learning', groupSize: 1, sessionsPerWeek: 3, minutes: 20, staffType: 'ta', costModel: 'staff-time', costPence: null, measure: 'reading-age', effect: [1.5, 0.8], needs: ['SPLD'], archived: true },
];

/** The first Monday on or after a date. */
function mondayFrom(date: string): number {
  const days = toDays(date);
  const weekday = new Date(days * DAY_MS).getUTCDay();
  return days + ((8 - weekday) % 7);
}

interface Cycle {
  name: string;
  start: number;
  /** Teaching weeks (half-term left out). */
  weeks: number;
  /** Week index (0-based from start) of the half-term holiday. */
  halfTerm: number;
  end: number;
}

/** The intervention cycles of the year before asOf: one per term, a week in from each end of term. */
function cyclesBefore(asOf: string): Cycle[] {
  const year = Number(asOf.slice(0, 4)) - (asOf.slice(5) < '09-01' ? 1 : 0);
  const cycles: Cycle[] = [];
  for (const start of [year - 1, year]) {
    for (const [name, from, weeks, halfTerm] of [
      ['autumn', `${start}-09-08`, 12, 7],
      ['spring', `${start + 1}-01-12`, 9, 5],
      ['summer', `${start + 1}-04-20`, 10, 5],
    ] as const) {
      const first = mondayFrom(from);
      const end = first + (weeks + 1) * 7 - 3;
      cycles.push({ name: `${name} ${name === 'autumn' ? start : start + 1}`, start: first, weeks, halfTerm, end });
    }
  }
  const asOfDays = toDays(asOf);
  return cycles.filter((cycle) => cycle.start <= asOfDays && cycle.start >= asOfDays - 366);
}

const ABSENT_REASONS = ['Ill', 'Off site: school trip', 'Music lesson', 'Medical appointment', 'Did not want to come', 'Taking a test'];
const LATE_REASONS = ['Kept behind in lesson', 'Came from PE', 'Lost the way from the library'];
const CANCEL_REASONS = ['Staff absence', 'Teaching assistant covering a class', 'Whole-school assembly', 'Mock exams in the hall'];
const TIMES = ['08:50', '09:20', '10:45', '11:25', '13:35', '14:15'];
const DAY_PATTERNS: Record<string, string[]> = { '0.5': ['2', '4'], '1': ['1', '2', '3', '4', '5'], '2': ['1,3', '2,4', '3,5', '1,4'], '3': ['1,3,5', '2,3,5'], '5': ['1,2,3,4,5'] };

export interface DemoProvisionCounts {
  provisions: number;
  groups: number;
  memberships: number;
  sessions: number;
}

/**
 * Generates and writes the demo school's provision. `pupilIds` and `userIds` map the generator's keys
 * to the rows already written in this transaction.
 */
export async function writeDemoProvision(
  trx: DbOrTransaction,
  scope: SchoolScope,
  data: DemoSchoolData,
  ids: { pupilIds: Map<string, string>; userIds: Map<string, string> },
): Promise<DemoProvisionCounts> {
  const rows = generateDemoProvision(data, ids);
  await writeProvisionData(trx, scope, rows);
  return { provisions: rows.provisions.length, groups: rows.groups.length, memberships: rows.members.length, sessions: rows.sessions.length };
}

export function generateDemoProvision(data: DemoSchoolData, ids: { pupilIds: Map<string, string>; userIds: Map<string, string> }): ProvisionDataRows {
  const next = mulberry32((data.seed ^ 0x5eed_4004 ^ data.pupils.length) >>> 0);
  const { chance, int, pick } = drawsFrom(next);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const now = `${data.asOf}T07:30:00.000Z`;
  const asOfDays = toDays(data.asOf);
  const cycles = cyclesBefore(data.asOf);

  const provisionIds = new Map(CATALOGUE.map((entry) => [entry.key, newId()]));
  const rows: ProvisionDataRows = {
    settings: { teacher_rate_pence: 4800, ta_rate_pence: 1950, specialist_rate_pence: 5500, external_rate_pence: 7500, sen_budget_pence: Math.round((data.pupils.length * 175) / 5000) * 500_000, updated_at: now, updated_by: null },
    provisions: CATALOGUE.map((entry) => ({
      id: provisionIds.get(entry.key)!, name: entry.name, description: entry.description, tier: entry.tier, area: entry.area, group_size: entry.groupSize,
      sessions_per_week: entry.sessionsPerWeek, minutes_per_session: entry.minutes, staff_type: entry.staffType, cost_model: entry.costModel, cost_pence: entry.costPence,
      measure: entry.measure, scale_min: entry.scale?.[0] ?? null, scale_max: entry.scale?.[1] ?? null, archived_at: entry.archived ? `${fromDays(cycles[0]?.end ?? asOfDays)}T16:00:00.000Z` : null, created_at: now, updated_at: now,
    })),
    groups: [], staff: [], members: [], sessions: [], attendance: [], staffHours: [],
  };

  const users = data.users.filter((user) => user.role === 'teaching_assistant' || user.role === 'teacher');
  const tas = users.filter((user) => user.role === 'teaching_assistant');
  const signInTa = tas.find((user) => user.signIn);
  const otherTas = tas.filter((user) => !user.signIn);
  const specialist = users.find((user) => user.role === 'teacher' && !user.signIn) ?? users.find((user) => user.role === 'teacher');
  const sencoId = [...ids.userIds].find(([key]) => data.users.find((user) => user.key === key)?.role === 'senco')?.[1] ?? null;
  if (!tas.length) return rows;
  // Most work full time; two part-timers end up over-committed, which staff deployment flags.
  const partTime = new Set([otherTas[0]?.key, otherTas[3]?.key]);
  for (const ta of tas) rows.staffHours.push({ user_id: ids.userIds.get(ta.key)!, contracted_hours: partTime.has(ta.key) ? 17.5 : pick([32.5, 32.5, 32.5, 30, 27.5, 25]), updated_at: now, updated_by: null });

  // Who tends to progress: most pupils respond, a few stall whatever they are given.
  const response = new Map<string, number>();
  const eligible = data.pupils.filter((pupil) => pupil.sen.provision !== 'N' || chance(0.03));
  for (const pupil of eligible) response.set(pupil.key, chance(0.05) ? 0.25 : 0.75 + next() * 0.5);
  const ageMonths = (pupil: DemoPupil, on: number) => Math.floor((on - toDays(pupil.dateOfBirth)) / 30.4375);
  const primaryNeed = (pupil: DemoPupil): NeedCode => (pupil.sen.needs.find((need) => need.rank === 1)?.need as NeedCode | undefined) ?? pick(['SPLD', 'MLD', 'NSA'] as NeedCode[]);
  const catalogueFor = (pupil: DemoPupil, cycle: Cycle) => {
    const need = primaryNeed(pupil);
    const options = CATALOGUE.filter((entry) => entry.needs.includes(need) && (entry.key !== 'toebytoe' || cycle === cycles[0]) && (entry.key !== 'lexia' || cycle !== cycles[0]));
    const fallback = CATALOGUE.filter((entry) => ['lexia', 'numeracy', 'comprehension'].includes(entry.key));
    return options.length ? options : fallback;
  };

  let taTurn = 0;
  const nextTa = () => otherTas[taTurn++ % Math.max(1, otherTas.length)] ?? signInTa!;

  const addGroup = (entry: CatalogueEntry, cycle: Cycle, name: string, pupils: DemoPupil[], options: { weeks?: number; end?: number; staff: string[] }) => {
    const groupId = newId();
    const days = pick(DAY_PATTERNS[String(entry.sessionsPerWeek)] ?? ['1']);
    const weeks = options.weeks ?? cycle.weeks;
    const end = options.end ?? cycle.end;
    rows.groups.push({
      id: groupId, provision_id: provisionIds.get(entry.key)!, name, start_date: fromDays(cycle.start), end_date: fromDays(end), weeks,
      sessions_per_week: entry.sessionsPerWeek, minutes_per_session: entry.minutes, days, time: pick(TIMES), created_at: now, updated_at: now,
    });
    for (const userId of new Set(options.staff)) rows.staff.push({ group_id: groupId, user_id: userId });
    const ended = end < asOfDays;
    const entryDay = cycle.start;
    // Sessions on the group's days, weekly (fortnightly at 0.5 a week), skipping the half-term week.
    const held: Array<{ id: string; day: number; delivered: boolean }> = [];
    const recorder = options.staff[0] ?? sencoId;
    for (let week = 0; cycle.start + week * 7 <= end; week++) {
      if (week === cycle.halfTerm && !options.weeks) continue;
      if (options.weeks && (week % 13 === 7)) continue;
      if (entry.sessionsPerWeek < 1 && week % 2 === 1) continue;
      for (const day of days.split(',')) {
        const date = cycle.start + week * 7 + Number(day) - 1;
        if (date > end || date >= asOfDays) continue;
        const delivered = !chance(0.04);
        const id = newId();
        held.push({ id, day: date, delivered });
        rows.sessions.push({ id, group_id: groupId, held_on: fromDays(date), status: delivered ? 'delivered' : 'cancelled', note: delivered ? null : pick(CANCEL_REASONS), recorded_by: recorder, recorded_at: `${fromDays(date)}T15:30:00.000Z` });
      }
    }
    for (const pupil of pupils) {
      const pupilId = ids.pupilIds.get(pupil.key)!;
      const factor = response.get(pupil.key) ?? 1;
      const keen = chance(0.15) ? 0.72 : 0.9 + next() * 0.08;
      for (const session of held) {
        if (!session.delivered) continue;
        const roll = next();
        const status = roll < keen ? (chance(0.05) ? 'late' : 'present') : 'absent';
        rows.attendance.push({ session_id: session.id, group_id: groupId, pupil_id: pupilId, status, reason: status === 'absent' ? pick(ABSENT_REASONS) : status === 'late' ? pick(LATE_REASONS) : null });
      }
      let entryValue: number | null = null;
      let exitValue: number | null = null;
      const exitDay = Math.min(end, asOfDays - 1);
      const months = (exitDay - entryDay) / 30.4375;
      switch (entry.measure) {
        case 'reading-age':
        case 'spelling-age': {
          entryValue = Math.max(48, Math.min(ageMonths(pupil, entryDay) - int(14, 40), 200));
          const ratio = Math.max(-0.3, (entry.effect[0] + normal() * entry.effect[1]) * factor);
          exitValue = Math.min(227, entryValue + Math.round(ratio * months));
          break;
        }
        case 'standardised':
          entryValue = int(68, 88);
          exitValue = Math.max(40, Math.min(160, entryValue + Math.round((entry.effect[0] + normal() * entry.effect[1]) * factor - (factor < 0.5 ? 3 : 0))));
          break;
        case 'scale': {
          const [min, max] = entry.scale!;
          entryValue = min + int(Math.round((max - min) * 0.2), Math.round((max - min) * 0.5));
          exitValue = Math.max(min, Math.min(max, entryValue + Math.round((entry.effect[0] + normal() * entry.effect[1]) * factor)));
          break;
        }
        case 'target':
          exitValue = chance(entry.effect[0] * Math.min(1.15, factor)) ? 1 : 0;
          break;
      }
      const recordExit = ended && !chance(0.06);
      rows.members.push({
        group_id: groupId, pupil_id: pupilId, source: null, added_on: fromDays(cycle.start), left_on: null,
        entry_value: entry.measure === 'target' ? null : entryValue, entry_date: entry.measure === 'target' ? null : fromDays(entryDay),
        exit_value: recordExit ? exitValue : null, exit_date: recordExit ? fromDays(end) : null, updated_at: now,
      });
    }
  };

  // Each term: pupils with SEN (and a few without) are placed in the provision that suits their need.
  cycles.forEach((cycle, cycleIndex) => {
    const current = cycle.start <= asOfDays && cycle.end >= asOfDays;
    const placements = new Map<string, DemoPupil[]>();
    for (const pupil of eligible) {
      const share = pupil.sen.provision === 'E' ? 0.85 : pupil.sen.provision === 'K' ? 0.55 : 0.5;
      if (!chance(share)) continue;
      const options = catalogueFor(pupil, cycle);
      const first = pick(options);
      const chosen = [first];
      if (chance(0.22)) {
        const second = pick(options.filter((entry) => entry !== first));
        if (second) chosen.push(second);
      }
      for (const entry of chosen) {
        const key = `${entry.key}|${entry.groupSize >= 6 ? Math.floor(pupil.yearGroup / 3) : pupil.yearGroup}`;
        placements.set(key, [...(placements.get(key) ?? []), pupil]);
      }
    }
    const groupsThisCycle: Array<{ entry: CatalogueEntry; pupils: DemoPupil[]; name: string }> = [];
    for (const [key, pupils] of [...placements].sort(([a], [b]) => a.localeCompare(b))) {
      const entry = CATALOGUE.find((item) => item.key === key.split('|')[0])!;
      for (let start = 0, letter = 0; start < pupils.length; start += entry.groupSize, letter++) {
        const members = pupils.slice(start, start + entry.groupSize);
        const years = [...new Set(members.map((pupil) => pupil.yearGroup))].sort((a, b) => a - b);
        const yearText = years.length === 1 ? (years[0] === 0 ? 'Reception' : `Y${years[0]}`) : `Y${years[0]}–${years[years.length - 1]}`;
        groupsThisCycle.push({ entry, pupils: members, name: `${entry.short} ${yearText} ${cycle.name.split(' ')[0]} ${String.fromCharCode(65 + (letter % 26))}${letter >= 26 ? Math.floor(letter / 26) : ''}` });
      }
    }
    // The demo teaching assistant runs several of this term's groups, on every weekday, so "My groups" has today's sessions.
    let signInGroups = 0;
    for (const group of groupsThisCycle) {
      const staff: string[] = [];
      if (group.entry.staffType === 'specialist' && specialist) staff.push(ids.userIds.get(specialist.key)!);
      else if (group.entry.staffType === 'ta') {
        const useSignIn = signInTa && current && signInGroups < 6 && group.entry.groupSize > 1 && group.entry.sessionsPerWeek >= 2;
        if (useSignIn) signInGroups += 1;
        staff.push(ids.userIds.get((useSignIn ? signInTa : nextTa())!.key)!);
        if (group.entry.key === 'nurture') staff.push(ids.userIds.get(nextTa().key)!);
      }
      addGroup(group.entry, cycle, group.name, group.pupils, { staff });
    }
    void cycleIndex;
  });

  // One-to-one support all year for the pupils with EHC plans and the most need, from the first cycle of this school year.
  const thisYear = cycles.find((cycle) => cycle.name.startsWith('autumn') && cycle.start > asOfDays - 366 && fromDays(cycle.start) >= `${Number(data.asOf.slice(0, 4)) - (data.asOf.slice(5) < '09-01' ? 1 : 0)}-09-01`);
  if (thisYear) {
    const entry = CATALOGUE.find((item) => item.key === 'onetoone')!;
    const ehc = data.pupils.filter((pupil) => pupil.sen.provision === 'E');
    const chosen = ehc.filter((_, index) => index % 4 === 0);
    const yearEnd = thisYear.start + 40 * 7 - 3;
    chosen.forEach((pupil, index) => {
      const ta = otherTas[index % Math.max(1, otherTas.length)] ?? signInTa!;
      addGroup(entry, { ...thisYear, end: yearEnd, weeks: 39 }, `1:1 support ${pupil.yearGroup === 0 ? 'Reception' : `Y${pupil.yearGroup}`} ${index + 1}`, [pupil], { weeks: 39, end: yearEnd, staff: [ids.userIds.get(ta.key)!] });
    });
  }
  return rows;
}
