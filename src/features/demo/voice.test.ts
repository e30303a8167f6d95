// The demo's parents' and pupils' views: deterministic; replies for reviewed cycles in varied words,
// verbatim; for current cycles, links awaiting a reply and one or two expired.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordTemplate } from '../plans/templates.ts';
import { DEFAULT_SECTIONS } from '../plans/templates.ts';
import { DEMO_AS_OF, generateDemoSchool, RIVERSIDE } from './generator.ts';
import { generateDemoVoice, type DemoVoiceCycle } from './voice.ts';

const templates: { parent: RecordTemplate; pupil: RecordTemplate } = {
  parent: { id: 't-parent', kind: 'contribution-parent', version: 1, sections: [...DEFAULT_SECTIONS['contribution-parent']], createdAt: '2025-09-01T00:00:00Z' },
  pupil: { id: 't-pupil', kind: 'contribution-pupil', version: 1, sections: [...DEFAULT_SECTIONS['contribution-pupil']], createdAt: '2025-09-01T00:00:00Z' },
};

function generate() {
  const data = generateDemoSchool({ ...RIVERSIDE, pupils: 600, seed: 2026, asOf: DEMO_AS_OF });
  const pupilIds = new Map(data.pupils.map((pupil) => [pupil.key, `p-${pupil.key}`]));
  const userIds = new Map(data.users.map((user) => [user.key, `u-${user.key}`]));
  // Each pupil on SEN support: two reviewed cycles and a current one, its review due within the next few weeks.
  const cycles: DemoVoiceCycle[] = [];
  data.pupils.filter((pupil) => pupil.sen.provision === 'K').forEach((pupil, index) => {
    const id = pupilIds.get(pupil.key)!;
    cycles.push({ id: `c1-${pupil.key}`, pupil_id: id, number: 1, status: 'closed', review_due_on: '2026-03-20', reviewed_on: '2026-03-20' });
    cycles.push({ id: `c2-${pupil.key}`, pupil_id: id, number: 2, status: 'closed', review_due_on: '2026-07-10', reviewed_on: '2026-07-08' });
    cycles.push({ id: `c3-${pupil.key}`, pupil_id: id, number: 3, status: 'open', review_due_on: index % 3 === 0 ? '2026-12-04' : '2027-03-19', reviewed_on: null });
  });
  let n = 0;
  const rows = generateDemoVoice({ data, pupilIds, userIds, cycles, templates, tokenHash: () => `hash-${n++}` });
  return { data, rows, cycles };
}

describe('the demo’s parents’ and pupils’ views', () => {
  it('are the same every time, apart from the generated ids', () => {
    const strip = (rows: ReturnType<typeof generate>['rows']) => rows.map((row) => [row.cycle_id, row.respondent, row.recipient_name, row.created_at, row.expires_at, row.submitted_at, row.answers]);
    assert.deepEqual(strip(generate().rows), strip(generate().rows));
  });

  it('give reviewed cycles replies from parents and pupils in varied words, before each review', () => {
    const { rows } = generate();
    const reviewed = rows.filter((row) => row.cycle_id.startsWith('c1-') || row.cycle_id.startsWith('c2-'));
    const replies = reviewed.filter((row) => row.submitted_at);
    assert.ok(replies.length / reviewed.length > 0.7 && replies.length < reviewed.length, `${replies.length} of ${reviewed.length} replied`);
    for (const row of replies) {
      const reviewDay = row.cycle_id.startsWith('c1-') ? '2026-03-20' : '2026-07-08';
      assert.ok(row.submitted_at! < reviewDay && row.created_at < row.submitted_at! && row.submitted_at! < row.expires_at, `${row.created_at} → ${row.submitted_at} before ${reviewDay}`);
      assert.ok(row.opened_at && row.opened_at < row.submitted_at!);
      assert.equal(row.template_id, row.respondent === 'parent' ? 't-parent' : 't-pupil');
    }
    const parentWords = new Set(replies.filter((row) => row.respondent === 'parent').flatMap((row) => Object.values(JSON.parse(row.answers!) as Record<string, string>)));
    const pupilWords = new Set(replies.filter((row) => row.respondent === 'pupil').flatMap((row) => Object.values(JSON.parse(row.answers!) as Record<string, string>)));
    assert.ok(parentWords.size > 40 && pupilWords.size > 40, `${parentWords.size} parents’ answers, ${pupilWords.size} pupils’`);
    assert.ok([...pupilWords].some((answer) => answer !== '' && answer.length < 12), 'some pupils answer in a word or two');
    assert.ok(parentWords.has(''), 'some questions are left unanswered');
    assert.ok(![...parentWords].some((answer) => answer.includes('{name}')));
  });

  it('leave current cycles with links awaiting a reply, some answered, and one or two expired', () => {
    const { rows } = generate();
    const now = `${DEMO_AS_OF}T12:00:00.000Z`;
    const current = rows.filter((row) => row.cycle_id.startsWith('c3-'));
    const awaiting = current.filter((row) => !row.submitted_at && row.expires_at > now);
    const expired = current.filter((row) => !row.submitted_at && row.expires_at <= now);
    assert.ok(awaiting.length >= 10, `${awaiting.length} awaiting`);
    assert.ok(expired.length >= 1 && expired.length <= 2, `${expired.length} expired`);
    assert.ok(current.some((row) => row.submitted_at && row.submitted_at < now));
    assert.ok(current.every((row) => row.created_at < now));
    assert.ok(current.every((row) => row.cycle_id.startsWith('c3-') && row.created_at >= '2026-10-01'), 'only cycles with a review coming up are asked');
    assert.equal(new Set(rows.map((row) => row.token_hash)).size, rows.length);
  });
});
