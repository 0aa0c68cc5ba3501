/**
 * Shapes of the golden resident record: one per person, every field traced to the source
 * record it came from and the rule that chose it. Pure types, no I/O.
 */
import type { SourceName } from '../../adapters/types.js';
import type { AddressResult } from '../normalize/types.js';

export type { SourceName };

/** One source record of a resident, as survivorship sees it. */
export interface GoldenInput {
  recordId: string;
  source: SourceName;
  /** False once the source's latest export no longer lists the record: it ranks below present ones. */
  present: boolean;
  /** The adapter's normalised values (adapters/define-adapter.ts). */
  data: Record<string, unknown>;
  /** ISO date of the export / import batch the values come from. */
  observedAt: string;
}

/** Why a golden field holds its value. */
export type SurvivorshipRule = 'authority' | 'recent' | 'frequent' | 'auditor';

export interface Provenance {
  /** The source record the value came from; null only for an auditor's value taken from no record. */
  sourceRecordId: string | null;
  source: SourceName | null;
  rule: SurvivorshipRule;
}

export interface GoldenField<T> extends Provenance {
  value: T;
  /** For rule 'auditor': the decision's reason and date. */
  reason?: string;
  decidedAt?: string;
}

/** alive / deceased / moved_out / cancelled from the police; deregistered from the floating-population platform. */
export type ResidentStatus = 'alive' | 'deceased' | 'moved_out' | 'cancelled' | 'deregistered';

export interface GoldenStatusField extends GoldenField<ResidentStatus> {
  /** The police 变动日期 or the floating platform's 注销日期, when known. */
  date: string | null;
}

export interface FormerName {
  value: string;
  sourceRecordIds: string[];
  sources: SourceName[];
}

export interface GoldenAllowance {
  category: GoldenField<string> | null;
  monthlyAmount: GoldenField<number> | null;
  approvedOn: GoldenField<string> | null;
}

/** An auditor's decision whose source value has changed since (the auditor's value is kept). */
export interface StaleDecision {
  field: GoldenFieldName;
  decidedValue: unknown;
  sourceRecordId: string;
  /** The record's value now; undefined when the record is no longer among the resident's records. */
  currentValue: unknown;
  change: 'value_changed' | 'record_missing';
  decidedAt: string;
}

export interface GoldenRecord {
  name: GoldenField<string> | null;
  /** 曾用名 of every record, united (the current name left out). */
  formerNames: FormerName[];
  idNumber: GoldenField<string> | null;
  birthDate: GoldenField<string> | null;
  /** GB/T 2261.1 code. */
  sex: GoldenField<string> | null;
  /** GB/T 3304 code. */
  ethnicity: GoldenField<string> | null;
  /** GB/T 2261.2 code. */
  maritalStatus: GoldenField<string> | null;
  phone: GoldenField<string> | null;
  /** 户籍地址. */
  registeredAddress: GoldenField<AddressResult> | null;
  /** Where the person lives now. */
  currentAddress: GoldenField<AddressResult> | null;
  status: GoldenStatusField | null;
  /** Present when any minimum-allowance record is present. */
  allowance: GoldenAllowance | null;
  /** Which of the four systems currently hold the person (present records), in the canonical order. */
  sources: SourceName[];
  staleDecisions: StaleDecision[];
}

/** Fields an auditor may decide. */
export const GOLDEN_FIELD_NAMES = [
  'name',
  'idNumber',
  'birthDate',
  'sex',
  'ethnicity',
  'maritalStatus',
  'phone',
  'registeredAddress',
  'currentAddress',
  'status',
  'allowance.category',
  'allowance.monthlyAmount',
  'allowance.approvedOn',
] as const;
export type GoldenFieldName = (typeof GOLDEN_FIELD_NAMES)[number];

export interface AuditorDecision {
  field: GoldenFieldName;
  value: unknown;
  /** The record whose value the auditor picked, if any. */
  sourceRecordId?: string;
  reason: string;
  decidedAt: string;
}

/** Canonical order of the four systems (also the last tie-break of survivorship). */
export const SOURCE_ORDER: readonly SourceName[] = ['police', 'family-planning', 'floating-population', 'minimum-allowance'];

/**
 * How a conflict or alert was settled (resident_issue.resolution): by an auditor picking a
 * record's value, entering one, or acknowledging an alert; or found settled already by a
 * standing decision on its field.
 */
export interface IssueResolution {
  via: 'record' | 'value' | 'acknowledged' | 'standing_decision';
  field: GoldenFieldName | null;
  /** The value decided (record, value); absent otherwise. */
  value?: unknown;
  sourceRecordId: string | null;
  reason: string | null;
  decidedAt: string | null;
  /** The field_decision written (record, value), and the golden version that first carried it. */
  decisionId?: string;
  version?: number;
  actor?: { keyId: string | null; name: string; role: string };
}
