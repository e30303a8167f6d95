// A year of concerns and documents for a demo school. Teachers and teaching assistants raise concerns
// about pupils in their own classes and groups (mostly pupils with no SEN, some on SEN support about
// something new), in their own words by area of need; the SENCO triaged most of them with a mix of
// outcomes, and a few of the latest are awaiting triage, one or two with a work sample attached. Pupils
// added to SEN support this year were usually the subject of a concern first. Some pupils on SEN
// support or with an EHC plan have reports on file (educational psychology, speech and language
// therapy, occupational therapy, medical, CAMHS), the sensitive ones confidential: each a small real
// PDF. Deterministic: the same school, seed and date give the same records (apart from generated ids).
import type { DbOrTransaction } from '../../db/database.ts';
import { bullets, heading, paragraph, renderPdf, summary, type DocumentModel } from '../../platform/documents/index.ts';
import { newId } from '../../platform/ids.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import * as concernsRepository from '../concerns/repository.ts';
import type { Outcome } from '../concerns/rules.ts';
import * as documentsRepository from '../documents/repository.ts';
import { EVIDENCE_CATEGORY, verifyFile } from '../documents/rules.ts';
import { NEEDS, yearGroupLabel, type NeedCode } from '../register/census.ts';
import { mulberry32, type DemoPupil, type DemoSchoolData } from './generator.ts';
import { DAY_MS, toDays, fromDays, drawsFrom } from './helpers.ts';

type Area = 'Communication and interaction' | 'Cognition and learning' | 'Social, emotional and mental health' | 'Sensory and/or physical';

interface Wording {
  observed: string[];
  tried: string[];
}

// What staff write, by area of need. {name} is the pupil's first name; {he}/{his}/{him} their pronouns.
const WORDING: Record<Area, Wording> = {
  'Communication and interaction': {
    observed: [
      '{name} rarely joins in with group discussion and answers in one or two words. When I give instructions to the class {he} watches what others do before starting.',
      '{name} struggles to follow instructions with more than one step and often asks a friend what to do. {His} spoken sentences are short and {he} muddles the order of words.',
      '{name} finds it hard to take turns in conversation, talks at length about {his} own interests and becomes upset when plans change at short notice.',
      'Speech is hard to understand at times, particularly when {name} is excited. Other pupils have started to finish {his} sentences for {him}.',
      '{name} takes things very literally (a joke about "pulling your socks up" upset {him}) and finds unstructured times such as break difficult.',
    ],
    tried: [
      'Chunked instructions and written steps on the board; checked understanding one to one. It helps when I remember to do it.',
      'Paired talk with a supportive partner, sentence stems and extra thinking time before answering. {He} contributes more in pairs than to the class.',
      'Warned {him} in advance of changes to the timetable and used a visual timetable on {his} desk. This has reduced the upsets but not stopped them.',
      'Spoke to {his} parents, who have noticed the same at home. Modelled correct sentences back rather than correcting.',
    ],
  },
  'Cognition and learning': {
    observed: [
      '{name} is reading well below the level of the class and guesses words from the first letter. {He} avoids reading aloud and copies from {his} neighbour.',
      '{name}’s spelling is very inconsistent (the same word spelt three ways on one page) and written work is much weaker than what {he} can say.',
      '{name} cannot yet recall number bonds to 10 and counts on fingers for simple addition. {He} loses track in multi-step problems.',
      '{name} forgets what we did last lesson and needs the same explanation several times. {He} works very slowly and rarely finishes a task.',
      'Handwriting is slow and {name} gets tired quickly; {he} often produces only a few lines in a lesson where others write a page.',
    ],
    tried: [
      'Coloured overlay, a word mat and a writing frame. Sat {him} near the front. The writing frame helps a little.',
      'Pre-teaching key vocabulary and giving a printed copy of the board. Small group with the TA twice a week for phonics.',
      'Concrete apparatus (Numicon, counters) and a number line on the desk. {He} makes progress with them but cannot transfer to written methods.',
      'Broken tasks into smaller steps with a checklist; extra time to finish. Talked to {his} parents about reading at home.',
    ],
  },
  'Social, emotional and mental health': {
    observed: [
      '{name} has become withdrawn since the autumn: sits alone at lunch, is often close to tears and says {he} has a stomach ache most mornings.',
      '{name} finds it very hard to settle after break and has had several angry outbursts this half term, throwing equipment when frustrated.',
      '{name}’s attendance has dropped and {he} is often late. When in class {he} seems tired and anxious and asks to go to the toilet frequently.',
      'Low self-esteem: {name} says "I’m stupid" and screws up work before finishing it. {He} refuses to try new tasks in front of others.',
      '{name} is frequently involved in fallings-out with friends and struggles to calm down afterwards; {he} says nobody likes {him}.',
    ],
    tried: [
      'A calm-down card and a quiet space to go to; meet and greet at the classroom door. This has helped on most days.',
      'Regular check-ins with {him} and praise for small steps. Spoke to the pastoral lead and to {his} parents.',
      'Seating away from triggers, a job to do at the start of lessons and a consistent adult at break. Some improvement.',
      'Referred to the school’s ELSA for a chat; spoke with mum, who is also worried and says things are hard at home.',
    ],
  },
  'Sensory and/or physical': {
    observed: [
      '{name} often seems not to hear instructions, asks for things to be repeated and watches my face closely. Worse when the room is noisy.',
      '{name} squints at the board and holds books very close; {he} has copied several things wrongly from the board.',
      '{name} is clumsy: trips often, struggles with scissors and a ruler, and cannot yet do up buttons after PE.',
      '{name} covers {his} ears in assembly and the dinner hall and becomes distressed by some textures in art and food tech.',
    ],
    tried: [
      'Moved {him} to the front and face the class when talking. Asked {his} parents to arrange a hearing test.',
      'Printed copies of the board in a larger font; asked parents about an eye test.',
      'Chunky pencil grip, sloping board and extra time to change for PE. Fine motor activities in tutor time.',
      'Ear defenders in assembly and a quieter place to eat; warned {him} before fire drills. These have helped.',
    ],
  },
};

/** How long, as staff put it: [wording, the months (1–12) of raising it in which it makes sense, or all]. */
const DURATIONS: Array<[string, number[] | null]> = [
  ['Since the start of this term', null],
  ['About six weeks', null],
  ['Most of this half term', null],
  ['Getting worse over the last month', null],
  ['Since {he} joined the class', null],
  ['On and off since last year; more noticeable now', null],
  ['Since September', [10, 11, 12]],
  ['Since October half term', [11, 12]],
  ['Since Christmas', [1, 2, 3]],
  ['Since February half term', [3, 4]],
  ['Since Easter', [5, 6, 7]],
];

const NOTES: Record<Outcome, string[]> = {
  monitor: [
    'Thank you. Please keep going with what you have tried and keep a note of any change. Let’s look again at the end of the half term.',
    'I have checked {his} records and spoken to the form tutor. Keep the strategies in place; add {him} to the watch list and review in six weeks.',
    'Reading assessment shows {him} just below age-related expectations: monitor with quality first teaching and let me know if the gap widens.',
    'Spoken to parents, who think it is linked to a change at home. Monitor for now; pastoral team are aware.',
  ],
  'sen-support': [
    'Assessment confirms a significant gap. {name} has been added to SEN support and I will set up a plan with {his} parents; you will see the strategies on {his} passport.',
    'Agreed: added to SEN support. A small-group intervention starts after half term and I will share the plan with all {his} teachers.',
    'Thank you for the detailed concern. Parents agree to SEN support; plan meeting booked. Please keep using the writing frame.',
  ],
  // Referrals depend on the area of need: see REFERRALS.
  refer: [],
  'no-further-action': [
    'Latest assessments show {name} in line with the class. The difficulties seem to have settled since {he} moved seats, so no further action for now.',
    'Parents explained a short-term family matter that has now been resolved; {he} is much happier this week. No further action, but do tell me if it returns.',
    'Eye test came back clear and {name} is managing well with the printed copies. No further action needed.',
    'This looks like typical development for {his} age: keep the strategies in place. No further action.',
  ],
};

/** Where a concern is referred, by area of need. */
const REFERRALS: Record<Area, string[]> = {
  'Communication and interaction': [
    'Referred to the speech and language therapy service with parents’ consent; the waiting list is about 12 weeks.',
    'Parents have agreed to a referral to the communication and autism team; I have sent it with your notes.',
  ],
  'Cognition and learning': [
    'Referred to the educational psychologist for a cognitive assessment (next planning meeting). Parents have agreed.',
    'Referred to the local authority’s learning support service for a specialist literacy assessment.',
  ],
  'Social, emotional and mental health': [
    'Early help assessment started with the family and a referral made to the mental health support team.',
    'Referred to the school counsellor and the mental health support team, with parents’ agreement.',
  ],
  'Sensory and/or physical': [
    'Asked the school nurse to arrange a hearing test; parents have been told.',
    'Parents asked to see the optician; I have also referred to the local authority’s sensory support team.',
    'Referred to occupational therapy via the GP, with parents’ agreement.',
  ],
};

/** A school day on or before the date: weekends move to Friday, the summer holiday back into July. */
function schoolDayOnOrBefore(days: number): number {
  let day = Math.round(days);
  for (;;) {
    const date = new Date(day * DAY_MS);
    if (date.getUTCMonth() === 7) day -= 31; // August: the same date in July
    else if (date.getUTCMonth() === 6 && date.getUTCDate() > 21) day -= 9; // the end of July: before the holiday
    else if (date.getUTCDay() === 0) day -= 2;
    else if (date.getUTCDay() === 6) day -= 1;
    else return day;
  }
}
const at = (days: number, minutes: number) => new Date(days * DAY_MS + (8 * 60 + minutes) * 60_000).toISOString();

function pronouns(pupil: DemoPupil) {
  const female = pupil.sex === 'F';
  return { he: female ? 'she' : 'he', He: female ? 'She' : 'He', his: female ? 'her' : 'his', His: female ? 'Her' : 'His', him: female ? 'her' : 'him' };
}

function fill(template: string, pupil: DemoPupil): string {
  const words = pronouns(pupil);
  return template
    .replaceAll('{name}', pupil.preferredForename || pupil.legalForename)
    .replace(/\{(he|He|his|His|him)\}/g, (_match, key: keyof typeof words) => words[key]);
}

function areaOfNeed(need: NeedCode | undefined): Area | undefined {
  const area = need ? NEEDS[need].area : undefined;
  return area && area !== 'Other' ? area : undefined;
}

const AREAS = Object.keys(WORDING) as Area[];

export interface DemoDocument {
  row: documentsRepository.DocumentRow;
  model: DocumentModel;
}

export interface DemoConcernRows {
  concerns: concernsRepository.ConcernRow[];
  documents: DemoDocument[];
}

export interface DemoConcernCounts {
  concerns: number;
  open: number;
  documents: number;
}

/** Writes the demo's concerns and documents in the demo's transaction. */
export async function writeDemoConcerns(
  trx: DbOrTransaction,
  scope: SchoolScope,
  data: DemoSchoolData,
  ids: { pupilIds: Map<string, string>; userIds: Map<string, string> },
): Promise<DemoConcernCounts> {
  // A school whose SENCO is shared with another demo school has no SENCO of its own in `data`.
  const triagerId = data.users.some((user) => user.role === 'senco' || user.role === 'sen_admin') ? undefined : await concernsRepository.findTriager(trx, scope);
  const rows = generateDemoConcerns(data, { ...ids, triagerId });
  await concernsRepository.insertConcerns(trx, scope, rows.concerns);
  for (const document of rows.documents) {
    const bytes = await renderPdf(document.model);
    const verified = verifyFile({ filename: document.row.filename, bytes });
    await documentsRepository.insertDocument(trx, scope, { ...document.row, size_bytes: verified.sizeBytes, sha256: verified.sha256, content_type: verified.contentType }, bytes);
  }
  return { concerns: rows.concerns.length, open: rows.concerns.filter((row) => row.status === 'open').length, documents: rows.documents.length };
}

export function generateDemoConcerns(data: DemoSchoolData, ids: { pupilIds: Map<string, string>; userIds: Map<string, string>; triagerId?: string | undefined }): DemoConcernRows {
  const next = mulberry32((data.seed ^ 0x0c0c_3e55 ^ data.pupils.length) >>> 0);
  const { chance, int, pick } = drawsFrom(next);
  const asOf = toDays(data.asOf);
  const today = schoolDayOnOrBefore(asOf - 1);

  const userById = new Map(data.users.map((user) => [user.key, user]));
  const senco = data.users.find((user) => user.role === 'senco' && user.signIn) ?? data.users.find((user) => user.role === 'senco');
  const triagerKey = (senco ?? data.users.find((user) => user.role === 'sen_admin'))?.key;
  const triagerId = triagerKey ? ids.userIds.get(triagerKey) : ids.triagerId;
  const uploaderKey = data.users.find((user) => user.role === 'sen_admin')?.key;
  const uploaderId = (uploaderKey ? ids.userIds.get(uploaderKey) : undefined) ?? triagerId ?? null;
  if (!triagerId) return { concerns: [], documents: [] };

  // Who teaches whom: staff of every group a pupil is in.
  const groupByKey = new Map(data.groups.map((group) => [group.key, group]));
  const staffOf = new Map<string, string[]>();
  for (const link of data.groupStaff) {
    const user = userById.get(link.userKey);
    if (!user || (user.role !== 'teacher' && user.role !== 'teaching_assistant')) continue;
    for (const pupilKey of groupByKey.get(link.groupKey)?.pupilKeys ?? []) {
      const list = staffOf.get(pupilKey) ?? [];
      if (!list.includes(link.userKey)) list.push(link.userKey);
      staffOf.set(pupilKey, list);
    }
  }
  const taught = data.pupils.filter((pupil) => staffOf.has(pupil.key));
  const signInStaff = data.users.filter((user) => user.signIn && (user.role === 'teacher' || user.role === 'teaching_assistant')).map((user) => user.key);

  interface Plan {
    pupil: DemoPupil;
    raisedBy: string;
    raisedDay: number;
    area: Area | undefined;
    outcome: Outcome | 'open';
    decidedDay?: number;
  }
  const plans: Plan[] = [];
  const used = new Set<string>();
  const raiserOf = (pupil: DemoPupil, prefer?: string) => {
    const staff = staffOf.get(pupil.key)!;
    return prefer && staff.includes(prefer) ? prefer : pick(staff);
  };

  // Pupils added to SEN support this year: a concern came first.
  for (const pupil of taught) {
    const added = pupil.senHistory.find((change) => change.provisionBefore === 'N' && change.provisionAfter === 'K' && toDays(change.date) > asOf - 330 && toDays(change.date) < asOf - 10);
    if (!added || !chance(0.8)) continue;
    const decided = schoolDayOnOrBefore(toDays(added.date) - int(3, 15));
    const raised = schoolDayOnOrBefore(decided - int(10, 35));
    plans.push({ pupil, raisedBy: raiserOf(pupil), raisedDay: raised, area: areaOfNeed(added.needsAfter[0]?.need as NeedCode | undefined), outcome: 'sen-support', decidedDay: decided });
    used.add(pupil.key);
  }

  // Concerns about pupils with no SEN (most), and a few on SEN support about something new.
  const target = Math.max(8, Math.round(data.pupils.length / 22));
  const candidates = taught.filter((pupil) => !used.has(pupil.key) && (pupil.sen.provision === 'N' || pupil.sen.provision === 'K'));
  const noSen = candidates.filter((pupil) => pupil.sen.provision === 'N');
  const support = candidates.filter((pupil) => pupil.sen.provision === 'K');
  // The demo's signed-in teacher and teaching assistant have raised some of their own.
  const forStaff = (userKey: string) => candidates.filter((pupil) => staffOf.get(pupil.key)!.includes(userKey));
  const chosen: Array<{ pupil: DemoPupil; raisedBy?: string }> = [];
  for (const userKey of signInStaff) {
    const theirs = forStaff(userKey).filter((pupil) => pupil.sen.provision === 'N');
    for (let index = 0; index < 4 && theirs.length; index++) {
      const pupil = theirs.splice(Math.floor(next() * theirs.length), 1)[0]!;
      if (!used.has(pupil.key)) {
        chosen.push({ pupil, raisedBy: userKey });
        used.add(pupil.key);
      }
    }
  }
  while (chosen.length < target - plans.length && (noSen.length || support.length)) {
    const pool = support.length && (chance(0.2) || !noSen.length) ? support : noSen;
    const pupil = pool.splice(Math.floor(next() * pool.length), 1)[0]!;
    if (used.has(pupil.key)) continue;
    used.add(pupil.key);
    chosen.push({ pupil });
  }
  for (const { pupil, raisedBy } of chosen) {
    const existing = pupil.sen.needs.map((need) => areaOfNeed(need.need as NeedCode)).filter(Boolean);
    const area = pupil.sen.provision === 'K' ? pick(AREAS.filter((entry) => !existing.includes(entry))) : pick(AREAS);
    let back = int(20, 350);
    while (new Date((asOf - back) * DAY_MS).getUTCMonth() === 7) back = int(20, 350); // nobody raises a concern in August
    const raised = schoolDayOnOrBefore(asOf - back);
    const roll = next();
    const outcome: Outcome =
      pupil.sen.provision === 'K'
        ? roll < 0.55 ? 'monitor' : 'refer'
        : roll < 0.45 ? 'monitor' : roll < 0.7 ? 'refer' : 'no-further-action';
    plans.push({ pupil, raisedBy: raiserOf(pupil, raisedBy), raisedDay: raised, area, outcome, decidedDay: Math.min(today, schoolDayOnOrBefore(raised + int(4, 16))) });
  }

  // The latest few are awaiting triage (3 to 6), one of them the signed-in teacher's; one or two with a work sample.
  plans.sort((a, b) => a.raisedDay - b.raisedDay);
  const undecided = plans.filter((plan) => plan.outcome !== 'sen-support');
  const openCount = Math.min(undecided.length, data.pupils.length >= 500 ? int(4, 6) : 3);
  const teacherKey = signInStaff.find((key) => userById.get(key)?.role === 'teacher');
  const teachers = teacherKey ? undecided.filter((plan) => plan.raisedBy === teacherKey).slice(-1) : [];
  const latest = [...teachers, ...undecided.filter((plan) => !teachers.includes(plan)).slice(-(openCount - teachers.length))].slice(0, openCount);
  latest.sort((a, b) => a.raisedDay - b.raisedDay);
  latest.forEach((plan, index) => {
    plan.outcome = 'open';
    plan.decidedDay = undefined;
    plan.raisedDay = schoolDayOnOrBefore(today - [2, 5, 8, 12, 16, 20][latest.length - 1 - index]!);
  });
  const withEvidence = new Set(latest.slice(-Math.min(2, latest.length)).slice(0, latest.length >= 4 ? 2 : 1));
  for (const plan of withEvidence) plan.area = 'Cognition and learning';

  const concerns: concernsRepository.ConcernRow[] = [];
  const documents: DemoDocument[] = [];
  plans.sort((a, b) => a.raisedDay - b.raisedDay);
  for (const plan of plans) {
    const area = plan.area ?? pick(AREAS);
    const wording = WORDING[area];
    const id = newId(Date.parse(at(plan.raisedDay, 0)));
    const raisedAt = at(plan.raisedDay, int(0, 8 * 60));
    const open = plan.outcome === 'open';
    const outcome = open ? null : (plan.outcome as Outcome);
    concerns.push({
      id,
      pupil_id: ids.pupilIds.get(plan.pupil.key)!,
      raised_by: ids.userIds.get(plan.raisedBy)!,
      raised_at: raisedAt,
      area: chance(0.2) ? null : area,
      observed: fill(withEvidence.has(plan) ? wording.observed[pick([0, 1, 4])]! : pick(wording.observed), plan.pupil),
      tried: fill(pick(wording.tried), plan.pupil),
      duration: fill(pick(DURATIONS.filter(([, months]) => !months || months.includes(new Date(plan.raisedDay * DAY_MS).getUTCMonth() + 1)))[0], plan.pupil),
      status: open ? 'open' : 'closed',
      outcome,
      outcome_note: outcome && (outcome === 'refer' || outcome === 'no-further-action' || chance(0.7)) ? fill(pick(outcome === 'refer' ? REFERRALS[area] : NOTES[outcome]), plan.pupil) : null,
      outcome_by: outcome ? triagerId : null,
      outcome_at: outcome && plan.decidedDay !== undefined ? at(Math.max(plan.decidedDay, plan.raisedDay + 1), int(8 * 60, 10 * 60)) : null,
    });
    if (withEvidence.has(plan)) documents.push(workSample(plan.pupil, ids.pupilIds.get(plan.pupil.key)!, id, ids.userIds.get(plan.raisedBy)!, raisedAt, data.school.name));
  }

  // Reports on file for some pupils on SEN support or with an EHC plan.
  const withSen = data.pupils.filter((pupil) => pupil.sen.provision === 'K' || pupil.sen.provision === 'E');
  for (const pupil of withSen) {
    const primary = pupil.sen.needs[0]?.need as NeedCode | undefined;
    const share = pupil.sen.provision === 'E' ? 0.75 : 0.16;
    if (!chance(share)) continue;
    const kinds = reportKinds(primary, pupil.sen.provision === 'E');
    const chosenKinds = pupil.sen.provision === 'E' ? kinds.slice(0, int(1, 3)) : [pick(kinds)];
    const since = pupil.sen.since ? toDays(pupil.sen.since) : asOf - 700;
    for (const kind of chosenKinds) {
      const dated = schoolDayOnOrBefore(Math.max(since + 20, asOf - int(30, 700)));
      if (dated >= today) continue;
      const uploaded = Math.max(dated, schoolDayOnOrBefore(Math.min(today, dated + int(2, 14))));
      documents.push(report(kind, pupil, ids.pupilIds.get(pupil.key)!, fromDays(dated), at(uploaded, int(0, 8 * 60)), uploaderId, data.school.name, next));
    }
  }
  return { concerns, documents };
}

type ReportKind = 'ep' | 'salt' | 'ot' | 'medical' | 'camhs';

function reportKinds(need: NeedCode | undefined, ehcp: boolean): ReportKind[] {
  const kinds: ReportKind[] = [];
  if (need === 'SLCN' || need === 'ASD') kinds.push('salt');
  if (need === 'PD' || need === 'MSI' || need === 'SPLD') kinds.push('ot');
  if (need === 'SEMH') kinds.push('camhs');
  if (need === 'HI' || need === 'VI' || need === 'PD') kinds.push('medical');
  if (ehcp || need === 'MLD' || need === 'SLD' || need === 'SPLD') kinds.unshift('ep');
  return kinds.length ? kinds : ['ep'];
}

const REPORTS: Record<ReportKind, { title: string; author: string; service: string; confidential: boolean; sections: Array<[string, string]>; recommendations: string[] }> = {
  ep: {
    title: 'Educational psychology report',
    author: 'Dr Helen Marsh, Educational Psychologist',
    service: 'Northshire Educational Psychology Service',
    confidential: true,
    sections: [
      ['Reason for involvement', 'School asked for advice on {name}’s learning, which has progressed more slowly than that of {his} peers despite targeted support over several terms.'],
      ['Assessment', 'I observed {name} in class, talked with {him}, {his} parents and staff, and carried out standardised assessments. {His} verbal reasoning is within the average range; working memory and processing speed are well below average, which explains why {he} loses track of longer instructions and tasks.'],
      ['What {name} says', '{name} told me {he} likes art and football, and that maths is "the hardest bit" because "the numbers fall out of my head".'],
    ],
    recommendations: ['Give instructions one step at a time, with a written or visual reminder.', 'Reduce copying from the board: provide printed notes.', 'Pre-teach key vocabulary before new topics.', 'Short daily precision teaching for number facts.'],
  },
  salt: {
    title: 'Speech and language therapy report',
    author: 'Amira Khan, Speech and Language Therapist',
    service: 'Northshire Children’s Speech and Language Therapy',
    confidential: false,
    sections: [
      ['Background', '{name} was referred by school because of difficulties following instructions and joining in with discussion.'],
      ['Assessment', 'Formal assessment (CELF-5) shows receptive language in the low range and expressive language in the below-average range. {name} understands concrete vocabulary well but finds abstract words, inference and multi-part instructions difficult.'],
    ],
    recommendations: ['Use visual supports alongside spoken instructions.', 'Check understanding by asking {name} to explain the task back.', 'Teach topic vocabulary explicitly using word maps.', 'Small-group language sessions three times a week (Talk Boost or similar).'],
  },
  ot: {
    title: 'Occupational therapy report',
    author: 'James Okafor, Occupational Therapist',
    service: 'Northshire Children’s Occupational Therapy',
    confidential: false,
    sections: [
      ['Background', 'Referred because of slow, effortful handwriting and difficulties with practical tasks.'],
      ['Findings', '{name} has reduced hand strength and difficulties with motor planning. Posture at the desk is poor and {he} tires quickly when writing.'],
    ],
    recommendations: ['A sloping writing board and pencil grip.', 'Daily fine motor activities (five minutes).', 'Allow a laptop for longer written tasks.', 'Extra time for changing for PE.'],
  },
  medical: {
    title: 'Letter from the paediatric clinic',
    author: 'Dr S. Ahmed, Consultant Paediatrician',
    service: 'Northshire Hospital Children’s Services',
    confidential: false,
    sections: [
      ['Summary', '{name} was seen in clinic for review. {His} condition is stable and {he} is managing well with the current arrangements.'],
      ['Advice for school', 'Please continue to seat {name} near the front of the class and allow rest breaks when needed. There are no restrictions on PE.'],
    ],
    recommendations: ['Seat near the front, facing the teacher.', 'Rest breaks when tired.', 'Share any concerns with parents and the school nurse.'],
  },
  camhs: {
    title: 'CAMHS assessment summary',
    author: 'Claire Bennett, Clinical Psychologist',
    service: 'Northshire Child and Adolescent Mental Health Services',
    confidential: true,
    sections: [
      ['Reason for referral', '{name} was referred by the GP because of low mood and anxiety affecting attendance.'],
      ['Assessment', 'We met {name} and {his} parent over two appointments. {name} describes worry about school work and friendships, with difficulty sleeping. A course of cognitive behavioural therapy has been offered.'],
    ],
    recommendations: ['A named adult in school for regular check-ins.', 'A quiet place to go when anxious, with a time-out card.', 'A gradual plan for any missed work, agreed with {name}.'],
  },
};

function report(kind: ReportKind, pupil: DemoPupil, pupilId: string, date: string, uploadedAt: string, uploadedBy: string | null, schoolName: string, next: () => number): DemoDocument {
  const spec = REPORTS[kind];
  const name = `${pupil.preferredForename || pupil.legalForename} ${pupil.legalSurname}`;
  const term = ['spring', 'summer', 'autumn'][Math.floor((Number(date.slice(5, 7)) - 1) / 4)] ?? 'autumn';
  return {
    row: {
      id: newId(Date.parse(uploadedAt)),
      pupil_id: pupilId,
      title: `${spec.title}, ${term} ${date.slice(0, 4)}`,
      category: kind,
      document_date: date,
      filename: `${spec.title} - ${name}.pdf`,
      content_type: 'application/pdf',
      size_bytes: 0,
      sha256: '',
      confidential: spec.confidential || (kind === 'medical' && next() < 0.3) ? 1 : 0,
      concern_id: null,
      uploaded_by: uploadedBy,
      uploaded_at: uploadedAt,
      removed_by: null,
      removed_at: null,
    },
    model: {
      title: spec.title,
      subtitle: `${name}, ${yearGroupLabel(pupil.yearGroup)}`,
      subject: spec.title,
      schoolName: spec.service,
      created: new Date(`${date}T09:00:00Z`),
      blocks: [
        summary([
          { key: 'Name', value: name },
          { key: 'Date of birth', value: pupil.dateOfBirth.split('-').reverse().join('/') },
          { key: 'School', value: schoolName },
          { key: 'Date of report', value: date.split('-').reverse().join('/') },
          { key: 'Written by', value: spec.author },
        ]),
        ...spec.sections.flatMap(([title, text]) => [heading(fill(title, pupil)), paragraph(fill(text, pupil))]),
        heading('Recommendations'),
        bullets(spec.recommendations.map((text) => fill(text, pupil))),
      ],
    },
  };
}

function workSample(pupil: DemoPupil, pupilId: string, concernId: string, userId: string, raisedAt: string, schoolName: string): DemoDocument {
  const forename = pupil.preferredForename || pupil.legalForename;
  const date = raisedAt.slice(0, 10);
  const filename = `${forename} work sample ${date}.pdf`;
  return {
    row: {
      id: newId(Date.parse(raisedAt)),
      pupil_id: pupilId,
      title: filename.replace(/\.pdf$/, ''),
      category: EVIDENCE_CATEGORY,
      document_date: date,
      filename,
      content_type: 'application/pdf',
      size_bytes: 0,
      sha256: '',
      confidential: 0,
      concern_id: concernId,
      uploaded_by: userId,
      uploaded_at: raisedAt,
      removed_by: null,
      removed_at: null,
    },
    model: {
      title: 'Work sample',
      subtitle: `${forename} ${pupil.legalSurname}, ${yearGroupLabel(pupil.yearGroup)}`,
      schoolName,
      created: new Date(raisedAt),
      blocks: [
        paragraph(`Independent writing task, copied as written on ${date.split('-').reverse().join('/')}. The task was to describe a favourite place in five sentences.`),
        heading('What was written'),
        paragraph('my favrit plase is the park. I go ther with my nan. it has a big slid and swins. I like the ducs'),
        heading('Notes'),
        bullets(['Took 25 minutes with a word mat and a writing frame.', 'Asked for the task to be repeated twice.', 'Did not use full stops without a reminder.']),
      ],
    },
  };
}
