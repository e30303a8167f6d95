// The voice service on both databases: requesting views, links that work once, resending, answers
// kept verbatim under the template version they were asked with, the list of replies awaited, the
// chronology's events, email with nothing but a first name, and every write audited.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDialect, type TestDatabase } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { AuditLog, verifyAuditChains } from '../../platform/audit/audit-log.ts';
import type { AppContext } from '../../platform/context.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import { getCurrentTemplate, saveTemplateVersion } from '../plans/templates.ts';
import { hashLinkToken } from './links.ts';
import { useMailer, type MailMessage } from './mail.ts';
import * as voice from './service.ts';
import { insertTestCycle } from './test-support.ts';
import * as registerRepository from '../register/repository.ts';
import { newId } from '../../platform/ids.ts';

const ORIGIN = 'https://senco.example.sch.uk';
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

describeEachDialect('voice service', (getDatabase) => {
  let database: TestDatabase;
  let ctx: AppContext;
  let fixture: Fixture;
  let senco: Actor;
  let teacher: Actor;
  let parentActor: Actor;
  let cycleId: string;
  let contactValue: string;

  before(async () => {
    database = getDatabase();
    ctx = { config: testConfig(), database, db: database.db, audit: new AuditLog(database, { flushEveryMs: 1 }) };
    fixture = await seedFixture(database);
    senco = { userId: fixture.schoolA.users.senco.id, displayName: 'senco A', schoolId: fixture.schoolA.id, role: 'senco' };
    teacher = { userId: fixture.schoolA.users.teacher.id, displayName: 'teacher A', schoolId: fixture.schoolA.id, role: 'teacher', taughtPupilIds: new Set([fixture.schoolA.taughtPupilId]) };
    parentActor = { userId: fixture.schoolA.users.parent.id, displayName: 'parent A', schoolId: fixture.schoolA.id, role: 'parent', childPupilIds: new Set([fixture.schoolA.taughtPupilId]) };
    cycleId = await insertTestCycle(database.db, fixture.schoolA.id, fixture.schoolA.taughtPupilId);
    const page = await voice.getContributionsPage(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, '127.0.0.1');
    contactValue = page.recipients.find((recipient) => recipient.value.startsWith('contact:'))!.value;
  });

  it('offers the contacts with parental responsibility and the pupil, and says email is not set up', async () => {
    const page = await voice.getContributionsPage(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, '127.0.0.1');
    assert.deepEqual(page.recipients.map((recipient) => recipient.name), ['Ms Maria Parent', 'Zoë O\'Connor (the pupil)']);
    assert.equal(page.emailConfigured, false);
    assert.equal(page.open, true);
    assert.equal(page.pupilFirstName, 'Zoë');
  });

  it('makes one link per person, keeping only its hash, and audits each request in its transaction', async () => {
    const issued = await voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: [contactValue, 'pupil'], expiryDays: '10' }, ORIGIN, '127.0.0.1');
    assert.equal(issued.links.length, 2);
    assert.deepEqual(issued.links.map((link) => [link.respondent, link.email]), [['parent', 'not-set-up'], ['pupil', 'not-set-up']]);
    assert.equal(issued.schoolName, 'Ashfield Academy');
    const rows = await database.db.selectFrom('contribution_requests').selectAll().where('cycle_id', '=', cycleId).execute();
    assert.equal(rows.length, 2);
    for (const link of issued.links) {
      assert.ok(link.url.startsWith(`${ORIGIN}/contribute/`));
      const token = tokenOf(link.url);
      const row = rows.find((entry) => entry.id === link.requestId)!;
      assert.equal(row.token_hash, hashLinkToken(token));
      assert.ok(!JSON.stringify(row).includes(token), 'the token itself is never stored');
    }
    const audit = await database.db.selectFrom('audit_events').select(['action', 'pupil_id']).where('action', '=', 'contribution.requested').execute();
    assert.equal(audit.length, 2);
    assert.ok(audit.every((event) => event.pupil_id === fixture.schoolA.taughtPupilId));
  });

  it('refuses a request with nobody chosen, a bad expiry, or a contact who is not the pupil’s', async () => {
    await assert.rejects(voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: [], expiryDays: '61' }, ORIGIN, ''), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.errors.map((entry) => entry.field), ['recipients', 'expiryDays']);
      return true;
    });
    await assert.rejects(voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: ['contact:someone-else'], expiryDays: '' }, ORIGIN, ''), ValidationError);
  });

  it('requests views only for the pupil’s open cycle, and only from staff who may', async () => {
    const closed = await insertTestCycle(database.db, fixture.schoolA.id, fixture.schoolA.otherPupilId, { status: 'closed' });
    await assert.rejects(voice.requestViews(ctx, senco, fixture.schoolA.otherPupilId, closed, { recipients: ['pupil'], expiryDays: '' }, ORIGIN, ''), /been reviewed/);
    await assert.rejects(voice.requestViews(ctx, senco, fixture.schoolA.otherPupilId, cycleId, { recipients: ['pupil'], expiryDays: '' }, ORIGIN, ''), NotFoundError);
    await assert.rejects(voice.requestViews(ctx, teacher, fixture.schoolA.taughtPupilId, cycleId, { recipients: ['pupil'], expiryDays: '' }, ORIGIN, ''), ForbiddenError);
  });

  it('stores answers verbatim once, then the link is closed; the cycle shows them under the version’s headings', async () => {
    const issued = await voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: [contactValue], expiryDays: '' }, ORIGIN, '127.0.0.1');
    const token = tokenOf(issued.links[0]!.url);
    const link = await voice.lookUpLink(ctx, token);
    assert.equal(link.state, 'open');
    if (link.state !== 'open') return;
    assert.equal(link.pupilFirstName, 'Zoë');
    assert.equal(link.respondent, 'parent');
    // The school renames a heading after the request was made: this request keeps the old one.
    const current = await getCurrentTemplate(database.db, schoolScope(fixture.schoolA.id), 'contribution-parent');
    await saveTemplateVersion(database.db, schoolScope(fixture.schoolA.id), 'contribution-parent', current.sections.map((section) => (section.key === 'worries' ? { ...section, heading: 'Concerns' } : section)), senco.userId);
    const verbatim = '  Still worried about   reading.\n\n— Maria  ';
    const answers = voice.checkLinkAnswers(link, (key) => (key === 'worries' ? verbatim : ''));
    assert.deepEqual(await voice.submitContribution(ctx, link, answers, '10.0.0.9'), { stored: true });
    assert.deepEqual(await voice.submitContribution(ctx, link, answers, '10.0.0.9'), { stored: false, state: 'submitted' });
    assert.deepEqual(await voice.lookUpLink(ctx, token), { state: 'submitted' });

    const contributions = await voice.contributionsForCycle(ctx, senco, cycleId);
    const submitted = contributions.find((entry) => entry.id === issued.links[0]!.requestId)!;
    assert.equal(submitted.status, 'submitted');
    const worries = submitted.answers.find((answer) => answer.key === 'worries')!;
    assert.equal(worries.heading, 'Any worries', 'the heading of the version the request was made with');
    assert.equal(worries.answer, verbatim);
    assert.equal(submitted.answers.find((answer) => answer.key === 'going-well')!.answer, '');
    // The earlier, unanswered request to the same parent was replaced by this one.
    assert.ok(contributions.some((entry) => entry.recipientName === 'Ms Maria Parent' && entry.status === 'superseded'));

    const event = await database.db.selectFrom('audit_events').select(['actor_label', 'actor_user_id', 'pupil_id', 'ip']).where('action', '=', 'contribution.submitted').executeTakeFirstOrThrow();
    assert.deepEqual({ ...event }, { actor_label: 'Parent or carer via one-time link', actor_user_id: null, pupil_id: fixture.schoolA.taughtPupilId, ip: '10.0.0.9' });
  });

  it('lets the people who may see the plan read the views, and nobody else', async () => {
    assert.ok((await voice.contributionsForCycle(ctx, teacher, cycleId)).length > 0);
    assert.ok((await voice.contributionsForCycle(ctx, parentActor, cycleId)).length > 0);
    const otherParent = { ...parentActor, childPupilIds: new Set<string>() };
    await assert.rejects(voice.contributionsForCycle(ctx, otherParent, cycleId), ForbiddenError);
    const otherSchool: Actor = { userId: fixture.schoolB.users.senco.id, displayName: 'senco B', schoolId: fixture.schoolB.id, role: 'senco' };
    await assert.rejects(voice.contributionsForCycle(ctx, otherSchool, cycleId), NotFoundError);
  });

  it('resends: the old link stops working at once and the new one works', async () => {
    const issued = await voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: ['pupil'], expiryDays: '5' }, ORIGIN, '');
    const oldToken = tokenOf(issued.links[0]!.url);
    const resent = await voice.resendRequest(ctx, senco, issued.links[0]!.requestId, ORIGIN, '');
    assert.deepEqual(await voice.lookUpLink(ctx, oldToken), { state: 'superseded' });
    const fresh = await voice.lookUpLink(ctx, tokenOf(resent.links[0]!.url));
    assert.equal(fresh.state, 'open');
    assert.equal(resent.links[0]!.replaced, 1);
    await assert.rejects(voice.resendRequest(ctx, senco, issued.links[0]!.requestId, ORIGIN, ''), /newer link/);
    const row = await database.db.selectFrom('contribution_requests').select(['created_at', 'expires_at']).where('id', '=', resent.links[0]!.requestId).executeTakeFirstOrThrow();
    const days = Math.round((Date.parse(row.expires_at) - Date.parse(row.created_at)) / 86_400_000);
    assert.ok(days === 5 || days === 6, `the new link works as long as the old one was given (${days})`);
  });

  it('does not store answers once the link has expired, even if the form was opened before', async () => {
    const issued = await voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: ['pupil'], expiryDays: '' }, ORIGIN, '');
    const token = tokenOf(issued.links[0]!.url);
    const link = await voice.lookUpLink(ctx, token);
    assert.equal(link.state, 'open');
    if (link.state !== 'open') return;
    await database.db.updateTable('contribution_requests').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', issued.links[0]!.requestId).execute();
    assert.deepEqual(await voice.submitContribution(ctx, link, { 'good-at': 'drawing' }, ''), { stored: false, state: 'expired' });
    assert.deepEqual(await voice.lookUpLink(ctx, token), { state: 'expired' });
  });

  it('lists requests without a reply for open cycles by review date, with filters and counts', async () => {
    const query = voice.parseOutstandingQuery({});
    const all = await voice.getOutstanding(ctx, senco, query, '');
    assert.ok(all.entries.every((entry) => entry.status === 'awaiting' || entry.status === 'expired'));
    assert.equal(all.expiredCount, 1);
    const expired = await voice.getOutstanding(ctx, senco, voice.parseOutstandingQuery({ show: 'expired' }), '');
    assert.deepEqual(expired.entries.map((entry) => [entry.respondent, entry.status]), [['pupil', 'expired']]);
    const parents = await voice.getOutstanding(ctx, senco, voice.parseOutstandingQuery({ respondent: 'parent' }), '');
    assert.equal(parents.total, 0, 'the parent has replied; their replaced request is not listed');
    const otherSchool: Actor = { userId: fixture.schoolB.users.senco.id, displayName: 'senco B', schoolId: fixture.schoolB.id, role: 'senco' };
    assert.equal((await voice.getOutstanding(ctx, otherSchool, query, '')).total, 0);
  });

  it('gives the chronology views requested and views received, with who', async () => {
    const events = await voice.chronologyEvents(ctx, senco, fixture.schoolA.taughtPupilId);
    assert.ok(events.some((event) => event.title === 'Views requested from Ms Maria Parent' && event.by === 'senco A'));
    assert.ok(events.some((event) => event.title === 'Views received from Ms Maria Parent' && event.by === 'Parent or carer via one-time link'));
    assert.ok(events.some((event) => event.title === 'New link sent to Zoë (the pupil)'));
    assert.ok(events.every((event) => event.category === 'contribution' && /^\d{4}-\d{2}-\d{2}$/.test(event.date)));
    assert.ok(events.every((event) => event.href?.endsWith('/contributions')));
    assert.ok((await voice.chronologyEvents(ctx, teacher, fixture.schoolA.taughtPupilId)).every((event) => event.href === undefined));
  });

  it('emails the link when email is set up, naming only the school and the pupil’s first name', async () => {
    const sent: MailMessage[] = [];
    useMailer(ctx, { send: async (message) => void sent.push(message) });
    try {
      const issued = await voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: [contactValue, 'pupil'], expiryDays: '' }, ORIGIN, '');
      assert.deepEqual(issued.links.map((link) => link.email), ['sent', 'no-address']);
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.to, fixture.schoolA.users.parent.email);
      assert.match(sent[0]!.subject, /^Ashfield Academy: share your views about Zoë$/);
      assert.ok(sent[0]!.text.includes(issued.links[0]!.url));
      assert.ok(!/O'Connor|Connor|SLCN|Year 7|7A|2014/.test(`${sent[0]!.subject}\n${sent[0]!.text}`), 'no surname, need, year or date of birth');
      const row = await database.db.selectFrom('contribution_requests').select('emailed_at').where('id', '=', issued.links[0]!.requestId).executeTakeFirstOrThrow();
      assert.ok(row.emailed_at);
      await ctx.audit.flush();
      const emailed = await database.db.selectFrom('audit_events').select(['detail', 'pupil_id', 'actor_user_id']).where('action', '=', 'contribution.emailed').execute();
      assert.equal(emailed.length, 1, 'one event for the one email sent; none for the pupil with no address');
      assert.equal(emailed[0]!.pupil_id, fixture.schoolA.taughtPupilId);
      assert.equal(emailed[0]!.actor_user_id, senco.userId);
      const detail = JSON.parse(String(emailed[0]!.detail)) as Record<string, unknown>;
      assert.equal(detail.requestId, issued.links[0]!.requestId);
      assert.equal(detail.recipient, 'Ms Maria Parent');
      assert.ok(!String(emailed[0]!.detail).includes(tokenOf(issued.links[0]!.url)), 'never the token');
      useMailer(ctx, { send: async () => { throw new Error('mail server down'); } });
      const failed = await voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: [contactValue], expiryDays: '' }, ORIGIN, '');
      assert.equal(failed.links[0]!.email, 'failed');
      await ctx.audit.flush();
      const afterFailure = await database.db.selectFrom('audit_events').select('detail').where('action', '=', 'contribution.emailed').execute();
      assert.equal(afterFailure.length, 1, 'no event for an email that was not sent');
      assert.equal((await voice.lookUpLink(ctx, tokenOf(failed.links[0]!.url))).state, 'open', 'the link stands even when the email fails');
    } finally {
      useMailer(ctx, null);
    }
  });

  it('keeps every audit chain intact', async () => {
    await ctx.audit.flush();
    const chains = await verifyAuditChains(database.db);
    assert.ok(chains.ok, JSON.stringify(chains));
  });

  it('stores one of two submissions sent at the same moment, never both', async () => {
    const issued = await voice.requestViews(ctx, senco, fixture.schoolA.taughtPupilId, cycleId, { recipients: ['pupil'], expiryDays: '' }, ORIGIN, '');
    const link = await voice.lookUpLink(ctx, tokenOf(issued.links[0]!.url));
    assert.equal(link.state, 'open');
    if (link.state !== 'open') return;
    const results = await Promise.all([voice.submitContribution(ctx, link, { 'good-at': 'first' }, ''), voice.submitContribution(ctx, link, { 'good-at': 'second' }, '')]);
    assert.equal(results.filter((result) => result.stored).length, 1);
    assert.deepEqual(results.find((result) => !result.stored), { stored: false, state: 'submitted' });
    const row = await database.db.selectFrom('contribution_requests').select('answers').where('id', '=', issued.links[0]!.requestId).executeTakeFirstOrThrow();
    const stored = results[0]!.stored ? 'first' : 'second';
    assert.equal(JSON.parse(row.answers!)['good-at'], stored, 'the answers of the submission that was stored, not overwritten');
    await ctx.audit.flush();
    const submitted = await database.db.selectFrom('audit_events').select('detail').where('action', '=', 'contribution.submitted').execute();
    assert.equal(submitted.filter((event) => String(event.detail).includes(issued.links[0]!.requestId)).length, 1, 'one audit event');
  });
  it('closes a parent’s link once they no longer have parental responsibility, following them across a re-import', async () => {
    const scope = schoolScope(fixture.schoolA.id);
    const pupilId = fixture.schoolA.taughtPupilId;
    const maria = { contact_order: 1, title: 'Ms', forename: 'Maria', surname: 'Parent', relationship: 'Mother', parental_responsibility: 1, phone: null, email: fixture.schoolA.users.parent.email, user_id: fixture.schoolA.users.parent.id };
    const reimport = (contacts: Array<Partial<typeof maria>>) => registerRepository.replaceContacts(database.db, scope, pupilId, contacts.map((contact) => ({ ...maria, ...contact, id: newId() })));
    const issued = await voice.requestViews(ctx, senco, pupilId, cycleId, { recipients: [contactValue, 'pupil'], expiryDays: '' }, ORIGIN, '');
    const [parentToken, pupilToken] = issued.links.map((link) => tokenOf(link.url)) as [string, string];
    try {
      // Re-imported: a new contact id, the same person found by email (in another case)...
      await reimport([{ email: fixture.schoolA.users.parent.email.toUpperCase(), surname: 'Jones' }]);
      assert.equal((await voice.lookUpLink(ctx, parentToken)).state, 'open');
      // ... or by name when the email changed.
      await reimport([{ email: 'maria.new@example.org' }]);
      const open = await voice.lookUpLink(ctx, parentToken);
      assert.equal(open.state, 'open');
      // Re-imported without parental responsibility: the link shows nothing and stores nothing.
      await reimport([{ parental_responsibility: 0 }, { title: 'Mr', forename: 'Tom', email: 'tom@example.org' }]);
      assert.deepEqual(await voice.lookUpLink(ctx, parentToken), { state: 'expired' });
      if (open.state !== 'open') return;
      assert.deepEqual(await voice.submitContribution(ctx, open, { worries: 'Opened before the change' }, ''), { stored: false, state: 'expired' });
      // Removed altogether: still closed. The pupil's own link is unaffected.
      await reimport([]);
      assert.deepEqual(await voice.lookUpLink(ctx, parentToken), { state: 'expired' });
      assert.equal((await voice.lookUpLink(ctx, pupilToken)).state, 'open');
      const row = await database.db.selectFrom('contribution_requests').select(['submitted_at', 'answers']).where('id', '=', issued.links[0]!.requestId).executeTakeFirstOrThrow();
      assert.deepEqual({ ...row }, { submitted_at: null, answers: null });
    } finally {
      await reimport([{}]);
    }
    // The stored contact itself losing responsibility closes the link too.
    const again = await voice.getContributionsPage(ctx, senco, pupilId, cycleId, '');
    const fresh = await voice.requestViews(ctx, senco, pupilId, cycleId, { recipients: [again.recipients[0]!.value], expiryDays: '' }, ORIGIN, '');
    const token = tokenOf(fresh.links[0]!.url);
    assert.equal((await voice.lookUpLink(ctx, token)).state, 'open');
    await database.db.updateTable('contacts').set({ parental_responsibility: 0 }).where('school_id', '=', fixture.schoolA.id).where('pupil_id', '=', pupilId).execute();
    try {
      assert.deepEqual(await voice.lookUpLink(ctx, token), { state: 'expired' });
    } finally {
      await database.db.updateTable('contacts').set({ parental_responsibility: 1 }).where('school_id', '=', fixture.schoolA.id).where('pupil_id', '=', pupilId).execute();
    }
  });
});
