// A year of SEN support plans for a demo school: for most pupils on SEN support or with an EHC plan,
// termly assess–plan–do–review cycles (two or three closed with rated reviews, and a current one)
// with targets, strategies and "do" arrangements written for their primary need; some reviews overdue,
// some due soon, and some pupils on SEN support with no plan yet. Intervention group memberships from
// the demo's provision are linked to the plan that asked for them. Deterministic: the same school,
// seed and date give the same plans. Written in the demo's transaction.
import type { DbOrTransaction } from '../../db/database.ts';
import type { SupportCyclesTable, SupportDoItemsTable, SupportStrategiesTable, SupportTargetsTable } from '../../db/schema.ts';
import { newId } from '../../platform/ids.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import * as provisionRepository from '../provision/repository.ts';
import { NEEDS, type NeedCode } from '../register/census.ts';
import * as plansRepository from '../plans/repository.ts';
import { addDaysIso, defaultReviewDate, type Rating } from '../plans/rules.ts';
import { getCurrentTemplate } from '../plans/templates.ts';
import { mulberry32, type DemoSchoolData } from './generator.ts';
import { drawsFrom } from './helpers.ts';

type Area = 'communication' | 'learning' | 'semh' | 'sensory';

function areaOf(need: NeedCode | undefined): Area {
  if (!need) return 'learning';
  const area = NEEDS[need].area;
  if (area === 'Communication and interaction') return 'communication';
  if (area === 'Social, emotional and mental health') return 'semh';
  if (area === 'Sensory and/or physical') return 'sensory';
  return 'learning';
}

interface TargetIdea { area: string; target: string; criterion: string }

// Written as SENCOs write them: what the pupil will do, how the school will know, in plain words.
const TARGETS: Record<Area, TargetIdea[]> = {
  communication: [
    { area: 'Listening', target: 'Follow a two-step instruction given to the whole class', criterion: 'Does so without a reminder 4 times out of 5, seen by the class teacher over a week' },
    { area: 'Vocabulary', target: 'Learn and use 10 new topic words each half term', criterion: 'Uses 8 of the 10 words correctly when explaining their work to an adult' },
    { area: 'Talking', target: 'Ask an adult for help using a sentence, not by waiting', criterion: 'Asks for help in at least 3 lessons a week, noted on the help card tally' },
    { area: 'Social communication', target: 'Take turns in a small-group conversation', criterion: 'Waits for their turn and responds on topic in 3 of 4 Talk Boost sessions' },
    { area: 'Understanding', target: 'Answer “why” and “how” questions about a short text', criterion: 'Answers 3 of 4 questions correctly in a guided reading session' },
    { area: 'Transitions', target: 'Move between lessons using a visual timetable without adult help', criterion: 'Arrives calmly at every lesson for two weeks in a row' },
  ],
  learning: [
    { area: 'Reading', target: 'Read the first 100 high-frequency words', criterion: 'Reads 90 of the 100 words correctly on three separate days' },
    { area: 'Phonics', target: 'Blend and read words with the sounds “ai”, “ee”, “igh” and “oa”', criterion: 'Reads 18 of 20 such words correctly in a check with the teaching assistant' },
    { area: 'Spelling', target: 'Spell the year group’s common exception words', criterion: 'Spells 15 of 20 words correctly in a weekly dictation, three weeks running' },
    { area: 'Writing', target: 'Write three sentences in a row with capital letters and full stops', criterion: 'Does so in 3 of 4 pieces of independent writing' },
    { area: 'Number', target: 'Recall number bonds to 10 quickly', criterion: 'Answers 18 of 20 in under two minutes' },
    { area: 'Maths', target: 'Use a number line to add and subtract two-digit numbers', criterion: 'Gets 8 of 10 calculations right in a lesson without adult help' },
    { area: 'Organisation', target: 'Start a task within two minutes using a task checklist', criterion: 'Starts on time in 4 of 5 lessons, noted by the class teacher' },
  ],
  semh: [
    { area: 'Emotional regulation', target: 'Name how they are feeling using the zones of regulation', criterion: 'Uses the zones chart to say how they feel at each check-in for two weeks' },
    { area: 'Calming strategies', target: 'Use the agreed calm-down plan when upset, instead of leaving the room', criterion: 'Uses the plan on 4 of 5 occasions, recorded on the behaviour log' },
    { area: 'Friendships', target: 'Join a game at break time with a friend', criterion: 'Seen playing with others on at least 3 days a week by lunchtime staff' },
    { area: 'Attendance', target: 'Arrive at school and go into class calmly each morning', criterion: 'Attendance above 95% over the half term, with a calm start most days' },
    { area: 'Self-esteem', target: 'Say one thing they did well at the end of each day', criterion: 'Does so at the end-of-day check-in on 4 of 5 days' },
    { area: 'Anxiety', target: 'Tell an adult when they feel worried, using their worry card', criterion: 'Uses the card at least once a week and says it helped' },
  ],
  sensory: [
    { area: 'Fine motor', target: 'Form all lower-case letters correctly, sitting on the line', criterion: 'Letters correctly formed in 3 of 4 handwriting samples' },
    { area: 'Independence', target: 'Get changed for PE independently within 10 minutes', criterion: 'Does so in 4 of 5 PE lessons' },
    { area: 'Equipment', target: 'Set up their own equipment (magnifier, radio aid or sloping board) at the start of lessons', criterion: 'Ready to learn within 3 minutes in every lesson for a week' },
    { area: 'Self-advocacy', target: 'Tell a new adult what helps them see, hear or move around the classroom', criterion: 'Explains their needs to a supply or new teacher on two occasions' },
    { area: 'Mobility', target: 'Move safely around the school at busy times', criterion: 'Moves between lessons safely with the agreed early leave, with no incidents for a half term' },
  ],
};

const STRATEGIES: Record<Area, string[]> = {
  communication: [
    'Give one instruction at a time, using the pupil’s name first, and check they have understood',
    'Use visual prompts and a visual timetable; warn the pupil before any change to routine',
    'Pre-teach key vocabulary before each new topic and display it on the table',
    'Allow extra thinking time (count to 10) before expecting an answer',
    'Pair with a supportive talk partner for group work',
    'Use short, clear sentences and avoid sarcasm or idioms',
  ],
  learning: [
    'Break tasks into small steps with a checklist the pupil can tick',
    'Provide word mats, number lines and writing frames on the table',
    'Print on cream paper in a clear font at size 14',
    'Do not ask the pupil to read aloud in front of the class unless they have practised',
    'Check understanding after giving instructions; ask the pupil to repeat them back',
    'Allow alternatives to writing, such as labelled diagrams or recording answers',
    'Use concrete equipment in maths for as long as it helps',
  ],
  semh: [
    'Greet the pupil warmly at the door and give a job to start the lesson',
    'Agree a discreet signal the pupil can use to ask for a short break',
    'Use the agreed calm space and calm-down plan; keep language short and calm when the pupil is upset',
    'Praise specific effort privately rather than in front of the class',
    'Give advance warning of changes, cover teachers and trips',
    'Seat away from busy areas of the classroom, near a calm peer',
  ],
  sensory: [
    'Seat the pupil where they can see the board and the teacher’s face clearly',
    'Provide enlarged print (size 18) and copies of slides in advance',
    'Use the radio aid consistently and repeat other pupils’ answers',
    'Allow extra time to move between lessons and leave five minutes early',
    'Provide a sloping board and pencil grip for writing',
    'Check equipment is working at the start of each lesson',
  ],
};

const DO_ITEMS: Record<Area, Array<[string, string, string]>> = {
  communication: [
    ['Teaching assistant', 'Talk Boost language group: vocabulary, listening and turn-taking', 'Three times a week, 30 minutes'],
    ['Speech and language therapist', 'Assessment and advice; sets targets for the programme in school', 'Once a half term'],
    ['Class teacher', 'Pre-teaches topic vocabulary and checks understanding', 'Every new topic'],
    ['SENCO', 'Meets parents to share progress and agree next steps', 'Once a term'],
  ],
  learning: [
    ['Teaching assistant', 'Precision teaching of high-frequency words and spellings', 'Daily, 10 minutes'],
    ['Teaching assistant', 'Lexia reading practice in a small group', 'Three times a week, 30 minutes'],
    ['Class teacher', 'Plans differentiated tasks with word mats and writing frames', 'Every lesson'],
    ['Parents', 'Read with the pupil and practise spellings at home', 'Most evenings, 10 minutes'],
    ['SENCO', 'Checks reading and spelling ages and shares them with parents', 'Once a term'],
  ],
  semh: [
    ['Emotional literacy support assistant', 'ELSA sessions on recognising and managing feelings', 'Weekly, 45 minutes'],
    ['Key adult (teaching assistant)', 'Morning check-in and end-of-day check-out', 'Daily, 5 minutes'],
    ['Lunchtime staff', 'Nurture club at lunchtime', 'Daily, 30 minutes'],
    ['SENCO', 'Liaises with the school nurse and family support worker', 'As needed, reviewed half-termly'],
  ],
  sensory: [
    ['Teaching assistant', 'Fine motor skills group', 'Twice a week, 30 minutes'],
    ['Qualified teacher of the visually or hearing impaired', 'Visits to check equipment and advise staff', 'Once a half term'],
    ['Class teacher', 'Prepares enlarged or adapted resources in advance', 'Every lesson'],
    ['Occupational therapist', 'Programme of exercises, carried out by the teaching assistant', 'Reviewed termly'],
  ],
};

const NEEDS_SUMMARY: Record<Area, string[]> = {
  communication: [
    '{name} has speech, language and communication needs. They find it hard to follow longer spoken instructions and to find the words they need, especially when tired. They are friendly and keen to join in.',
    '{name} has a diagnosis of autism. Changes to routine and busy, noisy places are difficult for them. They have a strong interest in {interest} and learn well when it is used.',
  ],
  learning: [
    '{name} has difficulties with reading and spelling consistent with dyslexia. Their reading age is well below their age, though they understand a great deal when text is read to them.',
    '{name} learns more slowly than most pupils of their age in reading, writing and maths, and needs more repetition to remember what they have learnt. They work hard and respond well to praise.',
  ],
  semh: [
    '{name} finds it hard to manage strong feelings, especially at unstructured times such as break and lunch. Incidents have reduced since they started working with a key adult.',
    '{name} experiences anxiety, which affects their attendance and how much they join in class. They are more settled when they know what is going to happen.',
  ],
  sensory: [
    '{name} has a visual impairment and needs enlarged print and a seat near the front. They are independent with their equipment when reminded.',
    '{name} has a hearing impairment and uses a radio aid. They can miss what other pupils say in discussion and can tire towards the end of the day.',
  ],
};

const INTERESTS = ['dinosaurs', 'trains', 'football', 'drawing', 'Minecraft', 'animals', 'space', 'music'];

const PUPIL_VOICE: Record<'younger' | 'older', Record<Area, string[]>> = {
  younger: {
    communication: ['“I like it when my teacher shows me pictures. Sometimes I don’t know what to do.”', '“I like playing with my friends. Talking in front of everyone is scary.”'],
    learning: ['“Reading is hard. I like it when Miss reads to me.”', '“I’m good at drawing and maths is getting easier.”'],
    semh: ['“Sometimes I get really cross and I don’t know why. The calm corner helps.”', '“I like my check-in with Mrs Ali. Playtime is hard.”'],
    sensory: ['“I need to sit at the front so I can see.”', '“My special pen helps me write.”'],
  },
  older: {
    communication: ['“I prefer it when teachers write the homework on the board. Group work is hard.”', '“I don’t like it when the plan changes without me knowing.”'],
    learning: ['“I know the answers but writing them down takes ages. The word mats help.”', '“I don’t like reading out loud in class.”'],
    semh: ['“Having a time-out card means I don’t get in trouble when it gets too much.”', '“Mornings are the worst. It helps when someone meets me at the gate.”'],
    sensory: ['“I’d rather have the slides before the lesson than ask in front of everyone.”', '“Leaving lessons early stops me getting knocked in the corridor.”'],
  },
};

const PARENT_VOICE: Record<Area, string[]> = {
  communication: ['Mum says {name} talks a lot more at home than at school and loves building Lego. She would like {name} to make a close friend.', 'Dad says {name} gets upset when plans change and needs warning. He is pleased with the language group.'],
  learning: ['Mum says homework is a battle and {name} gets upset about reading. She would like to know how to help at home.', 'Parents say {name} is more confident this year and enjoys reading with an older sister.'],
  semh: ['Mum says mornings are very hard and {name} often says they feel sick before school. She values the daily check-in.', 'Carer says {name} has settled well at home and wants school to keep the same key adult.'],
  sensory: ['Parents say {name} is getting more independent with equipment and wants to do more for themselves.', 'Mum says {name} is tired by the end of the day and needs a quiet evening.'],
};

const TEACHER_VOICE: Record<Area, string[]> = {
  communication: ['Class teacher: joins in well with visual support; struggles with whole-class instructions and group discussions.', 'Form tutor: well liked by peers; needs help at the start of lessons and with homework instructions.'],
  learning: ['Class teacher: good ideas orally but written work is short; reading and spelling are well below the class.', 'Maths teacher: relies on counting on fingers; making progress with concrete equipment.'],
  semh: ['Class teacher: calmer in the mornings; incidents mostly at lunch. Responds well to praise given privately.', 'Head of year: attendance improving since the check-ins began; still avoids some lessons.'],
  sensory: ['Class teacher: works hard; tires in the afternoon. Needs resources ready in advance.', 'PE teacher: needs adjustments in team games but joins in fully when these are made.'],
};

const ASSESSMENTS: Record<Area, string[]> = {
  communication: ['Speech and language therapy assessment: receptive language below the expected range; expressive vocabulary at the low end of average.', 'Talk Boost entry score 4 of 10.'],
  learning: ['Standardised reading score 78; spelling age two years below chronological age.', 'Sandwell maths assessment: standardised score 82.'],
  semh: ['Strengths and Difficulties Questionnaire (teacher): emotional symptoms raised.', 'Boxall Profile: needs in self-regulation and relationships.'],
  sensory: ['Qualified teacher of the visually impaired: functional vision assessment, needs size 18 print.', 'Audiology report: moderate hearing loss, radio aid recommended.'],
};

const REVIEW_PROGRESS = {
  good: ['{name} has made good progress this term and met most of their targets.', 'Real progress this term: {name} is more confident and independent.'],
  some: ['{name} has made some progress, though not all targets were met. The support is helping and should continue.', 'Progress has been steady but slower than hoped; {name} needs more time on the same targets.'],
  little: ['{name} has made little progress this term. Attendance and a difficult few weeks at home have affected this.', 'Progress has been limited; we have agreed to change the approach and ask for outside advice.'],
};

const REVIEW_VIEWS = [
  'Mum and {name} came to the review. {name} said the groups help and they would like to keep them. Mum is pleased with the communication from school.',
  'Dad attended. {name} shared their work and said what they find hard. Dad would like more ideas for home.',
  '{name} gave their views through the pupil form. Parents said things are calmer at home.',
];

const REVIEW_CHANGES = [
  'Keep the current provision. New targets set for reading and writing.',
  'Continue targets not yet met; add a speech and language referral.',
  'Reduce adult support in lessons to build independence; keep the check-ins.',
  'Stop the fine motor group (targets met); start a handwriting programme at home.',
];

/** The school's demo plans as rows, ready to insert; pure, so it can be tested. */
export interface DemoPlanRows {
  cycles: Array<Omit<SupportCyclesTable, 'school_id' | 'assess'> & { assess: string }>;
  targets: Array<Omit<SupportTargetsTable, 'school_id'>>;
  strategies: Array<Omit<SupportStrategiesTable, 'school_id'>>;
  doItems: Array<Omit<SupportDoItemsTable, 'school_id'>>;
}

function weekday(date: string): string {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day === 6 ? addDaysIso(date, 2) : day === 0 ? addDaysIso(date, 1) : date;
}

export function generateDemoPlans(
  data: DemoSchoolData,
  ids: { pupilIds: Map<string, string>; userIds: Map<string, string> },
  templates: { planTemplateId: string; reviewTemplateId: string },
): DemoPlanRows {
  const next = mulberry32((data.seed ^ 0x91a7_3003 ^ data.pupils.length) >>> 0);
  const { chance, int, pick } = drawsFrom(next);
  const pickSome = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    return out;
  };
  const rows: DemoPlanRows = { cycles: [], targets: [], strategies: [], doItems: [] };
  const senco = data.users.find((user) => user.role === 'senco' && user.signIn) ?? data.users.find((user) => user.role === 'senco');
  const sencoId = senco ? (ids.userIds.get(senco.key) ?? null) : null;
  const yearAgo = addDaysIso(data.asOf, -365);

  const supported = data.pupils.filter((pupil) => pupil.sen.provision === 'K' || pupil.sen.provision === 'E');
  for (const pupil of supported) {
    const pupilId = ids.pupilIds.get(pupil.key)!;
    const since = pupil.sen.since ?? yearAgo;
    // Some pupils on SEN support have no plan yet: mostly those placed on it recently.
    const recent = since > addDaysIso(data.asOf, -60);
    if (pupil.sen.provision === 'K' && chance(recent ? 0.6 : 0.08)) continue;
    const area = areaOf([...pupil.sen.needs].sort((a, b) => a.rank - b.rank)[0]?.need);
    const name = pupil.preferredForename ?? pupil.legalForename;
    const fill = (text: string) => text.replaceAll('{name}', name).replaceAll('{interest}', pick(INTERESTS));
    const age = pupil.yearGroup <= 6 ? 'younger' : 'older';
    let start = weekday(since > yearAgo ? since : addDaysIso(yearAgo, int(0, 20)));
    if (start >= data.asOf) start = weekday(addDaysIso(data.asOf, -int(3, 20)));
    // An overdue review: the last plan ran past its date without a review being held.
    const overdue = chance(0.12);
    let assess: Record<string, string> = {
      needs: fill(pick(NEEDS_SUMMARY[area])),
      assessments: pick(ASSESSMENTS[area]),
      'pupil-views': pick(PUPIL_VOICE[age][area]),
      'parent-views': fill(pick(PARENT_VOICE[area])),
      'teacher-views': pick(TEACHER_VOICE[area]),
    };
    let carried: Array<{ idea: TargetIdea; from: string }> = [];
    let strategies = pickSome(STRATEGIES[area], int(3, 4)).map((text) => ({ text, from: null as string | null }));
    let doItems = pickSome(DO_ITEMS[area], int(2, 3)).map((item) => ({ item, from: null as string | null }));
    let previousId: string | null = null;
    let used = new Set<string>();
    for (let number = 1; number <= 6; number += 1) {
      const cycleId = newId();
      let due = defaultReviewDate(start);
      const reviewedOn = weekday(addDaysIso(due, int(-6, 8)));
      const last = defaultReviewDate(reviewedOn) >= data.asOf;
      const closes = reviewedOn < data.asOf && !(overdue && last);
      // An overdue plan: its review (moved once by the SENCO) fell in the last few weeks and has not been held.
      if (!closes && overdue && reviewedOn < data.asOf) {
        const moved = weekday(addDaysIso(data.asOf, -int(3, 40)));
        due = moved > addDaysIso(start, 42) ? moved : addDaysIso(start, 42);
      }
      const targetIdeas = [...carried];
      const fresh = (ideas: TargetIdea[]) => ideas.filter((entry) => !used.has(entry.target) && !targetIdeas.some((t) => t.idea.target === entry.target));
      const wanted = Math.max(0, int(3, 4) - targetIdeas.length);
      // When the targets for their need are used up, the next plan moves on to other areas (often literacy or independence).
      for (const pool of [TARGETS[area], TARGETS.learning, Object.values(TARGETS).flat()]) {
        for (const idea of pickSome(fresh(pool), wanted - (targetIdeas.length - carried.length))) targetIdeas.push({ idea, from: '' });
      }
      const nextReview = defaultReviewDate(reviewedOn);
      const createdAt = `${start}T08:${String(10 + (number % 40)).padStart(2, '0')}:00.000Z`;
      const ratingsFor = () => {
        const roll = next();
        return (roll < 0.45 ? 'achieved' : roll < 0.8 ? 'partly' : 'not-yet') as Rating;
      };
      const targetRows = targetIdeas.map(({ idea, from }, index) => {
        const rating = closes ? ratingsFor() : null;
        return {
          id: newId(), cycle_id: cycleId, position: index + 1, area: idea.area, target: idea.target, success_criterion: idea.criterion, due_on: due,
          carried_from: from || null, rating, review_note: closes && rating !== 'achieved' && chance(0.6) ? pick(['Nearly there: needs reminders', 'Some days but not consistently', 'Absent for part of the term', 'Better in small groups than in class']) : closes && chance(0.3) ? 'Met in class and in the group' : null,
          continues: closes ? ((rating !== 'achieved' ? 1 : 0) as 0 | 1) : null,
        };
      });
      rows.targets.push(...targetRows);
      const strategyRows = strategies.map((entry, index) => ({ id: newId(), cycle_id: cycleId, position: index + 1, strategy: entry.text, carried_from: entry.from }));
      rows.strategies.push(...strategyRows);
      const doRows = doItems.map((entry, index) => ({ id: newId(), cycle_id: cycleId, position: index + 1, who: entry.item[0], what: entry.item[1], how_often: entry.item[2], carried_from: entry.from }));
      rows.doItems.push(...doRows);
      const achieved = targetRows.filter((row) => row.rating === 'achieved').length;
      const progress = achieved >= targetRows.length * 0.6 ? 'good' : achieved > 0 ? 'some' : 'little';
      rows.cycles.push({
        id: cycleId, pupil_id: pupilId, number, status: closes ? 'closed' : 'open', plan_template_id: templates.planTemplateId, assess: JSON.stringify(assess),
        started_on: start, review_due_on: due, review_template_id: closes ? templates.reviewTemplateId : null,
        review: closes ? JSON.stringify({ progress: fill(pick(REVIEW_PROGRESS[progress])), views: fill(pick(REVIEW_VIEWS)), changes: pick(REVIEW_CHANGES) }) : null,
        reviewed_on: closes ? reviewedOn : null, next_review_on: closes ? nextReview : null, previous_cycle_id: previousId,
        created_by: sencoId, created_at: createdAt, updated_by: sencoId, updated_at: closes ? `${reviewedOn}T15:30:00.000Z` : createdAt,
        closed_by: closes ? sencoId : null, closed_at: closes ? `${reviewedOn}T15:30:00.000Z` : null,
      });
      if (!closes) break;
      // Carry forward as the review does: targets not achieved, every strategy and arrangement, the assessment
      // (brought up to date now and then).
      used = new Set([...used, ...targetRows.filter((row) => row.rating === 'achieved').map((row) => row.target)]);
      carried = targetRows.filter((row) => row.continues === 1).map((row) => ({ idea: { area: row.area ?? '', target: row.target, criterion: row.success_criterion }, from: row.id }));
      strategies = strategyRows.map((row) => ({ text: row.strategy, from: row.id }));
      if (chance(0.3)) {
        const extra = STRATEGIES[area].find((text) => !strategies.some((entry) => entry.text === text));
        if (extra) strategies.push({ text: extra, from: null });
      }
      doItems = doRows.map((row) => ({ item: [row.who, row.what, row.how_often] as [string, string, string], from: row.id }));
      assess = { ...assess, ...(chance(0.5) ? { assessments: `${pick(ASSESSMENTS[area])} (updated ${reviewedOn.split('-').reverse().join('/')})` } : {}), 'pupil-views': pick(PUPIL_VOICE[age][area]) };
      previousId = cycleId;
      start = reviewedOn;
      if (start > data.asOf) break;
    }
  }
  return rows;
}

export interface DemoPlanCounts { cycles: number; targets: number; linkedMemberships: number }

/** Writes the demo's plans and links intervention memberships to the plan that asked for them. */
export async function writeDemoPlans(
  trx: DbOrTransaction,
  scope: SchoolScope,
  data: DemoSchoolData,
  ids: { pupilIds: Map<string, string>; userIds: Map<string, string> },
): Promise<DemoPlanCounts> {
  const plan = await getCurrentTemplate(trx, scope, 'plan');
  const review = await getCurrentTemplate(trx, scope, 'review');
  const rows = generateDemoPlans(data, ids, { planTemplateId: plan.id, reviewTemplateId: review.id });
  const byNumber = [...rows.cycles].sort((a, b) => a.number - b.number);
  for (const cycle of byNumber) await plansRepository.insertCycle(trx, scope, cycle);
  await plansRepository.insertTargets(trx, scope, rows.targets);
  await plansRepository.insertStrategies(trx, scope, rows.strategies);
  await plansRepository.insertDoItems(trx, scope, rows.doItems);

  // Most intervention memberships of pupils with plans were asked for by a plan: the one running when
  // the group started, or, for a group still running when that plan closed, the plan it moved to.
  const cyclesByPupil = new Map<string, DemoPlanRows['cycles']>();
  for (const cycle of byNumber) cyclesByPupil.set(cycle.pupil_id, [...(cyclesByPupil.get(cycle.pupil_id) ?? []), cycle]);
  const groups = await provisionRepository.listGroups(trx, scope);
  const byGroup = new Map(groups.map((group) => [group.id, group]));
  const members = await provisionRepository.listMembers(trx, scope, groups.map((group) => group.id));
  const next = mulberry32((data.seed ^ 0x1ee7_5005) >>> 0);
  let linked = 0;
  for (const member of members) {
    const cycles = cyclesByPupil.get(member.pupil_id);
    const group = byGroup.get(member.group_id);
    if (!cycles || !group || member.source !== null || next() < 0.25) continue;
    const during = cycles.filter((cycle) => cycle.started_on <= group.end_date && (cycle.reviewed_on ?? '9999-12-31') >= group.start_date);
    const owner = during.filter((cycle) => member.left_on === null || cycle.started_on <= member.left_on).at(-1);
    if (!owner) continue;
    await provisionRepository.updateMember(trx, scope, member.group_id, member.pupil_id, { source: `plan:${owner.id}` });
    linked += 1;
  }
  return { cycles: rows.cycles.length, targets: rows.targets.length, linkedMemberships: linked };
}

