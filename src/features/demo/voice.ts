// Parents' and pupils' views for the demo school: for plan cycles already reviewed, the replies that
// reached the school before each review (most parents and pupils answered, a few never did), in
// different voices and in the pupils' own words; for current cycles with a review coming up, links
// awaiting a reply, some opened, a few answered already, and one or two that expired unanswered, so
// "Contributions awaited" has something to chase. Demo links are never shown, so each request keeps
// the hash of a random token nobody holds. Reads the cycles the plans demo wrote earlier in the same
// transaction. Deterministic: the same school, seed and date give the same records (bar ids and hashes).
import { randomBytes } from 'node:crypto';
import type { DbOrTransaction } from '../../db/database.ts';
import { newId } from '../../platform/ids.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import { getCurrentTemplate, type RecordTemplate } from '../plans/templates.ts';
import { hashLinkToken, linkExpiry } from '../voice/links.ts';
import * as repository from '../voice/repository.ts';
import { mulberry32, type DemoPupil, type DemoSchoolData } from './generator.ts';
import { DAY_MS, toDays } from './helpers.ts';

export interface DemoVoiceCounts {
  requests: number;
  submitted: number;
  awaiting: number;
  expired: number;
}

/** A cycle the plans demo wrote. */
export interface DemoVoiceCycle {
  id: string;
  pupil_id: string;
  number: number;
  status: string;
  review_due_on: string;
  reviewed_on: string | null;
}

/** A moment on a day: `day` in days since 1970, `minutes` after midnight UTC. */
const at = (day: number, minutes: number) => new Date(Math.round(day) * DAY_MS + Math.round(minutes) * 60_000).toISOString();
/** When a link made on a day for 14 days stops working: the end of its last day in England. */
const expiryOf = (day: number) => linkExpiry(new Date(Math.round(day) * DAY_MS + 12 * 3_600_000), 14);

type Area = 'learning' | 'communication' | 'semh' | 'physical';
function areaOf(pupil: DemoPupil): Area {
  const need = pupil.sen.needs.find((entry) => entry.rank === 1)?.need ?? 'MLD';
  if (['SLCN', 'ASD'].includes(need)) return 'communication';
  if (need === 'SEMH') return 'semh';
  if (['VI', 'HI', 'MSI', 'PD'].includes(need)) return 'physical';
  return 'learning';
}

// Parents and carers write in their own ways: some at length, some in a line, some in lower case. {name} is the child.
const PARENT: Record<'going-well' | 'worries' | 'at-home' | 'hopes', Record<Area | 'any', string[]>> = {
  'going-well': {
    learning: [
      'He is reading to his little sister at bedtime now, which he would never have done last year. He is proud of his reading record.',
      'She came home and told me she got 8 out of 10 in her spelling test!! First time ever. Thank you to Mrs Khan.',
      '{name} likes the Lexia sessions and talks about the levels he has done.',
      'More confident with maths homework, does not get as upset when he gets stuck.',
    ],
    communication: [
      '{name} has made a friend in her class and they play together at lunch. She talks about her a lot.',
      'The visual timetable has really helped in the mornings. Fewer meltdowns before school.',
      'he is talking more at home about his day, not just "fine"',
      'She enjoyed the Talk Boost group and uses some of the words at home.',
    ],
    semh: [
      'The mornings are calmer. {name} goes in without me having to stay at the gate most days now.',
      'He likes his check-in with Miss Lewis and says it helps him start the day.',
      'Happier in general. Sleeping better.',
      'She has been to two after school clubs this half term, which is a big step for her.',
    ],
    physical: [
      'Using the laptop has made a huge difference, his written work is so much longer.',
      '{name} says the enlarged worksheets are easier and she does not get headaches as much.',
      'More independent getting round school.',
    ],
    any: ['Everything is going well thank you.', 'He seems happier at school this term.', 'Enjoying PE and art.'],
  },
  worries: {
    learning: [
      'I worry she is falling behind in English and that it will be harder when she moves up. Homework takes us hours.',
      'Spelling is still very hard for him and he gets upset that his friends find it easy.',
      'Times tables.',
      'I am not sure he understands what he reads even when he can read the words.',
    ],
    communication: [
      'Changes still upset him a lot, for example when there is a supply teacher. He holds it together at school and then it all comes out at home.',
      'She is not always understanding instructions and then gets told off for not doing the work.',
      'Lunchtimes. Too noisy.',
      'I worry about the move to secondary school and how he will cope with lots of different teachers.',
    ],
    semh: [
      'He still says he has no friends and nobody likes him. I do not know if that is true.',
      'Some days she refuses to go in and we are late. Mondays are the worst.',
      'Anger at home after school. Doors slammed etc.',
      'I am worried about his attendance and that he will miss too much.',
    ],
    physical: [
      'Tiredness by the end of the week. She has nothing left on a Friday.',
      'I am not sure all the teachers know he needs to sit at the front.',
      'PE changing is still a struggle with the buttons.',
    ],
    any: ['None at the moment.', '', 'Not really, just want to keep an eye on things.'],
  },
  'at-home': {
    learning: [
      'Reading little and often, ten minutes before tea. Paired reading where we take turns.',
      'We use a whiteboard for spellings and he likes rubbing them out.',
      'Short bursts of homework with a break in between.',
    ],
    communication: [
      'Telling him what is happening the next day before bed. A countdown before we have to leave the house.',
      'She needs quiet time in her room after school before she can talk about her day.',
      'Ear defenders when we go shopping.',
    ],
    semh: [
      'Giving him a job to do, he likes to help. Not asking too many questions straight after school.',
      'A walk with the dog helps her calm down.',
      'We have a worry jar and talk about them on a Sunday.',
    ],
    physical: [
      'Large print books from the library. Good lighting at the table.',
      'Letting him type his homework.',
    ],
    any: ['Routine.', 'Praise!', ''],
  },
  hopes: {
    learning: [
      'To enjoy reading for fun and choose a book himself.',
      'I would like her to feel she is not "thick" (her word). She is a clever girl in lots of ways.',
      'Get his reading age closer to his actual age.',
    ],
    communication: [
      'To be able to ask for help when he needs it instead of sitting there.',
      'Keep the friendship going and maybe join a club.',
      'To cope a bit better with changes and surprises.',
    ],
    semh: [
      'Go into school happy every day. That is all I want really.',
      'Be able to manage when she is cross without hurting anyone.',
      'To feel like he belongs.',
    ],
    physical: ['More independence.', 'For her to keep up with written work without getting so tired.'],
    any: ['Keep doing what you are doing.', 'To keep making progress.'],
  },
};

// Pupils in their own words: some short, some spelt as they spell.
const PUPIL: Record<'good-at' | 'enjoy' | 'hard' | 'helps' | 'better-at', Record<Area | 'any', string[]>> = {
  'good-at': {
    learning: ['drawing', 'football and minecraft', 'Im good at maths when its adding', 'helping people'],
    communication: ['Lego. I built the death star', 'dinosaurs. I know all of them', 'computers', 'remembering facts'],
    semh: ['running', 'looking after my hamster', 'art', 'dont know'],
    physical: ['swimming', 'typing fast', 'telling jokes'],
    any: ['football', 'being kind', 'maths', 'singing'],
  },
  enjoy: {
    learning: ['PE and art', 'golden time', 'when we do science experiments', 'lunch'],
    communication: ['the computer room', 'reading about space', 'playing with Jayden at break'],
    semh: ['breakfast club', 'forest school', 'seeing Miss Lewis', 'nothing much'],
    physical: ['music', 'drama', 'art club'],
    any: ['PE', 'break time', 'art'],
  },
  hard: {
    learning: ['reading out loud. people laugh', 'spellings', 'writing it takes ages and my hand hurts', 'when the teacher talks to fast'],
    communication: ['when its noisy', 'when we have a supply teacher', 'group work', 'assembly is too loud'],
    semh: ['when people are mean to me', 'sitting still', 'mornings', 'when I get angry and cant stop'],
    physical: ['seeing the board', 'PE changing', 'writing for a long time'],
    any: ['maths', 'homework', ''],
  },
  helps: {
    learning: ['when Miss shows me first', 'my word mat', 'having a buddy', 'the yellow overlay'],
    communication: ['my ear defenders', 'when they tell me what is happening next', 'my timetable', 'going to the quiet room'],
    semh: ['my time out card', 'talking to Miss Lewis', 'when they dont shout', 'fidget toy'],
    physical: ['the laptop', 'big print', 'sitting at the front'],
    any: ['when people are nice', 'help from Mrs Patel', 'extra time'],
  },
  'better-at': {
    learning: ['reading', 'my times tables', 'joined up writing', 'spelling so I can write stories'],
    communication: ['making friends', 'asking for help', 'talking in class'],
    semh: ['not getting angry', 'coming to school', 'being brave'],
    physical: ['catching a ball', 'writing faster'],
    any: ['maths', 'everything', 'reading'],
  },
};

/** One answer per question of the template; a question the demo has no words for is left unanswered. */
function answersFor(template: RecordTemplate, bank: Record<string, Record<Area | 'any', string[]>>, area: Area, firstName: string, next: () => number, skip: number): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const section of template.sections) {
    const options = bank[section.key];
    if (!options || next() < skip) {
      answers[section.key] = '';
      continue;
    }
    const pool = next() < 0.75 ? options[area] : options.any;
    answers[section.key] = pool[Math.floor(next() * pool.length)]!.replaceAll('{name}', firstName);
  }
  // Never all blank: a reply says something.
  if (Object.values(answers).every((answer) => answer === '')) {
    const first = template.sections.find((section) => bank[section.key]);
    if (first) answers[first.key] = bank[first.key]!.any[0]!;
  }
  return answers;
}

export interface DemoVoiceInput {
  data: DemoSchoolData;
  pupilIds: Map<string, string>;
  userIds: Map<string, string>;
  cycles: DemoVoiceCycle[];
  templates: { parent: RecordTemplate; pupil: RecordTemplate };
  /** The hash stored for a request; random by default (no demo link can be opened). */
  tokenHash?: () => string;
}

export function generateDemoVoice(input: DemoVoiceInput): repository.RequestRow[] {
  const { data, pupilIds, userIds, templates } = input;
  const tokenHash = input.tokenHash ?? (() => hashLinkToken(randomBytes(32).toString('base64url')));
  const next = mulberry32((data.seed ^ 0x0f01_ce03 ^ data.pupils.length) >>> 0);
  const pupilByKey = new Map(data.pupils.map((pupil) => [pupil.key, pupil]));
  const keyById = new Map([...pupilIds].map(([key, id]) => [id, key]));
  const contactsOf = new Map<string, DemoSchoolData['contacts']>();
  for (const contact of data.contacts) if (contact.parentalResponsibility) contactsOf.set(contact.pupilKey, [...(contactsOf.get(contact.pupilKey) ?? []), contact]);
  const senco = data.users.find((user) => user.role === 'senco' && user.signIn) ?? data.users.find((user) => user.role === 'senco');
  const admin = data.users.find((user) => user.role === 'sen_admin');
  const asOf = toDays(data.asOf);
  let expiredLeft = 2;

  const cycles = input.cycles
    .filter((cycle) => keyById.has(cycle.pupil_id))
    .sort((a, b) => keyById.get(a.pupil_id)!.localeCompare(keyById.get(b.pupil_id)!) || a.number - b.number);
  const rows: repository.RequestRow[] = [];
  for (const cycle of cycles) {
    const pupil = pupilByKey.get(keyById.get(cycle.pupil_id)!)!;
    const firstName = pupil.preferredForename || pupil.legalForename;
    const area = areaOf(pupil);
    const reviewed = cycle.status !== 'open' || cycle.reviewed_on !== null;
    const reviewDay = toDays(reviewed ? (cycle.reviewed_on ?? cycle.review_due_on) : cycle.review_due_on);
    // Current cycles: only those with a review in the next five weeks have been asked yet.
    if (!reviewed && (reviewDay - asOf > 35 || reviewDay < asOf - 30)) continue;
    const contacts = contactsOf.get(pupil.key) ?? [];
    const parent = contacts[0];
    const requester = userIds.get((next() < 0.8 ? senco : (admin ?? senco))?.key ?? '') ?? null;
    // Asked about three weeks before a past review; for a current cycle, in the last twelve days (the link still works).
    const sentDay = reviewed ? reviewDay - 18 - Math.floor(next() * 10) : asOf - 1 - Math.floor(next() * 12);
    const recipients: Array<{ respondent: 'parent' | 'pupil'; contactId: string | null; name: string }> = [];
    if (parent) recipients.push({ respondent: 'parent', contactId: parent.key, name: [parent.title, parent.forename, parent.surname].filter(Boolean).join(' ') });
    // Pupils from Year 1 up are asked for their own views most of the time.
    if (pupil.yearGroup >= 1 && next() < 0.8) recipients.push({ respondent: 'pupil', contactId: null, name: firstName });

    for (const recipient of recipients) {
      const template = recipient.respondent === 'parent' ? templates.parent : templates.pupil;
      let created = sentDay + (recipient.respondent === 'pupil' ? Math.floor(next() * 2) : 0);
      const roll = next();
      let submitted: number | null = null;
      let opened: number | null = null;
      if (reviewed) {
        // Most replied before the review; a few never did and the link ran out.
        if (roll < (recipient.respondent === 'parent' ? 0.85 : 0.75)) submitted = Math.min(created + 1 + Math.floor(next() * 9), reviewDay - 1);
        else if (roll < 0.92) opened = created + 2;
      } else {
        if (roll < 0.06 && expiredLeft > 0) {
          // Asked well before, never answered: expired without a reply.
          expiredLeft -= 1;
          created = asOf - 20 - Math.floor(next() * 6);
        } else if (roll < 0.35 && asOf - created >= 2) submitted = created + 1 + Math.floor(next() * Math.max(1, asOf - created - 1));
        else if (roll < 0.6) opened = Math.min(asOf - 1, created + 1);
      }
      const createdAt = at(created, 8 * 60 + 15 + Math.floor(next() * 8 * 60));
      const submittedAt = submitted === null ? null : at(submitted, 17 * 60 + Math.floor(next() * 5 * 60));
      rows.push({
        id: newId(),
        cycle_id: cycle.id,
        pupil_id: cycle.pupil_id,
        respondent: recipient.respondent,
        contact_id: recipient.contactId,
        recipient_name: recipient.name,
        recipient_email: recipient.respondent === 'parent' ? (parent?.email ?? null) : null,
        template_id: template.id,
        token_hash: tokenHash(),
        created_by: requester,
        created_at: createdAt,
        expires_at: expiryOf(created),
        emailed_at: null, // the demo sends no email: the SENCO copied each link or printed a letter
        opened_at: submittedAt ? new Date(Date.parse(submittedAt) - (3 + Math.floor(next() * 50)) * 60_000).toISOString() : opened === null ? null : at(opened, 19 * 60),
        submitted_at: submittedAt,
        answers: submittedAt
          ? JSON.stringify(recipient.respondent === 'parent' ? answersFor(template, PARENT, area, firstName, next, 0.12) : answersFor(template, PUPIL, area, firstName, next, 0.15))
          : null,
        superseded_at: null,
      });
    }
  }
  return rows;
}

/** The ids the demo's contacts with parental responsibility were written with, by demo key. */
async function contactIdsByKey(trx: DbOrTransaction, scope: SchoolScope, data: DemoSchoolData, pupilIds: Map<string, string>): Promise<Map<string, string>> {
  const byKey = new Map<string, string>();
  const byPupil = new Map<string, DemoSchoolData['contacts']>();
  for (const contact of data.contacts) if (contact.parentalResponsibility) byPupil.set(contact.pupilKey, [...(byPupil.get(contact.pupilKey) ?? []), contact]);
  for (const [pupilKey, contacts] of byPupil) {
    const pupilId = pupilIds.get(pupilKey);
    if (!pupilId) continue;
    const rows = await repository.listParentalContacts(trx, scope, pupilId);
    for (const contact of contacts) {
      const match = rows.find((row) => row.surname === contact.surname && (row.forename ?? '') === contact.forename);
      if (match) byKey.set(contact.key, match.id);
    }
  }
  return byKey;
}

export async function writeDemoVoice(
  trx: DbOrTransaction,
  scope: SchoolScope,
  data: DemoSchoolData,
  ids: { pupilIds: Map<string, string>; userIds: Map<string, string> },
): Promise<DemoVoiceCounts> {
  const cycles = await trx
    .selectFrom('support_cycles')
    .select(['id', 'pupil_id', 'number', 'status', 'review_due_on', 'reviewed_on'])
    .where('school_id', '=', scope.schoolId)
    .execute();
  if (cycles.length === 0) return { requests: 0, submitted: 0, awaiting: 0, expired: 0 };
  const templates = { parent: await getCurrentTemplate(trx, scope, 'contribution-parent'), pupil: await getCurrentTemplate(trx, scope, 'contribution-pupil') };
  const rows = generateDemoVoice({ data, ...ids, cycles: cycles.map((cycle) => ({ ...cycle, number: Number(cycle.number) })), templates });
  // The generator names contacts by their demo key; the rows need the ids the contacts were written with.
  const askedPupils = new Set(rows.filter((row) => row.contact_id !== null).map((row) => row.pupil_id));
  const contactIds = await contactIdsByKey(trx, scope, { ...data, contacts: data.contacts.filter((contact) => askedPupils.has(ids.pupilIds.get(contact.pupilKey) ?? '')) }, ids.pupilIds);
  for (const row of rows) if (row.contact_id !== null) row.contact_id = contactIds.get(row.contact_id) ?? null;
  await repository.insertRequests(trx, scope, rows);
  const now = new Date().toISOString();
  return {
    requests: rows.length,
    submitted: rows.filter((row) => row.submitted_at).length,
    awaiting: rows.filter((row) => !row.submitted_at && row.expires_at > now).length,
    expired: rows.filter((row) => !row.submitted_at && row.expires_at <= now).length,
  };
}
