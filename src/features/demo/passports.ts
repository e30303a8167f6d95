// Pupil passports for a demo school: most pupils with SEN support or an EHC plan have one, built the
// way a SENCO builds them (the key strategies from their open plan, their own words from their latest
// views form, copied word for word), or, where the plans and voice demo writers left nothing for a
// pupil, realistic text for their primary need. A few have two versions. The school also gets a simple
// logo (drawn in code as a PNG) so generated documents show one. Deterministic: the same school, seed
// and date give the same passports. Runs after the plans and voice demo writers, in the same transaction.
import type { DbOrTransaction } from '../../db/database.ts';
import { newId } from '../../platform/ids.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import { getCurrentTemplate, getTemplate, type RecordTemplate } from '../plans/templates.ts';
import * as passportRepository from '../passports/repository.ts';
import { checkPassport, fillFromPlan, formFromContent, type PassportContent, type PupilContribution } from '../passports/rules.ts';
import { encodePng } from '../settings/logo.ts';
import * as settingsRepository from '../settings/repository.ts';
import { mulberry32, type DemoPupil, type DemoSchoolData } from './generator.ts';
import { DAY_MS, toDays, drawsFrom } from './helpers.ts';

type Theme = 'learning' | 'communication' | 'autism' | 'emotional' | 'physical';

const THEME_OF: Record<string, Theme> = {
  SPLD: 'learning', MLD: 'learning', SLD: 'learning', PMLD: 'learning', NSA: 'learning', OTH: 'learning',
  SLCN: 'communication', ASD: 'autism', SEMH: 'emotional', HI: 'physical', VI: 'physical', MSI: 'physical', PD: 'physical',
};

interface Bank {
  /** In the pupil's own words. */
  aboutMe: string[];
  important: string[];
  /** Written by staff ({name} is the pupil's name). */
  helps: string[];
  doesNotHelp: string[];
  strategies: string[];
}

// Written from the kinds of thing real passports say; no real child's words.
const BANKS: Record<Theme, Bank> = {
  learning: {
    aboutMe: [
      'I am good at football and I help my grandad in his allotment. I like making things with my hands.',
      'I like drawing and making comics. I have a dog called Biscuit and a little sister.',
      'I am kind and I am a good friend. Reading is hard for me but I am getting better at it.',
      'I like cooking with my mum and watching baking programmes. I want to be a chef.',
    ],
    important: [
      'My family and my friends at break time. Having time to finish my work without rushing.',
      'Knowing what we are doing in the lesson before we start. My football team on Saturdays.',
      'Being treated the same as everyone else. Getting things right when I have tried hard.',
    ],
    helps: [
      '{name} does best when instructions are given one step at a time and written on the board as well as said. Coloured overlays and a reading ruler help with longer texts.',
      'Pre-teaching key words before a topic helps {name} join in. Word mats, sentence starters and a bit of extra time for written work make a real difference.',
      'Checking in quietly at the start of a task, and chunking work into short parts with a tick-list, helps {name} get started and keep going.',
    ],
    doesNotHelp: [
      'Being asked to read aloud without warning. Copying large amounts from the board.',
      'Long lists of spoken instructions, and being rushed to finish. Red pen over every spelling mistake.',
      'Being moved on before {name} has understood, or being singled out in front of the class.',
    ],
    strategies: [
      'Give instructions one at a time, and write them down as well',
      'Provide a word mat with key vocabulary for each topic',
      'Allow extra time for reading and written tasks',
      'Do not ask {name} to read aloud unless agreed beforehand',
      'Give printed notes instead of copying from the board',
      'Check understanding by asking {name} to explain the task back',
      'Use a reading ruler or coloured overlay for longer texts',
      'Mark for content first; pick out no more than three spellings to learn',
    ],
  },
  communication: {
    aboutMe: [
      'I like Lego and Minecraft. I build big things. Sometimes people don’t understand me the first time.',
      'I like animals, specially cats. I am funny. I like doing PE.',
      'I like music and I play drums. Talking in front of the class is hard for me.',
    ],
    important: [
      'My friends who wait for me to finish talking. My cat called Pepper.',
      'Having time to think before I answer. Knowing new words before the lesson.',
      'Being listened to. Playing games at lunch with my friends.',
    ],
    helps: [
      '{name} understands best with short, clear sentences and pictures or objects to back them up. Give time to process a question before expecting an answer (count to ten).',
      'Visual timetables and key vocabulary taught before a topic help {name} follow lessons. Modelling the right word back, rather than correcting, builds confidence.',
    ],
    doesNotHelp: [
      'Long spoken explanations with no visuals. Being asked to answer in front of the class straight away.',
      'Idioms and sarcasm, which {name} may take literally. Noisy group work with no clear roles.',
    ],
    strategies: [
      'Use short, simple sentences and check understanding',
      'Give ten seconds of thinking time after a question',
      'Show key vocabulary with pictures before the lesson',
      'Use a visual timetable and task board',
      'Model the correct word or sentence back without correcting',
      'Give {name} a talk partner before answering in front of the class',
      'Avoid idioms and sarcasm; say exactly what you mean',
    ],
  },
  autism: {
    aboutMe: [
      'I know lots about trains and space. I like things to be the same every day.',
      'I am good at maths and computers. I like drawing maps of places I have been.',
      'I like dinosaurs and Pokémon. I don’t like loud noises. I am honest.',
    ],
    important: [
      'Knowing what is happening and when. Having my own space at lunchtime.',
      'My ear defenders. Sitting in the same seat. Being told before things change.',
      'My special interest time. My mum and my brother. Quiet places.',
    ],
    helps: [
      'Tell {name} about changes to the timetable or staff in advance, with a reason. A visual timetable, a consistent seat near the door and a time-out card help {name} stay regulated.',
      'Clear, literal language and written instructions help {name}. Agreed movement breaks and access to a quiet space when the classroom is too busy prevent overload.',
    ],
    doesNotHelp: [
      'Sudden changes, loud or crowded spaces, and being touched without warning. Being made to make eye contact.',
      'Group work with no clear roles, open-ended instructions such as “write about anything”, and being kept in at break.',
    ],
    strategies: [
      'Warn {name} about changes to the day in advance',
      'Keep a consistent seat near the door',
      'Allow use of the time-out card without question',
      'Give clear, literal instructions, written as well as spoken',
      'Allow ear defenders in noisy lessons',
      'Give a clear role in group work',
      'Do not insist on eye contact',
      'Let {name} leave lessons two minutes early to avoid busy corridors',
    ],
  },
  emotional: {
    aboutMe: [
      'I am good at art and I like music. Sometimes I get angry and I don’t know why.',
      'I like boxing and being outside. I am loyal to my friends.',
      'I like looking after my little brother and baking. I worry about things a lot.',
    ],
    important: [
      'My nan. Having a trusted adult in school I can go to.',
      'Being given a fresh start each day. Not being shouted at in front of everyone.',
      'My friends and my art. Knowing someone is there if I need them.',
    ],
    helps: [
      'A calm, quiet word and a choice help {name} far more than a public sanction. A meet-and-greet in the morning and a named adult to go to settle {name} for the day.',
      'Praise given privately, a job of responsibility and an agreed exit card for when things get too much help {name} stay in lessons.',
    ],
    doesNotHelp: [
      'Being confronted or told off in front of others. Raised voices. Being ignored when {name} is clearly upset.',
      'Sudden changes of staff, and reminders of past incidents. Long periods sitting still without a task.',
    ],
    strategies: [
      'Greet {name} at the door and check in at the start of the lesson',
      'Speak privately and calmly about behaviour; offer a choice',
      'Allow use of the exit card to go to the named adult',
      'Praise privately rather than in front of the class',
      'Give {name} a job or responsibility in lessons',
      'Start each lesson as a fresh start',
    ],
  },
  physical: {
    aboutMe: [
      'I am good at swimming and I like reading adventure books. I want to be a vet.',
      'I like gaming with my friends online and I am good at science.',
      'I like singing and dancing. I am brave and I don’t give up.',
    ],
    important: [
      'Being able to do the same things as my friends. Not being made a fuss of.',
      'My equipment working properly. Having my friends nearby.',
      'Being independent and being asked what I need.',
    ],
    helps: [
      'Seat {name} where they can see the teacher’s face and the board clearly. Give printed copies of slides in advance and check equipment is working at the start of the lesson.',
      'Extra time to move between lessons, a laptop for longer written work and rest breaks in practical subjects help {name} keep up without tiring.',
    ],
    doesNotHelp: [
      'Talking while facing the board. Videos without subtitles. Being rushed between rooms.',
      'Being singled out to use equipment in front of the class, or adults doing things for {name} without asking.',
    ],
    strategies: [
      'Seat {name} near the front with a clear view of the teacher',
      'Face the class when speaking; do not talk to the board',
      'Give printed or enlarged copies of slides in advance',
      'Check hearing or vision equipment at the start of the lesson',
      'Use subtitles on all videos',
      'Allow extra time to move between lessons',
      'Ask {name} what help they need rather than assuming',
    ],
  },
};

export interface DemoPassportCounts {
  passports: number;
  versions: number;
  fromContributions: number;
  logo: boolean;
}

const stamp = (days: number, minutes: number) => new Date(Math.round(days) * DAY_MS + minutes * 60_000).toISOString();

/**
 * The demo school's logo: a river-blue shield with three white waves, drawn pixel by pixel (no text,
 * so nothing to render but shapes). 160 × 160 pixels, a few kilobytes.
 */
export function demoLogoPng(): Buffer {
  const size = 160;
  return encodePng(size, size, (x, y) => {
    const cx = x - size / 2 + 0.5;
    // The shield: straight sides, a pointed bottom.
    const inside = y >= 8 && y <= 150 && Math.abs(cx) <= 64 && (y < 96 || Math.abs(cx) <= 64 * (1 - (y - 96) / 56));
    if (!inside) return [0, 0, 0, 0];
    const edge = y < 14 || Math.abs(cx) > 58 || (y >= 96 && Math.abs(cx) > 64 * (1 - (y - 96) / 56) - 6);
    if (edge) return [255, 255, 255, 255];
    for (const base of [62, 88, 114]) {
      const wave = base + 7 * Math.sin((x / size) * Math.PI * 4);
      if (Math.abs(y - wave) < 4) return [255, 255, 255, 255];
    }
    return y < 50 ? [0, 94, 165, 255] : [29, 112, 184, 255];
  });
}

function parseAnswers(json: string | null): Record<string, string> {
  try {
    const value = JSON.parse(json ?? '{}') as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
      : {};
  } catch {
    return {};
  }
}

export async function writeDemoPassports(
  trx: DbOrTransaction,
  scope: SchoolScope,
  data: DemoSchoolData,
  ids: { pupilIds: Map<string, string>; userIds: Map<string, string> },
): Promise<DemoPassportCounts> {
  const next = mulberry32((data.seed ^ 0x9a55_0e77 ^ data.pupils.length) >>> 0);
  const { chance, int, pick } = drawsFrom(next);
  const asOf = toDays(data.asOf);
  const senco = data.users.find((user) => user.role === 'senco' && user.signIn) ?? data.users.find((user) => user.role === 'senco');
  const admin = data.users.find((user) => user.role === 'sen_admin');
  const authors = [senco, senco, admin].filter((user) => user !== undefined).map((user) => ids.userIds.get(user.key) ?? null);

  const template = await getCurrentTemplate(trx, scope, 'passport');
  const pupils = data.pupils.filter((pupil) => pupil.sen.provision === 'K' || pupil.sen.provision === 'E');
  const pupilIds = pupils.map((pupil) => ids.pupilIds.get(pupil.key)!).filter(Boolean);
  const strategies = await passportRepository.openPlanStrategies(trx, scope, pupilIds);
  const templates = new Map<string, RecordTemplate | undefined>();
  const counts: DemoPassportCounts = { passports: 0, versions: 0, fromContributions: 0, logo: false };

  for (const pupil of pupils) {
    // Most pupils have one; the rest are waiting for the SENCO (so "My class" shows both).
    const has = chance(pupil.sen.provision === 'E' ? 0.95 : 0.8);
    const twoVersions = chance(0.18);
    const pupilId = ids.pupilIds.get(pupil.key);
    if (!has || !pupilId) continue;
    const contribution = await passportRepository.latestPupilContribution(trx, scope, pupilId);
    let views: PupilContribution | undefined;
    if (contribution) {
      if (!templates.has(contribution.template_id)) templates.set(contribution.template_id, await getTemplate(trx, scope, contribution.template_id).catch(() => undefined));
      views = { answers: parseAnswers(contribution.answers), sections: templates.get(contribution.template_id)?.sections ?? [], submittedAt: contribution.submitted_at! };
    }
    const planStrategies = strategies.filter((row) => row.pupil_id === pupilId).map((row) => row.strategy);
    const first = buildPassport(pupil, template, planStrategies, views, { pick, chance, int });
    if (first.fromContribution) counts.fromContributions += 1;
    // Written after the plan or the pupil's views, a few weeks to ten months before the demo date.
    const earliest = Math.max(asOf - 300, contribution?.submitted_at ? toDays(contribution.submitted_at.slice(0, 10)) + 2 : asOf - 300);
    const firstDay = Math.min(asOf - 1, earliest + int(0, Math.max(0, asOf - 30 - earliest)));
    const author = pick(authors);
    const versions: PassportContent[] = [first.content];
    if (twoVersions) {
      const revised = revise(first.content, pupil, template, { pick, chance });
      try {
        versions.push(checkPassport(formFromContent(template.sections, revised, 1), nameOf(pupil)));
      } catch {
        // Too long for one page once revised: this pupil keeps the one version.
      }
    }
    let day = firstDay;
    for (const [index, content] of versions.entries()) {
      if (index > 0) day = Math.min(asOf - 1, day + int(21, 120));
      await passportRepository.insertVersion(trx, scope, {
        id: newId(), pupil_id: pupilId, version: index + 1, template_id: template.id, sections: JSON.stringify(content.sections), strategies: JSON.stringify(content.strategies),
        restored_from: null, created_by: author, created_at: stamp(day, 9 * 60 + int(0, 420)),
      });
      counts.versions += 1;
    }
    counts.passports += 1;
  }

  await settingsRepository.saveLogo(trx, scope, { contentType: 'image/png', body: demoLogoPng(), uploadedBy: senco ? (ids.userIds.get(senco.key) ?? null) : null, uploadedAt: stamp(asOf - 320, 10 * 60) });
  counts.logo = true;
  return counts;
}

type Random = ReturnType<typeof drawsFrom>;

function nameOf(pupil: DemoPupil): string {
  return pupil.preferredForename || pupil.legalForename;
}

function themeOf(pupil: DemoPupil): Theme {
  const primary = pupil.sen.needs.find((entry) => entry.rank === 1)?.need ?? 'NSA';
  return THEME_OF[primary] ?? 'learning';
}

function fill(text: string, pupil: DemoPupil): string {
  return text.replaceAll('{name}', nameOf(pupil));
}

/** Several different items from a list, in the list's order. */
function some<T>(items: readonly T[], count: number, random: Pick<Random, 'chance'>): T[] {
  const chosen: T[] = [];
  for (const [index, item] of items.entries()) {
    const left = items.length - index;
    if (chosen.length < count && (left <= count - chosen.length || random.chance(0.6))) chosen.push(item);
  }
  return chosen;
}

/** A first passport: the plan's strategies and the pupil's own words where there are any, need-based text elsewhere. */
function buildPassport(pupil: DemoPupil, template: RecordTemplate, planStrategies: string[], views: PupilContribution | undefined, random: Random): { content: PassportContent; fromContribution: boolean } {
  const bank = BANKS[themeOf(pupil)];
  const base = formFromContent(template.sections, undefined, 0);
  const ownWords = random.chance(0.7);
  const written: Record<string, { text: string; pupilWords: boolean }> = {
    'about-me': { text: random.pick(bank.aboutMe), pupilWords: ownWords },
    important: { text: random.pick(bank.important), pupilWords: ownWords },
    helps: { text: fill(random.pick(bank.helps), pupil), pupilWords: false },
    'does-not-help': { text: fill(random.pick(bank.doesNotHelp), pupil), pupilWords: false },
  };
  const form = {
    ...base,
    sections: base.sections.map((section) => ({ ...section, ...(written[section.key] ?? { text: '', pupilWords: false }) })),
    // Stock strategies by need only when there is no plan to fill them from.
    strategies: planStrategies.length ? [] : some(bank.strategies, random.int(4, 6), random).map((strategy) => fill(strategy, pupil)),
  };
  // As "Fill from the plan" does: the plan's strategies (the first six, most important first) and the pupil's words verbatim.
  const filled = fillFromPlan(form, planStrategies.length ? planStrategies.slice(0, 6) : undefined, views);
  try {
    return { content: checkPassport(filled.form, nameOf(pupil)), fromContribution: filled.placed.length > 0 };
  } catch {
    // A pupil's answers too long for one page: the SENCO would shorten them with the pupil; the demo keeps the need-based text.
    return { content: checkPassport({ ...form, strategies: filled.form.strategies }, nameOf(pupil)), fromContribution: false };
  }
}

/** A later version: a strategy added or dropped after a review, or a section rewritten with the pupil. */
function revise(content: PassportContent, pupil: DemoPupil, template: RecordTemplate, random: Pick<Random, 'pick' | 'chance'>): PassportContent {
  const bank = BANKS[themeOf(pupil)];
  const strategies = [...content.strategies];
  const unused = bank.strategies.map((strategy) => fill(strategy, pupil)).filter((strategy) => !strategies.includes(strategy));
  if (unused.length && strategies.length < 8) strategies.push(random.pick(unused));
  if (strategies.length > 4 && random.chance(0.5)) strategies.splice(1, 1);
  const sections = { ...content.sections };
  const key = template.sections.find((section) => section.key === 'helps')?.key;
  if (key && sections[key] && !sections[key].pupilWords) {
    const other = bank.helps.map((text) => fill(text, pupil)).find((text) => text !== sections[key]!.text);
    if (other) sections[key] = { text: other, pupilWords: false };
  }
  return { sections, strategies };
}
