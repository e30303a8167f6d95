// Explicit mappers from what the register's services return to what the API publishes: camelCase
// keys, flags as booleans, ISO dates as they are, and nothing internal (search text, addresses,
// linked account ids) unless it is named here. The response schemas filter again on the way out.
import type { HeadlineCounts } from '../register/service.ts';
import type * as register from '../register/service.ts';
import { NEEDS, PROVISION_LABELS, isNeedCode, isProvision } from '../register/census.ts';
import { governorCount } from '../../platform/figures.ts';

type RegisterResult = Awaited<ReturnType<typeof register.getRegister>>;
type RegisterRow = RegisterResult['pupils'][number];
type OverviewResult = Awaited<ReturnType<typeof register.getOverview>>;
type PupilOverview = Awaited<ReturnType<typeof register.getPupilOverview>>;
type PupilContacts = Awaited<ReturnType<typeof register.getPupilContacts>>;
type SenHistory = Awaited<ReturnType<typeof register.getPupilSenHistory>>;
type SenChangeForm = Awaited<ReturnType<typeof register.getSenChangeForm>>;

const flag = (value: number | null | undefined) => Number(value ?? 0) === 1;
const yearGroup = (value: number | null | undefined) => (value === null || value === undefined ? null : Number(value));
const provisionLabel = (code: string) => (isProvision(code) ? PROVISION_LABELS[code] : code);

export interface ApiNeed {
  need: string;
  rank: number;
  label: string;
  area: string;
}

export function need(entry: { need: string; rank: number; label?: string; area?: string }): ApiNeed {
  const known = isNeedCode(entry.need) ? NEEDS[entry.need] : undefined;
  return { need: entry.need, rank: Number(entry.rank), label: entry.label ?? known?.label ?? entry.need, area: entry.area ?? known?.area ?? '' };
}

export function registerPupil(row: RegisterRow) {
  return {
    id: row.id,
    upn: row.upn,
    legalForename: row.legal_forename,
    legalSurname: row.legal_surname,
    preferredForename: row.preferred_forename,
    preferredSurname: row.preferred_surname,
    dateOfBirth: row.date_of_birth,
    yearGroup: yearGroup(row.year_group),
    registrationGroup: row.registration_group,
    senProvision: row.sen_provision,
    senSince: row.sen_since,
    primaryNeed: row.primary_need,
    secondaryNeed: row.secondary_need,
    fsm: flag(row.fsm),
    pupilPremium: flag(row.pupil_premium),
    eal: flag(row.eal),
    lookedAfter: flag(row.looked_after),
  };
}

export function headlineCounts(counts: HeadlineCounts) {
  return {
    total: counts.total,
    byProvision: counts.byProvision.map((row) => ({ code: row.code, label: row.label, count: row.count })),
    byNeed: counts.byNeed.map((row) => ({ code: row.code, label: row.label, count: row.count })),
    byArea: counts.byArea.map((row) => ({ area: row.area, label: row.area, count: row.count })),
    byYear: counts.byYear.map((row) => ({ year: row.year, label: row.label, count: row.count })),
  };
}

function senStatus(pupil: { sen_provision: string; sen_since: string | null }, needs: ReadonlyArray<{ need: string; rank: number }>) {
  return {
    provision: pupil.sen_provision,
    provisionLabel: provisionLabel(pupil.sen_provision),
    since: pupil.sen_since,
    needs: needs.map(need).sort((a, b) => a.rank - b.rank),
  };
}

export function contact(row: PupilContacts['contacts'][number]) {
  return {
    id: row.id,
    order: Number(row.contact_order),
    title: row.title,
    forename: row.forename,
    surname: row.surname,
    relationship: row.relationship,
    parentalResponsibility: flag(row.parental_responsibility),
    phone: row.phone,
    email: row.email,
  };
}

export function pupilLinks(pupilId: string, canEditSen: boolean) {
  const self = `/api/v1/pupils/${encodeURIComponent(pupilId)}`;
  return { self, senHistory: `${self}/sen-history`, ...(canEditSen ? { senStatus: `${self}/sen-status` } : {}) };
}

/** The pupil's record as the web's overview and contacts pages show it, no more. */
export function pupil(overview: PupilOverview, visibleContacts: PupilContacts['contacts']) {
  const row = overview.pupil;
  return {
    id: row.id,
    upn: row.upn,
    uln: row.uln,
    legalForename: row.legal_forename,
    middleNames: row.middle_names,
    legalSurname: row.legal_surname,
    preferredForename: row.preferred_forename,
    preferredSurname: row.preferred_surname,
    dateOfBirth: row.date_of_birth,
    yearGroup: yearGroup(row.year_group),
    registrationGroup: row.registration_group,
    onRoll: flag(row.on_roll),
    fsm: flag(row.fsm),
    pupilPremium: flag(row.pupil_premium),
    eal: flag(row.eal),
    lookedAfter: flag(row.looked_after),
    sen: senStatus(row, overview.needs),
    groups: overview.groups.map((group) => ({ id: group.id, name: group.name, kind: group.kind, subject: group.subject })),
    contacts: visibleContacts.map(contact),
    links: pupilLinks(row.id, overview.canEditSen),
  };
}

export function senHistory(history: SenHistory, changeLabels: Record<string, string>) {
  return {
    pupilId: history.pupil.id,
    current: senStatus(history.pupil, history.currentNeeds),
    provisionPeriods: history.provisionPeriods.map((period) => ({
      id: period.id,
      provision: period.provision,
      provisionLabel: provisionLabel(period.provision),
      startDate: period.start_date,
      endDate: period.end_date,
      changeId: period.change_id,
    })),
    needPeriods: history.needPeriods.map((period) => ({
      id: period.id,
      need: period.need,
      rank: Number(period.rank),
      label: period.label,
      area: period.area,
      startDate: period.start_date,
      endDate: period.end_date,
      changeId: period.change_id,
    })),
    changes: history.changes.map((change) => ({
      id: change.id,
      kind: change.kind,
      kindLabel: changeLabels[change.kind] ?? change.kind,
      effectiveDate: change.effective_date,
      reason: change.reason,
      provisionBefore: change.provision_before,
      provisionAfter: change.provision_after,
      needsBefore: change.needsBefore.map(need),
      needsAfter: change.needsAfter.map(need),
      source: change.source,
      recordedAt: change.recorded_at,
      recordedBy: change.recorded_by_name,
    })),
  };
}

export function currentSenStatus(form: SenChangeForm) {
  return senStatus(form.pupil, form.status.needs);
}

/** Aggregates only. For governors, as on the web page: 1 to 4 becomes null with suppressed: true, and every other count is rounded to the nearest 5. */
export function overview(result: OverviewResult, threshold: number) {
  const count = (value: number) => {
    if (!result.suppress) return { count: value, suppressed: false };
    const safe = governorCount(value);
    return { count: safe.count, suppressed: safe.suppressed };
  };
  return {
    school: { id: result.school?.id ?? '', name: result.school?.name ?? '' },
    smallNumberSuppression: { applied: result.suppress, threshold },
    onRoll: count(result.all.total),
    withSen: count(result.sen.total),
    byProvision: result.sen.byProvision.map((row) => ({ code: row.code, label: row.label, ...count(row.count) })),
    byNeed: result.sen.byNeed.map((row) => ({ code: row.code, label: row.label, ...count(row.count) })),
    byArea: result.sen.byArea.map((row) => ({ area: row.area, label: row.area, ...count(row.count) })),
    byYear: result.sen.byYear.map((row) => ({ year: row.year, label: row.label, ...count(row.count) })),
    byFactor: result.flagCounts.map((row) => ({ factor: row.flag, label: row.label, ...count(row.count) })),
  };
}
