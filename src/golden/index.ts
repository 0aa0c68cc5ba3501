export type * from './types.js';
export { GOLDEN_FIELD_NAMES, SOURCE_ORDER } from './types.js';
export { buildGoldenRecord, hasValidId, readField } from './survivorship.js';
export { detectAlerts, detectConflicts, detectSharedIdNumbers } from './conflicts.js';
export type { Alert, AlertKind, AllowanceAlert, Conflict, ConflictField, ConflictKind, ConflictValue, Severity, SharedIdAlert } from './conflicts.js';
export { diffGolden, goldenHash, stableStringify } from './version.js';
export type { ChangeKind, FieldChange } from './version.js';
