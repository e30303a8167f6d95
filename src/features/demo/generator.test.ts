import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { censusProblems, isHistoricProvision } from '../register/census.ts';
import { ulnProblem, upnProblem } from '../register/identifiers.ts';
import { ROLES } from '../../platform/permissions.ts';
import { generateDemoSchool, MILLBROOK, mulberry32, RIVERSIDE, senPeriods, type DemoSchoolData, type DemoSenChange } from './generator.ts';

const AS_OF = '2026-11-22';
const secondary = generateDemoSchool({ ...RIVERSIDE, pupils: 1000, seed: 42, asOf: AS_OF });
const primary = generateDemoSchool({ ...MILLBROOK, seed: 42, asOf: AS_OF });

function share(data: DemoSchoolData, test: (pupil: DemoSchoolData['pupils'][number]) => boolean): number {
  return data.pupils.filter(test).length / data.pupils.length;
}

describe('mulberry32', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const first = [a(), a(), a()];
    assert.deepEqual(first, [b(), b(), b()]);
    assert.notDeepEqual(first, [c(), c(), c()]);
    assert.ok(first.every((value) => value >= 0 && value < 1));
  });
});

describe('generateDemoSchool', () => {
  it('gives identical output for the same seed and size', () => {
    const again = generateDemoSchool({ ...RIVERSIDE, pupils: 1000, seed: 42, asOf: AS_OF });
    assert.equal(JSON.stringify(again), JSON.stringify(secondary));
    const other = generateDemoSchool({ ...RIVERSIDE, pupils: 1000, seed: 43, asOf: AS_OF });
    assert.notEqual(JSON.stringify(other.pupils.slice(0, 20)), JSON.stringify(secondary.pupils.slice(0, 20)));
  });

  it('refuses sizes outside 50 to 20,000', () => {
    assert.throws(() => generateDemoSchool({ pupils: 49 }), /50 to 20000/);
    assert.throws(() => generateDemoSchool({ pupils: 20_001 }), /50 to 20000/);
    assert.equal(generateDemoSchool({ pupils: 50, asOf: AS_OF }).pupils.length, 50);
  });

  it('has the national shape: about 14% SEN support and 3–5% EHC plans', () => {
    for (const data of [secondary, primary]) {
      const support = share(data, (pupil) => pupil.sen.provision === 'K');
      const ehc = share(data, (pupil) => pupil.sen.provision === 'E');
      assert.ok(support >= 0.12 && support <= 0.16, `SEN support ${support}`);
      assert.ok(ehc >= 0.03 && ehc <= 0.05, `EHC plans ${ehc}`);
      const ehcPupils = data.pupils.filter((pupil) => pupil.sen.provision === 'E');
      const boys = ehcPupils.filter((pupil) => pupil.sex === 'M').length / ehcPupils.length;
      assert.ok(boys >= 0.65 && boys <= 0.78, `boys among EHC ${boys}`);
    }
    const eal = share(secondary, (pupil) => pupil.eal);
    assert.ok(eal > 0.14 && eal < 0.27, `EAL ${eal}`);
    const lookedAfter = share(secondary, (pupil) => pupil.lookedAfter);
    assert.ok(lookedAfter > 0 && lookedAfter < 0.03, `looked after ${lookedAfter}`);
    const fsm = share(secondary, (pupil) => pupil.fsm);
    const premium = share(secondary, (pupil) => pupil.pupilPremium);
    assert.ok(premium > fsm && fsm > 0.18 && fsm < 0.34, `FSM ${fsm}, pupil premium ${premium}`);
    assert.ok(secondary.pupils.every((pupil) => !pupil.fsm || pupil.pupilPremium));
  });

  it('leads SEN support with SEMH in secondary and SLCN in primary, EHC plans with ASD', () => {
    const leading = (data: DemoSchoolData, provision: string) => {
      const counts = new Map<string, number>();
      for (const pupil of data.pupils) if (pupil.sen.provision === provision) counts.set(pupil.sen.needs[0]!.need, (counts.get(pupil.sen.needs[0]!.need) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1]).map(([need]) => need);
    };
    const big = generateDemoSchool({ ...RIVERSIDE, pupils: 8000, seed: 1, asOf: AS_OF });
    assert.deepEqual(leading(big, 'K').slice(0, 4), ['SEMH', 'SPLD', 'SLCN', 'MLD']);
    assert.equal(leading(big, 'E')[0], 'ASD');
    const bigPrimary = generateDemoSchool({ ...MILLBROOK, pupils: 5000, seed: 1, asOf: AS_OF });
    assert.equal(leading(bigPrimary, 'K')[0], 'SLCN');
  });

  it('gives every pupil a valid, unique UPN and a valid ULN from Year 10', () => {
    for (const data of [secondary, primary]) {
      const upns = new Set<string>();
      for (const pupil of data.pupils) {
        assert.equal(upnProblem(pupil.upn), undefined, pupil.upn);
        assert.equal(pupil.upn.slice(1, 8), data.school.laestab);
        upns.add(pupil.upn);
        if (pupil.yearGroup >= 10) assert.equal(ulnProblem(pupil.uln ?? ''), undefined, String(pupil.uln));
        else assert.equal(pupil.uln, null);
      }
      assert.equal(upns.size, data.pupils.length);
    }
    const large = generateDemoSchool({ pupils: 20_000, seed: 3, asOf: AS_OF });
    assert.equal(new Set(large.pupils.map((pupil) => pupil.upn)).size, 20_000);
    assert.ok(large.pupils.every((pupil) => upnProblem(pupil.upn) === undefined));
  });

  it('records needs by the census rules: K and E have needs with unique ranks, N none, NSA only with K', () => {
    for (const data of [secondary, primary]) {
      for (const pupil of data.pupils) {
        const { provision, needs } = pupil.sen;
        assert.deepEqual(censusProblems(provision, needs), [], `${pupil.key} ${provision} ${JSON.stringify(needs)}`);
        const ranks = needs.map((entry) => entry.rank);
        assert.equal(new Set(ranks).size, ranks.length);
        if (provision === 'N') assert.equal(needs.length, 0);
        else assert.ok(needs.length >= 1 && needs.some((entry) => entry.rank === 1));
        if (needs.some((entry) => entry.need === 'NSA')) assert.equal(provision, 'K');
      }
    }
  });

  it('keeps each SEN history in date order and ending in the current status', () => {
    let historic = 0;
    let removed = 0;
    for (const data of [secondary, primary]) {
      for (const pupil of data.pupils) {
        const history = pupil.senHistory;
        if (pupil.sen.provision !== 'N') assert.ok(history.length > 0, pupil.key);
        let previous: DemoSenChange | undefined;
        for (const change of history) {
          assert.ok(change.date <= AS_OF && change.date > pupil.dateOfBirth, `${pupil.key} ${change.date}`);
          assert.ok(change.recordedAt.startsWith(change.date));
          if (previous) {
            assert.ok(change.date > previous.date, `${pupil.key}: ${previous.date} then ${change.date}`);
            assert.equal(change.provisionBefore, previous.provisionAfter);
            assert.deepEqual(change.needsBefore, previous.needsAfter);
          } else {
            assert.equal(change.provisionBefore, 'N');
            assert.deepEqual(change.needsBefore, []);
          }
          // Historic codes only before the 2014 reforms; each change satisfies the census rules.
          if (isHistoricProvision(change.provisionAfter)) {
            historic += 1;
            assert.ok(change.date < '2014-09-01', `${pupil.key} historic ${change.provisionAfter} on ${change.date}`);
          }
          assert.deepEqual(censusProblems(change.provisionAfter, change.needsAfter, { allowHistoric: true }), []);
          previous = change;
        }
        if (previous) {
          assert.equal(previous.provisionAfter, pupil.sen.provision);
          assert.deepEqual(previous.needsAfter, pupil.sen.needs);
          if (pupil.sen.provision === 'N') removed += 1;
        }
        if (pupil.sen.provision === 'N') assert.equal(pupil.sen.since, null);
        else {
          const started = history.findLast((change) => change.provisionBefore !== pupil.sen.provision && change.provisionAfter === pupil.sen.provision);
          assert.equal(pupil.sen.since, started?.date);
        }
      }
    }
    assert.ok(removed > 0, 'some pupils left SEN support');
    assert.ok(historic > 0, 'some sixth formers carry School Action, Action Plus or a statement');
    const kinds = new Set(secondary.pupils.flatMap((pupil) => pupil.senHistory.map((change) => change.kind)));
    for (const kind of ['added-to-sen-support', 'ehc-plan-started', 'needs-changed', 'removed-from-sen-support']) assert.ok(kinds.has(kind as never), kind);
    const supportFirst = secondary.pupils.filter((pupil) => pupil.sen.provision === 'E' && pupil.senHistory.some((change) => change.provisionAfter === 'K'));
    assert.ok(supportFirst.length > 0, 'some pupils with EHC plans were on SEN support first');
  });

  it('gives dates of birth that fit the year group in 2026/27', () => {
    const windows: Record<number, [string, string]> = {
      0: ['2021-09-01', '2022-08-31'],
      6: ['2015-09-01', '2016-08-31'],
      7: ['2014-09-01', '2015-08-31'],
      11: ['2010-09-01', '2011-08-31'],
      13: ['2008-09-01', '2009-08-31'],
    };
    const years = new Set<number>();
    for (const pupil of [...secondary.pupils, ...primary.pupils]) {
      years.add(pupil.yearGroup);
      const [year, month] = pupil.dateOfBirth.split('-').map(Number) as [number, number];
      const academicYearOfBirth = month >= 9 ? year : year - 1;
      assert.equal(2026 - 5 - pupil.yearGroup, academicYearOfBirth, `${pupil.key} Y${pupil.yearGroup} born ${pupil.dateOfBirth}`);
      const window = windows[pupil.yearGroup];
      if (window) assert.ok(pupil.dateOfBirth >= window[0] && pupil.dateOfBirth <= window[1]);
    }
    assert.deepEqual([...years].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('uses names of many origins with accents, apostrophes and hyphens', () => {
    const names = secondary.pupils.map((pupil) => `${pupil.legalForename} ${pupil.legalSurname}`);
    assert.ok(names.some((name) => /[^\x00-\x7f]/.test(name)), 'accents');
    assert.ok(names.some((name) => name.includes("'")), 'apostrophes');
    assert.ok(names.some((name) => /\p{L}-\p{L}/u.test(name)), 'hyphens');
    assert.ok(secondary.pupils.some((pupil) => pupil.preferredForename));
    assert.ok(secondary.pupils.some((pupil) => pupil.middleNames));
  });

  it('puts every pupil in a registration group and in teaching groups', () => {
    for (const data of [secondary, primary]) {
      const registration = new Map<string, string>();
      for (const group of data.groups) {
        assert.ok(group.pupilKeys.length > 0, group.name);
        if (group.kind === 'registration') for (const key of group.pupilKeys) registration.set(key, group.name);
      }
      for (const pupil of data.pupils) assert.equal(registration.get(pupil.key), pupil.registrationGroup);
      assert.equal(new Set(data.groups.map((group) => group.name)).size, data.groups.length);
    }
    assert.ok(secondary.groups.some((group) => group.name === '7A' && group.kind === 'registration'));
    assert.ok(secondary.groups.some((group) => group.name === '9Ma1' && group.subject === 'Mathematics'));
    const taught = secondary.groups.filter((group) => group.kind === 'teaching').flatMap((group) => group.pupilKeys);
    assert.equal(new Set(taught).size, secondary.pupils.length);
    assert.ok(primary.groups.every((group) => group.kind === 'registration'));
  });

  it('gives each pupil one or two contacts on example domains and drama phone numbers', () => {
    for (const data of [secondary, primary]) {
      const perPupil = new Map<string, number>();
      for (const contact of data.contacts) {
        perPupil.set(contact.pupilKey, (perPupil.get(contact.pupilKey) ?? 0) + 1);
        if (contact.email) assert.match(contact.email, new RegExp(`@(example\\.org|example\\.com|${data.school.emailDomain.replace(/\./g, '\\.')})$`));
        if (contact.phone) assert.match(contact.phone, /^(07700 900|01632 960)\d{3}$/);
      }
      assert.ok(data.pupils.every((pupil) => [1, 2].includes(perPupil.get(pupil.key) ?? 0)));
      assert.ok(data.contacts.some((contact) => contact.parentalResponsibility));
    }
  });

  it('has a sign-in account for each role, a teacher of SEN pupils and a parent of SEN pupils', () => {
    const signIns = secondary.users.filter((user) => user.signIn);
    assert.deepEqual(signIns.map((user) => user.role).sort(), [...ROLES].sort());
    assert.ok(secondary.users.every((user) => user.email.endsWith(`@${RIVERSIDE.emailDomain}`)));
    assert.equal(new Set(secondary.users.map((user) => user.email)).size, secondary.users.length);
    const sen = new Set(secondary.pupils.filter((pupil) => pupil.sen.provision !== 'N').map((pupil) => pupil.key));
    const groupOf = new Map(secondary.groups.map((group) => [group.key, group]));
    for (const role of ['teacher', 'teaching_assistant'] as const) {
      const user = signIns.find((entry) => entry.role === role)!;
      const groups = secondary.groupStaff.filter((link) => link.userKey === user.key).map((link) => groupOf.get(link.groupKey)!);
      assert.ok(groups.filter((group) => group.pupilKeys.some((key) => sen.has(key))).length >= 2, `${role} works with SEN pupils in several groups`);
    }
    const parent = signIns.find((user) => user.role === 'parent')!;
    const children = secondary.contacts.filter((contact) => contact.userKey === parent.key);
    assert.ok(children.length >= 1 && children.length <= 2);
    assert.ok(children.every((contact) => contact.parentalResponsibility && contact.email === parent.email));
    assert.ok(children.some((contact) => sen.has(contact.pupilKey)));
    const millbrookRoles = generateDemoSchool({ ...MILLBROOK, seed: 42, asOf: AS_OF, signInRoles: ['teacher', 'parent'] })
      .users.filter((user) => user.signIn)
      .map((user) => user.role)
      .sort();
    assert.deepEqual(millbrookRoles, ['parent', 'teacher']);
  });
});

describe('senPeriods', () => {
  it('opens and closes provision and need periods at each change', () => {
    const change = (date: string, before: string, after: string, needsBefore: string[], needsAfter: string[]): DemoSenChange => ({
      kind: 'needs-changed',
      date,
      recordedAt: `${date}T09:00:00.000Z`,
      reason: '',
      provisionBefore: before,
      provisionAfter: after,
      needsBefore: needsBefore.map((need, index) => ({ need: need as never, rank: index + 1 })),
      needsAfter: needsAfter.map((need, index) => ({ need: need as never, rank: index + 1 })),
    });
    const periods = senPeriods([
      change('2020-10-01', 'N', 'K', [], ['NSA']),
      change('2021-03-01', 'K', 'K', ['NSA'], ['SLCN', 'SEMH']),
      change('2023-05-01', 'K', 'E', ['SLCN', 'SEMH'], ['SLCN', 'ASD']),
      change('2025-01-10', 'E', 'N', ['SLCN', 'ASD'], []),
    ]);
    assert.deepEqual(periods.provisions, [
      { provision: 'K', startDate: '2020-10-01', endDate: '2023-05-01', change: 0 },
      { provision: 'E', startDate: '2023-05-01', endDate: '2025-01-10', change: 2 },
    ]);
    assert.deepEqual(periods.needs, [
      { need: 'NSA', rank: 1, startDate: '2020-10-01', endDate: '2021-03-01', change: 0 },
      { need: 'SLCN', rank: 1, startDate: '2021-03-01', endDate: '2025-01-10', change: 1 },
      { need: 'SEMH', rank: 2, startDate: '2021-03-01', endDate: '2023-05-01', change: 1 },
      { need: 'ASD', rank: 2, startDate: '2023-05-01', endDate: '2025-01-10', change: 2 },
    ]);
  });
});
