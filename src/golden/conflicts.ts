/**
 * Disagreements that matter, for auditors: conflicting facts between the sources of one
 * resident, and alerts (deceased or moved out but still drawing an allowance, one ID number
 * held by different residents). Pure: no I/O, no clock.
 */
import { isValidIdNumber } from '../normalize/index.js';
import { readField } from './survivorship.js';
import { SOURCE_ORDER, type GoldenField, type GoldenInput, type GoldenRecord, type SourceName } from './types.js';

export type ConflictKind = 'name_conflict' | 'name_variant' | 'birth_date_conflict' | 'sex_conflict' | 'id_number_conflict';
export type ConflictField = 'name' | 'birthDate' | 'sex' | 'idNumber';
export type Severity = 'high' | 'medium' | 'low';

export interface ConflictValue {
  value: unknown;
  sourceRecordIds: string[];
  sources: SourceName[];
}

export interface Conflict {
  kind: ConflictKind;
  field: ConflictField;
  /** One entry per distinct value; the golden record's value first. */
  values: ConflictValue[];
  severity: Severity;
  /** The golden field was settled by an auditor: shown for the record, not queued again. */
  resolved: boolean;
}

export interface AllowanceAlert {
  kind: 'deceased_receiving_allowance' | 'moved_out_receiving_allowance';
  severity: Severity;
  /** The police record that marks the person, and its 变动日期. */
  statusRecordId: string | null;
  statusDate: string | null;
  /** The present minimum-allowance records still listing the person. */
  allowanceRecordIds: string[];
  approvedOn: string | null;
  monthlyAmount: number | null;
  message: string;
}

export interface SharedIdAlert {
  kind: 'shared_id_number';
  severity: Severity;
  idNumber: string;
  residentKeys: string[];
  message: string;
}

export type Alert = AllowanceAlert | SharedIdAlert;

export type AlertKind = Alert['kind'];

// ---------------------------------------------------------------------------------------------
// Conflicts

interface Reading {
  member: GoldenInput;
  /** Shown to the auditor. */
  value: unknown;
  /** Equal keys mean the same value. */
  key: string;
}

function sourceRank(source: SourceName): number {
  return SOURCE_ORDER.indexOf(source);
}

function byRecency(a: GoldenInput, b: GoldenInput): number {
  if (a.observedAt !== b.observedAt) return a.observedAt > b.observedAt ? -1 : 1;
  const rank = sourceRank(a.source) - sourceRank(b.source);
  if (rank !== 0) return rank;
  return a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0;
}

/** Readings grouped by key; the group holding the golden value first, then by source order. */
function group(readings: Reading[], golden: GoldenField<unknown> | null): { key: string; readings: Reading[] }[] {
  const byKey = new Map<string, Reading[]>();
  for (const reading of [...readings].sort((a, b) => byRecency(a.member, b.member))) {
    const list = byKey.get(reading.key) ?? [];
    list.push(reading);
    byKey.set(reading.key, list);
  }
  const first = (rs: Reading[]): number => Math.min(...rs.map((r) => sourceRank(r.member.source)));
  const holdsGolden = (rs: Reading[]): boolean => golden !== null && rs.some((r) => r.member.recordId === golden.sourceRecordId);
  return [...byKey.entries()]
    .map(([key, list]) => ({ key, readings: list }))
    .sort((a, b) => {
      const ga = holdsGolden(a.readings) ? 0 : 1;
      const gb = holdsGolden(b.readings) ? 0 : 1;
      if (ga !== gb) return ga - gb;
      const fa = first(a.readings);
      const fb = first(b.readings);
      if (fa !== fb) return fa - fb;
      return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    });
}

function toValues(groups: { readings: Reading[] }[]): ConflictValue[] {
  return groups.map((g) => ({
    value: g.readings[0]?.value,
    sourceRecordIds: g.readings.map((r) => r.member.recordId).sort(),
    sources: SOURCE_ORDER.filter((s) => g.readings.some((r) => r.member.source === s)),
  }));
}

/** The records that speak now: the present ones (all of them when none is). */
function speaking(members: GoldenInput[]): GoldenInput[] {
  const present = members.filter((m) => m.present);
  return present.length > 0 ? present : members;
}

/** High when the police, the legal authority for these fields, hold one of the values. */
function severityOf(groups: { readings: Reading[] }[]): Severity {
  return groups.some((g) => g.readings.some((r) => r.member.source === 'police')) ? 'high' : 'medium';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nameConflict(members: GoldenInput[], golden: GoldenRecord): Conflict | null {
  // A name that is another record's 曾用名 is explained, not a conflict.
  const formerKeys = new Set(members.map((m) => str(m.data.formerNameMatch)).filter((k) => k !== undefined));
  const readings: Reading[] = [];
  const pinyinOf = new Map<string, string>();
  for (const member of members) {
    const name = str(member.data.name);
    if (name === undefined) continue;
    const key = str(member.data.nameMatch) ?? name;
    if (formerKeys.has(key)) continue;
    readings.push({ member, value: name, key });
    const pinyin = str(member.data.namePinyin);
    if (pinyin !== undefined && !pinyinOf.has(key)) pinyinOf.set(key, pinyin.replace(/\s+/g, ''));
  }
  const groups = group(readings, golden.name);
  if (groups.length < 2) return null;
  // Different characters read the same (张伟 / 张玮): a homophone spelling, the softer kind.
  const pinyins = new Set(groups.map((g) => pinyinOf.get(g.key) ?? g.key));
  const variant = pinyins.size === 1;
  return {
    kind: variant ? 'name_variant' : 'name_conflict',
    field: 'name',
    values: toValues(groups),
    severity: variant ? 'low' : severityOf(groups),
    resolved: golden.name?.rule === 'auditor',
  };
}

function readingConflict(
  members: GoldenInput[],
  field: 'birthDate' | 'sex',
  kind: ConflictKind,
  golden: GoldenField<unknown> | null,
): Conflict | null {
  const readings: Reading[] = [];
  for (const member of members) {
    const reading = readField(field, member);
    // Unknown codes (性别 未知) and damaged values are not testimony.
    if (reading !== null && reading.quality === 0) readings.push({ member, value: reading.value, key: reading.key });
  }
  const groups = group(readings, golden);
  if (groups.length < 2) return null;
  return { kind, field, values: toValues(groups), severity: severityOf(groups), resolved: golden?.rule === 'auditor' };
}

function idNumberConflict(members: GoldenInput[], golden: GoldenRecord): Conflict | null {
  const readings: Reading[] = [];
  for (const member of members) {
    const status = member.data.idNumberStatus;
    const value = str(member.data.idNumber);
    if (value !== undefined && (status === 'valid' || status === 'upgraded')) readings.push({ member, value, key: value });
  }
  // An Excel-damaged number (15 significant digits, then zeros) that happens to pass the check
  // agrees with the number it came from: not a second number.
  const keys = new Set(readings.map((r) => r.key));
  const damaged = (key: string): boolean => key.endsWith('000') && [...keys].some((k) => k !== key && k.slice(0, 15) === key.slice(0, 15));
  const groups = group(
    readings.filter((r) => !damaged(r.key)),
    golden.idNumber,
  );
  if (groups.length < 2) return null;
  return { kind: 'id_number_conflict', field: 'idNumber', values: toValues(groups), severity: 'high', resolved: golden.idNumber?.rule === 'auditor' };
}

/**
 * Sources of one resident disagreeing on name, birth date, sex or ID number. Damaged values
 * (lost digits, malformed, a birth date or sex contradicting the record's own valid ID number)
 * are not disagreements: survivorship already sets them aside.
 */
export function detectConflicts(members: GoldenInput[], golden: GoldenRecord): Conflict[] {
  const current = speaking(members);
  const conflicts = [
    nameConflict(current, golden),
    idNumberConflict(current, golden),
    readingConflict(current, 'birthDate', 'birth_date_conflict', golden.birthDate),
    readingConflict(current, 'sex', 'sex_conflict', golden.sex),
  ];
  return conflicts.filter((c) => c !== null);
}

// ---------------------------------------------------------------------------------------------
// Alerts

/**
 * A person the police mark 死亡 (deceased) or 迁出 (moved out) who is still a present
 * minimum-allowance member, listed by an export made on or after the status date (an export
 * from before the change is not "still").
 */
export function detectAlerts(members: GoldenInput[], golden: GoldenRecord): Alert[] {
  const status = golden.status;
  if (status === null || (status.value !== 'deceased' && status.value !== 'moved_out')) return [];
  const allowance = members
    .filter((m) => m.source === 'minimum-allowance' && m.present)
    .filter((m) => status.date === null || m.observedAt >= status.date)
    .sort(byRecency);
  const latest = allowance[0];
  if (latest === undefined) return [];
  const approvedOn = golden.allowance?.approvedOn?.value ?? str(latest.data.approvedOn) ?? null;
  const amount = golden.allowance?.monthlyAmount?.value ?? latest.data.monthlyAmount;
  const deceased = status.value === 'deceased';
  const since = status.date === null ? '' : ` since ${status.date}`;
  return [
    {
      kind: deceased ? 'deceased_receiving_allowance' : 'moved_out_receiving_allowance',
      severity: deceased ? 'high' : 'medium',
      statusRecordId: status.sourceRecordId,
      statusDate: status.date,
      allowanceRecordIds: allowance.map((m) => m.recordId).sort(),
      approvedOn,
      monthlyAmount: typeof amount === 'number' ? amount : null,
      message: `${deceased ? 'deceased (死亡)' : 'moved out (迁出)'}${since} but still listed by the minimum-allowance export of ${latest.observedAt}${
        approvedOn === null ? '' : ` (allowance approved on ${approvedOn})`
      }`,
    },
  ];
}

/** One valid ID number held by records of different residents. */
export function detectSharedIdNumbers(clusters: readonly { residentKey: string; idNumbers: readonly string[] }[]): Alert[] {
  const holders = new Map<string, Set<string>>();
  for (const cluster of clusters) {
    for (const idNumber of cluster.idNumbers) {
      if (!isValidIdNumber(idNumber)) continue;
      const set = holders.get(idNumber) ?? new Set<string>();
      set.add(cluster.residentKey);
      holders.set(idNumber, set);
    }
  }
  const alerts: SharedIdAlert[] = [];
  for (const [idNumber, residents] of holders) {
    if (residents.size < 2) continue;
    alerts.push({
      kind: 'shared_id_number',
      severity: 'high',
      idNumber,
      residentKeys: [...residents].sort(),
      message: `one ID number is held by records of ${residents.size} different residents`,
    });
  }
  return alerts.sort((a, b) => (a.idNumber < b.idNumber ? -1 : a.idNumber > b.idNumber ? 1 : 0));
}
