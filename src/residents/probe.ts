/**
 * "Do we already know this person?": a department's details of one person (any subset) as the
 * linker sees a record, and the candidates' scores as the answer shows them. The probe's data
 * carries the same keys the adapters give a source record (adapters/define-adapter.ts), so
 * that the linker's comparable view, blocking keys and model apply to it unchanged. Pure.
 */
import { AppError, ErrorCodes } from '../errors.js';
import { COMPARISON_FIELDS, type ComparableRecord, type ComparisonField } from '../linkage/compare.js';
import type { PairScore } from '../linkage/model.js';
import { prepareRecord } from '../linkage/prepare.js';
import { compareIds } from '../linkage/reconcile.js';
import { cellText, normalizeIdNumber, normalizeNameShared, normalizePhone, normalizeSexShared, parseAddress, parseDate } from '../normalize/index.js';

export interface MatchProbe {
  name?: string;
  formerName?: string;
  idNumber?: string;
  birthDate?: string;
  sex?: string;
  phone?: string;
  address?: string;
  community?: string;
  householdNumber?: string;
}

/** The probe's fields, for the audit (which were given, never their values). */
export const PROBE_FIELDS = ['name', 'formerName', 'idNumber', 'birthDate', 'sex', 'phone', 'address', 'community', 'householdNumber'] as const satisfies readonly (keyof MatchProbe)[];

/**
 * The source the probe is compared as. Household numbers compare only within one source, and
 * the household number a person can show is the 户号 of their 户口簿: the police's.
 */
export const PROBE_SOURCE = 'police';

function invalid(message: string): AppError {
  return new AppError(ErrorCodes.VALIDATION, message);
}

function setName(data: Record<string, unknown>, key: 'name' | 'formerName', text: string): void {
  const name = normalizeNameShared(text);
  if (name === null) return;
  data[key] = name.original;
  data[`${key}Match`] = name.matchForm;
  data[`${key}Pinyin`] = name.pinyin;
  if (key === 'name') {
    data.surname = name.surname;
    data.surnamePinyin = name.surnamePinyin;
  }
}

/** The probe as an adapter would have normalised it; RH_ERR_VALIDATION for a value that cannot be read. */
export function probeData(probe: MatchProbe): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const given = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
  if (given(probe.name)) setName(data, 'name', probe.name);
  if (given(probe.formerName)) setName(data, 'formerName', probe.formerName);
  if (given(probe.idNumber)) {
    const id = normalizeIdNumber(probe.idNumber);
    if (id.status !== 'empty') {
      // Any status: a mistyped number still compares ('one digit apart', 'check character').
      data.idNumberText = id.original;
      data.idNumberStatus = id.status;
      if (id.value) data.idNumber = id.value;
      if (id.survivingDigits) data.idNumberSurvivingDigits = id.survivingDigits;
      if (id.birthDate) data.idNumberBirthDate = id.birthDate;
      if (id.sex) data.idNumberSex = id.sex;
      if (id.regionCode) data.idNumberRegion = id.regionCode;
    }
  }
  if (given(probe.birthDate)) {
    const date = parseDate(probe.birthDate);
    if (date.ok === false) throw invalid(`birthDate: ${date.reason}`);
    if (date.ok === true) data.birthDate = date.value;
  }
  if (given(probe.sex)) {
    const sex = normalizeSexShared(probe.sex);
    if (sex.ok === false) throw invalid(`sex: ${sex.reason}`);
    if (sex.ok === true) data.sex = sex.value;
  }
  if (given(probe.phone)) {
    const phone = normalizePhone(probe.phone);
    if (phone.ok === false) throw invalid(`phone: ${phone.reason}`);
    if (phone.ok === true) {
      data.phone = phone.value.value;
      data.phoneKind = phone.value.kind;
    }
  }
  if (given(probe.address)) {
    const address = parseAddress(probe.address);
    if (address) data.address = address;
  }
  if (given(probe.community)) data.community = cellText(probe.community);
  if (given(probe.householdNumber)) data.householdNumber = cellText(probe.householdNumber);
  if (Object.keys(data).length === 0) throw invalid('give at least one detail of the person');
  return data;
}

/** The linker's comparable view of the probe. */
export function probeRecord(probe: MatchProbe): ComparableRecord {
  return prepareRecord(PROBE_SOURCE, probeData(probe));
}

export interface FieldExplanation {
  level: string;
  /** Bits of evidence this field adds (negative: against); the name's includes its frequency adjustment. */
  weight: number;
}

export type Band = 'match' | 'review' | 'below';

export interface ScoredRecord {
  residentId: string;
  recordId: string;
  source: string;
  score: PairScore;
}

export interface MatchCandidate {
  residentId: string;
  probability: number;
  /** Total weight in bits, the prior included. */
  weight: number;
  /** ≥ the upper threshold: the linker would link it; ≥ the lower: it would ask an auditor. */
  band: Band;
  /** The resident's record that scored best. */
  record: { id: string; source: string };
  fields: Record<ComparisonField, FieldExplanation>;
  /** Of the name's weight, the adjustment for how common the name is. */
  nameFrequencyAdjustment: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function bandOf(weight: number, thresholds: { upper: number; lower: number }): Band {
  return weight >= thresholds.upper ? 'match' : weight >= thresholds.lower ? 'review' : 'below';
}

/**
 * Per resident its best-scoring record, best residents first (weight, then resident id);
 * residents below the lower threshold left out, unless `keepBelow`.
 */
export function candidatesOf(scored: readonly ScoredRecord[], thresholds: { upper: number; lower: number }, keepBelow = false): MatchCandidate[] {
  const best = new Map<string, ScoredRecord>();
  for (const s of scored) {
    const known = best.get(s.residentId);
    if (known === undefined || s.score.weight > known.score.weight || (s.score.weight === known.score.weight && compareIds(s.recordId, known.recordId) < 0)) {
      best.set(s.residentId, s);
    }
  }
  const out: MatchCandidate[] = [];
  for (const s of best.values()) {
    const band = bandOf(s.score.weight, thresholds);
    if (band === 'below' && !keepBelow) continue;
    const fields = {} as Record<ComparisonField, FieldExplanation>;
    for (const field of COMPARISON_FIELDS) fields[field] = { level: s.score.levels[field], weight: round(s.score.fieldWeights[field]) };
    out.push({
      residentId: s.residentId,
      probability: s.score.probability,
      weight: round(s.score.weight),
      band,
      record: { id: s.recordId, source: s.source },
      fields,
      nameFrequencyAdjustment: round(s.score.tfAdjustment),
    });
  }
  return out.sort((a, b) => b.weight - a.weight || compareIds(a.residentId, b.residentId));
}
