import { ErrorCodes, type ErrorCode } from '../errors.js';

/** The HTTP status of each error code the API can answer with; anything else a client sent wrong is 400. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.BATCH_NOT_FOUND]: 404,
  [ErrorCodes.KEY_NOT_FOUND]: 404,
  [ErrorCodes.NOT_LINKED]: 409,
  [ErrorCodes.CONFLICT]: 409,
  [ErrorCodes.FILE_TOO_LARGE]: 413,
  [ErrorCodes.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCodes.ZIP_BOMB]: 422,
  [ErrorCodes.RATE_LIMITED]: 429,
  [ErrorCodes.INTERNAL]: 500,
  [ErrorCodes.CONFIG]: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}
