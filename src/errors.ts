/**
 * Every error the project raises on purpose carries a stable code (RH_ERR_…) so that the CLI,
 * the API and tests can tell them apart without parsing messages. The API renders them as
 * `{ error: { code, message } }`.
 */
export const ErrorCodes = {
  FILE_NOT_FOUND: 'RH_ERR_FILE_NOT_FOUND',
  FILE_EMPTY: 'RH_ERR_FILE_EMPTY',
  FILE_TOO_LARGE: 'RH_ERR_FILE_TOO_LARGE',
  FILE_NOT_TEXT: 'RH_ERR_FILE_NOT_TEXT',
  FILE_CORRUPT: 'RH_ERR_FILE_CORRUPT',
  FILE_ENCRYPTED: 'RH_ERR_FILE_ENCRYPTED',
  FILE_UNSUPPORTED: 'RH_ERR_FILE_UNSUPPORTED',
  ZIP_BOMB: 'RH_ERR_ZIP_BOMB',
  PARSE_TIMEOUT: 'RH_ERR_PARSE_TIMEOUT',
  PARSE_MEMORY: 'RH_ERR_PARSE_MEMORY',
  TOO_MANY_ROWS: 'RH_ERR_TOO_MANY_ROWS',
  HEADER_NOT_FOUND: 'RH_ERR_HEADER_NOT_FOUND',
  WRONG_SOURCE: 'RH_ERR_WRONG_SOURCE',
  UNKNOWN_SOURCE: 'RH_ERR_UNKNOWN_SOURCE',
  NO_DATA_ROWS: 'RH_ERR_NO_DATA_ROWS',
  BATCH_NOT_FOUND: 'RH_ERR_BATCH_NOT_FOUND',
  JOB_FAILED: 'RH_ERR_JOB_FAILED',
  USAGE: 'RH_ERR_USAGE',
  TRUTH_FORMAT: 'RH_ERR_TRUTH_FORMAT',
  NOT_LINKED: 'RH_ERR_NOT_LINKED',
  /** No API key, a malformed one, or one that is unknown or revoked: HTTP 401. */
  UNAUTHORIZED: 'RH_ERR_UNAUTHORIZED',
  /** The key's role lacks the right (or the object belongs to another department): HTTP 403. */
  FORBIDDEN: 'RH_ERR_FORBIDDEN',
  UNKNOWN_ROLE: 'RH_ERR_UNKNOWN_ROLE',
  AUDIT_ENTRY_INVALID: 'RH_ERR_AUDIT_ENTRY_INVALID',
  KEY_NOT_FOUND: 'RH_ERR_KEY_NOT_FOUND',
  /** A request that does not follow the schema (unknown property, bad value): HTTP 400. */
  VALIDATION: 'RH_ERR_VALIDATION',
  /** An object that does not exist (resident, review item, import…): HTTP 404. */
  NOT_FOUND: 'RH_ERR_NOT_FOUND',
  /** The request is valid but the object's state refuses it (decided already, undone already): HTTP 409. */
  CONFLICT: 'RH_ERR_CONFLICT',
  RATE_LIMITED: 'RH_ERR_RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'RH_ERR_PAYLOAD_TOO_LARGE',
  CONFIG: 'RH_ERR_CONFIG',
  INTERNAL: 'RH_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra structured detail (file, row, field, expected headers…) for reports and JSON output. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Rebuilds an AppError that crossed a thread or process boundary as a plain object. */
export function reviveError(value: unknown): Error {
  if (value && typeof value === 'object' && 'code' in value && 'message' in value) {
    const v = value as { code: string; message: string; details?: Record<string, unknown> };
    if (typeof v.code === 'string' && v.code.startsWith('RH_ERR_')) {
      return new AppError(v.code as ErrorCode, v.message, v.details ?? {});
    }
  }
  if (value instanceof Error) return value;
  return new Error(String(value));
}
