/**
 * Survivorship: which source record's value becomes the golden resident's, field by field.
 *
 * For every field the candidates are the records' usable values, ranked by
 *   1. quality — damaged values never survive (ID numbers lost_digits / malformed / bad_date);
 *      weaker readings (a bad check character, 性别 未知, 婚姻 未说明, the 户籍 address standing
 *      in for the current one, a deregistered floating record's address) only when nothing
 *      better exists;
 *   2. presence — records the source's latest export no longer lists rank below present ones;
 *   3. legal authority — police for name, ID number, birth date, sex, ethnicity, registered
 *      address and status; the floating-population platform for the current address of those
 *      registered elsewhere (no police record, or moved out); family planning for marital
 *      status; civil affairs (minimum-allowance) for the allowance;
 *   4. the most recent (observedAt);
 *   5. the most frequent value (distinct systems, then records), then the canonical source order
 *      and the record id, so the result never depends on the members' order.
 * A birth date (or sex) that disagrees with the record's own valid ID number yields to the
 * ID-derived one. An auditor's decision overrides the rules for its field.
 *
 * Pure: no I/O, no clock.
 */
import { normalizeName } from '../normalize/index.js';
import type { AddressResult, PersonStatus } from '../normalize/types.js';
import { isKeySorted, sameValue, sortKeys } from './stable-json.js';
import {
  GOLDEN_FIELD_NAMES,
  SOURCE_ORDER,
  type AuditorDecision,
  type FormerName,
  type GoldenAllowance,
  type GoldenField,
  type GoldenFieldName,
  type GoldenInput,
  type GoldenRecord,
  type GoldenStatusField,
  type ResidentStatus,
  type SourceName,
  type StaleDecision,
  type SurvivorshipRule,
} from './types.js';

/** One record's reading of a field. quality: 0 best; higher only when nothing better exists. */
interface Candidate<T> {
  member: GoldenInput;
  value: T;
  /** Equality key for "same value" (name match form, normalised address, …). */
  key: string;
  quality: number;
}

interface Chosen<T> {
  candidate: Candidate<T>;
  rule: Exclude<SurvivorshipRule, 'auditor'>;
}

interface Context {
  /** The floating-population platform is the authority for the current address. */
  floatingOwnsCurrentAddress: boolean;
}

interface FieldRule<T> {
  /** The record's reading as survivorship uses it (damage removed, ID-derived corrections made). */
  candidate(member: GoldenInput): Candidate<T> | null;
  /** The record's value as stated, for checking auditor decisions against it. */
  stated(member: GoldenInput): unknown;
  isAuthority(member: GoldenInput, context: Context): boolean;
}

// ---------------------------------------------------------------------------------------------
// Reading the adapters' normalised data

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function address(value: unknown): AddressResult | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const normalized = (value as { normalized?: unknown }).normalized;
  return typeof normalized === 'string' && normalized !== '' ? (value as AddressResult) : undefined;
}

/** The record's ID number is valid (or a valid upgraded 15-digit one). */
export function hasValidId(data: Record<string, unknown>): boolean {
  return (data.idNumberStatus === 'valid' || data.idNumberStatus === 'upgraded') && str(data.idNumber) !== undefined;
}

function isPresentFloating(member: GoldenInput): boolean {
  return member.source === 'floating-population' && str(member.data.deregisteredOn) === undefined;
}

function policeStatus(data: Record<string, unknown>): PersonStatus {
  const status = data.personStatus;
  return status === 'moved_out' || status === 'deceased' || status === 'cancelled' ? status : 'active';
}

const POLICE_TO_RESIDENT: Record<PersonStatus, ResidentStatus> = {
  active: 'alive',
  moved_out: 'moved_out',
  deceased: 'deceased',
  cancelled: 'cancelled',
};

function make<T>(member: GoldenInput, value: T | undefined, key: string | undefined, quality = 0): Candidate<T> | null {
  if (value === undefined || key === undefined) return null;
  return { member, value, key, quality };
}

const bySource =
  (...sources: SourceName[]) =>
  (member: GoldenInput): boolean =>
    sources.includes(member.source);

// ---------------------------------------------------------------------------------------------
// The rules, field by field

const nameRule: FieldRule<string> = {
  candidate: (m) => {
    const name = str(m.data.name);
    return make(m, name, str(m.data.nameMatch) ?? name);
  },
  stated: (m) => str(m.data.name),
  isAuthority: bySource('police'),
};

/** Excel keeps 15 significant digits: a "valid" number ending in 000 may be a damaged one. */
function idQuality(data: Record<string, unknown>, value: string): number {
  if (data.idNumberStatus === 'valid') return value.endsWith('000') ? 1 : 0;
  if (data.idNumberStatus === 'upgraded') return 0;
  return 2; // bad_check: a mistyped digit; only when no valid number exists anywhere
}

const idNumberRule: FieldRule<string> = {
  candidate: (m) => {
    const status = m.data.idNumberStatus;
    const value = str(m.data.idNumber);
    if (value === undefined || (status !== 'valid' && status !== 'upgraded' && status !== 'bad_check')) return null;
    return make(m, value, value, idQuality(m.data, value));
  },
  stated: (m) => str(m.data.idNumber),
  isAuthority: bySource('police'),
};

const birthDateRule: FieldRule<string> = {
  candidate: (m) => {
    const stated = str(m.data.birthDate);
    const fromId = hasValidId(m.data) ? str(m.data.idNumberBirthDate) : undefined;
    // A birth date that disagrees with the record's own valid ID number yields to the ID's.
    const value = fromId ?? stated;
    return make(m, value, value);
  },
  stated: (m) => str(m.data.birthDate) ?? str(m.data.idNumberBirthDate),
  isAuthority: bySource('police'),
};

const sexRule: FieldRule<string> = {
  candidate: (m) => {
    const stated = str(m.data.sex);
    const fromId = hasValidId(m.data) ? str(m.data.idNumberSex) : undefined;
    if (fromId !== undefined) return make(m, fromId, fromId);
    if (stated === undefined) return null;
    return make(m, stated, stated, stated === '1' || stated === '2' ? 0 : 1);
  },
  stated: (m) => str(m.data.sex) ?? str(m.data.idNumberSex),
  isAuthority: bySource('police'),
};

const ethnicityRule: FieldRule<string> = {
  candidate: (m) => {
    const value = str(m.data.ethnicity);
    return make(m, value, value);
  },
  stated: (m) => str(m.data.ethnicity),
  isAuthority: bySource('police'),
};

const maritalStatusRule: FieldRule<string> = {
  candidate: (m) => {
    const value = str(m.data.maritalStatus);
    return make(m, value, value, value === '90' ? 1 : 0);
  },
  stated: (m) => str(m.data.maritalStatus),
  isAuthority: bySource('family-planning'),
};

const phoneRule: FieldRule<string> = {
  candidate: (m) => {
    const value = str(m.data.phone);
    return make(m, value, value);
  },
  stated: (m) => str(m.data.phone),
  isAuthority: () => false,
};

function registeredAddressOf(m: GoldenInput): AddressResult | undefined {
  switch (m.source) {
    case 'police':
      return address(m.data.address); // 户籍地址 = the police 住址
    case 'family-planning':
      return address(m.data.registeredAddress);
    case 'floating-population':
      return address(m.data.originAddress); // registered elsewhere
    default:
      return undefined;
  }
}

const registeredAddressRule: FieldRule<AddressResult> = {
  candidate: (m) => {
    const value = registeredAddressOf(m);
    return make(m, value, value?.normalized);
  },
  stated: registeredAddressOf,
  isAuthority: bySource('police'),
};

function currentAddressOf(m: GoldenInput): AddressResult | undefined {
  switch (m.source) {
    case 'police':
      return address(m.data.address);
    case 'minimum-allowance':
      return address(m.data.address); // 家庭住址: where the family lives
    default:
      return address(m.data.currentAddress);
  }
}

const currentAddressRule: FieldRule<AddressResult> = {
  candidate: (m) => {
    const value = currentAddressOf(m);
    if (value === undefined) return null;
    if (m.source === 'police') {
      // The 户籍 address stands in for the current one only for a registered, living resident.
      return policeStatus(m.data) === 'active' ? make(m, value, value.normalized, 1) : null;
    }
    // A floating resident who has left no longer lives at the platform's address.
    if (m.source === 'floating-population' && !isPresentFloating(m)) return make(m, value, value.normalized, 1);
    return make(m, value, value.normalized);
  },
  stated: currentAddressOf,
  isAuthority: (m, context) => context.floatingOwnsCurrentAddress && isPresentFloating(m),
};

function statusOf(m: GoldenInput): { value: ResidentStatus; date: string | null; quality: number } {
  if (m.source === 'police') {
    return { value: POLICE_TO_RESIDENT[policeStatus(m.data)], date: str(m.data.statusDate) ?? null, quality: 0 };
  }
  if (m.source === 'floating-population') {
    const deregisteredOn = str(m.data.deregisteredOn);
    return deregisteredOn !== undefined ? { value: 'deregistered', date: deregisteredOn, quality: 0 } : { value: 'alive', date: null, quality: 0 };
  }
  // Being listed by family planning or civil affairs says only that the person was alive.
  return { value: 'alive', date: null, quality: 1 };
}

const statusRule: FieldRule<{ value: ResidentStatus; date: string | null }> = {
  candidate: (m) => {
    const status = statusOf(m);
    return make(m, { date: status.date, value: status.value }, status.value, status.quality);
  },
  stated: (m) => statusOf(m).value,
  isAuthority: bySource('police'),
};

const isAllowance = bySource('minimum-allowance');

const categoryRule: FieldRule<string> = {
  candidate: (m) => (isAllowance(m) && m.present ? make(m, str(m.data.category), str(m.data.category)) : null),
  stated: (m) => str(m.data.category),
  isAuthority: isAllowance,
};

const monthlyAmountRule: FieldRule<number> = {
  candidate: (m) => {
    const value = isAllowance(m) && m.present ? num(m.data.monthlyAmount) : undefined;
    return make(m, value, value === undefined ? undefined : String(value));
  },
  stated: (m) => num(m.data.monthlyAmount),
  isAuthority: isAllowance,
};

const approvedOnRule: FieldRule<string> = {
  candidate: (m) => (isAllowance(m) && m.present ? make(m, str(m.data.approvedOn), str(m.data.approvedOn)) : null),
  stated: (m) => str(m.data.approvedOn),
  isAuthority: isAllowance,
};

const RULES: Record<GoldenFieldName, FieldRule<unknown>> = {
  name: nameRule,
  idNumber: idNumberRule,
  birthDate: birthDateRule,
  sex: sexRule,
  ethnicity: ethnicityRule,
  maritalStatus: maritalStatusRule,
  phone: phoneRule,
  registeredAddress: registeredAddressRule,
  currentAddress: currentAddressRule,
  status: statusRule,
  'allowance.category': categoryRule,
  'allowance.monthlyAmount': monthlyAmountRule,
  'allowance.approvedOn': approvedOnRule,
};

/** One record's reading of a field as survivorship uses it (null when the record has no usable value). */
export function readField(field: GoldenFieldName, member: GoldenInput): { value: unknown; key: string; quality: number } | null {
  const candidate = RULES[field].candidate(member);
  return candidate === null ? null : { value: candidate.value, key: candidate.key, quality: candidate.quality };
}

// ---------------------------------------------------------------------------------------------
// Choosing

function sourceRank(source: SourceName): number {
  const index = SOURCE_ORDER.indexOf(source);
  return index < 0 ? SOURCE_ORDER.length : index;
}

/** Most recent first, then the canonical source order, then the record id. */
function compareRecency(a: GoldenInput, b: GoldenInput): number {
  if (a.observedAt !== b.observedAt) return a.observedAt > b.observedAt ? -1 : 1;
  const rank = sourceRank(a.source) - sourceRank(b.source);
  if (rank !== 0) return rank;
  return a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0;
}

function newest<T>(candidates: Candidate<T>[]): Candidate<T> {
  const sorted = [...candidates].sort((a, b) => compareRecency(a.member, b.member));
  return sorted[0] as Candidate<T>;
}

function choose<T>(all: Candidate<T>[], isAuthority: (member: GoldenInput) => boolean): Chosen<T> | null {
  if (all.length === 0) return null;
  const bestQuality = Math.min(...all.map((c) => c.quality));
  let pool = all.filter((c) => c.quality === bestQuality);
  if (pool.some((c) => c.member.present)) pool = pool.filter((c) => c.member.present);

  const authoritative = pool.filter((c) => isAuthority(c.member));
  const deciding = authoritative.length > 0 ? authoritative : pool;
  if (new Set(deciding.map((c) => c.key)).size === 1) {
    return { candidate: newest(deciding), rule: authoritative.length > 0 ? 'authority' : 'recent' };
  }

  const latest = newest(deciding).member.observedAt;
  const top = deciding.filter((c) => c.member.observedAt === latest);
  if (new Set(top.map((c) => c.key)).size === 1) return { candidate: newest(top), rule: 'recent' };

  // Equally recent and different: the value most sources hold (counted over the whole pool).
  const score = (key: string): [number, number] => {
    const holders = pool.filter((c) => c.key === key);
    return [new Set(holders.map((c) => c.member.source)).size, holders.length];
  };
  const ranked = [...top].sort((a, b) => {
    const [sa, ra] = score(a.key);
    const [sb, rb] = score(b.key);
    if (sa !== sb) return sb - sa;
    if (ra !== rb) return rb - ra;
    return compareRecency(a.member, b.member);
  });
  return { candidate: ranked[0] as Candidate<T>, rule: 'frequent' };
}

// The golden record's objects are built with their keys in sorted order, and a value taken
// from a record's data (an address) as a sorted copy: stableStringify then writes the record as
// it is (see stable-json.ts). A key out of order costs speed only, never a different text.

function toField<T>(chosen: Chosen<T> | null): GoldenField<T> | null {
  if (chosen === null) return null;
  return {
    rule: chosen.rule,
    source: chosen.candidate.member.source,
    sourceRecordId: chosen.candidate.member.recordId,
    value: sortedValue(chosen.candidate.value),
  };
}

/** The value itself when its keys are in order already, else a sorted copy. */
function sortedValue<T>(value: T): T {
  return isKeySorted(value) ? value : (sortKeys(value) as T);
}

function decide<T>(rule: FieldRule<T>, members: GoldenInput[], context: Context): Chosen<T> | null {
  const candidates: Candidate<T>[] = [];
  for (const member of members) {
    const candidate = rule.candidate(member);
    if (candidate !== null) candidates.push(candidate);
  }
  return choose(candidates, (member) => rule.isAuthority(member, context));
}

/** The police record that speaks for the person: present first, then the most recent. */
function leadingPoliceRecord(members: GoldenInput[]): GoldenInput | undefined {
  const police = members.filter((m) => m.source === 'police');
  const present = police.filter((m) => m.present);
  return [...(present.length > 0 ? present : police)].sort(compareRecency)[0];
}

// ---------------------------------------------------------------------------------------------
// Auditor decisions

/** The latest decision per field (by decidedAt, then the later in the list). */
function latestDecisions(decisions: readonly AuditorDecision[]): Map<GoldenFieldName, AuditorDecision> {
  const known = new Set<string>(GOLDEN_FIELD_NAMES);
  const byField = new Map<GoldenFieldName, AuditorDecision>();
  for (const decision of decisions) {
    if (!known.has(decision.field)) continue;
    const previous = byField.get(decision.field);
    if (previous === undefined || decision.decidedAt >= previous.decidedAt) byField.set(decision.field, decision);
  }
  return byField;
}

function auditorField<T>(decision: AuditorDecision, members: GoldenInput[]): GoldenField<T> {
  const member = decision.sourceRecordId === undefined ? undefined : members.find((m) => m.recordId === decision.sourceRecordId);
  return {
    decidedAt: decision.decidedAt,
    reason: decision.reason,
    rule: 'auditor',
    source: member?.source ?? null,
    sourceRecordId: decision.sourceRecordId ?? null,
    value: sortedValue(decision.value as T),
  };
}

function staleness(decision: AuditorDecision, members: GoldenInput[]): StaleDecision | null {
  const recordId = decision.sourceRecordId;
  if (recordId === undefined) return null;
  const member = members.find((m) => m.recordId === recordId);
  const base = { decidedAt: decision.decidedAt, decidedValue: sortedValue(decision.value), field: decision.field, sourceRecordId: recordId };
  if (member === undefined) return { change: 'record_missing', currentValue: undefined, ...base };
  const rule = RULES[decision.field];
  const stated = rule.stated(member);
  const reading = rule.candidate(member)?.value;
  if (sameValue(stated, decision.value) || (reading !== undefined && sameValue(reading, decision.value))) return null;
  return { change: 'value_changed', currentValue: sortedValue(stated), ...base };
}

// ---------------------------------------------------------------------------------------------
// The golden record

function formerNamesOf(members: GoldenInput[], currentNameKey: string | undefined): FormerName[] {
  const byKey = new Map<string, { value: string; members: GoldenInput[] }>();
  const ordered = [...members].sort(compareRecency);
  for (const member of ordered) {
    const value = str(member.data.formerName);
    if (value === undefined) continue;
    const key = str(member.data.formerNameMatch) ?? value;
    if (key === currentNameKey) continue;
    const entry = byKey.get(key) ?? { value, members: [] };
    entry.members.push(member);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((entry) => ({
    sourceRecordIds: entry.members.map((m) => m.recordId).sort(),
    sources: SOURCE_ORDER.filter((s) => entry.members.some((m) => m.source === s)),
    value: entry.value,
  }));
}

/**
 * The golden record of one resident from its source records, with the auditors' decisions
 * applied. Deterministic: the members' order does not matter.
 */
export function buildGoldenRecord(members: GoldenInput[], decisions: readonly AuditorDecision[] = []): GoldenRecord {
  const police = leadingPoliceRecord(members);
  const context: Context = {
    floatingOwnsCurrentAddress: police === undefined || policeStatus(police.data) === 'moved_out',
  };
  const decided = latestDecisions(decisions);
  const staleDecisions: StaleDecision[] = [];

  function field<T>(name: GoldenFieldName, rule: FieldRule<T>): GoldenField<T> | null {
    const decision = decided.get(name);
    if (decision !== undefined) {
      const stale = staleness(decision, members);
      if (stale !== null) staleDecisions.push(stale);
      return auditorField<T>(decision, members);
    }
    return toField(decide(rule, members, context));
  }

  const nameChosen = decided.has('name') ? null : decide(nameRule, members, context);
  const name = decided.has('name') ? field('name', nameRule) : toField(nameChosen);
  const currentNameKey = nameChosen?.candidate.key ?? (name ? (normalizeName(name.value)?.matchForm ?? name.value) : undefined);

  const statusField = field('status', statusRule);
  let status: GoldenStatusField | null = null;
  if (statusField !== null) {
    if (statusField.rule === 'auditor') {
      const source = members.find((m) => m.recordId === statusField.sourceRecordId);
      const date = source ? statusOf(source).date : null;
      status = { date, ...(statusField as GoldenField<unknown> as GoldenField<ResidentStatus>) };
    } else {
      const { value, ...provenance } = statusField;
      status = { date: value.date, ...provenance, value: value.value };
    }
  }

  const presentAllowance = members.some((m) => m.present && m.source === 'minimum-allowance');
  let allowance: GoldenAllowance | null = null;
  if (presentAllowance) {
    allowance = {
      approvedOn: field('allowance.approvedOn', approvedOnRule),
      category: field('allowance.category', categoryRule),
      monthlyAmount: field('allowance.monthlyAmount', monthlyAmountRule),
    };
  }

  // The order the fields are decided in does not matter: the stale decisions they collect are
  // sorted by field below, and there is one decision per field.
  return {
    allowance,
    birthDate: field('birthDate', birthDateRule),
    currentAddress: field('currentAddress', currentAddressRule),
    ethnicity: field('ethnicity', ethnicityRule),
    formerNames: formerNamesOf(members, currentNameKey),
    idNumber: field('idNumber', idNumberRule),
    maritalStatus: field('maritalStatus', maritalStatusRule),
    name,
    phone: field('phone', phoneRule),
    registeredAddress: field('registeredAddress', registeredAddressRule),
    sex: field('sex', sexRule),
    sources: SOURCE_ORDER.filter((s) => members.some((m) => m.present && m.source === s)),
    staleDecisions: staleDecisions.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)),
    status,
  };
}
