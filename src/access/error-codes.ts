/** Access-control errors: their codes live in ErrorCodes (src/errors.ts). */
import { AppError, ErrorCodes } from '../errors.js';

export const AccessErrorCodes = {
  UNAUTHORIZED: ErrorCodes.UNAUTHORIZED,
  FORBIDDEN: ErrorCodes.FORBIDDEN,
  UNKNOWN_ROLE: ErrorCodes.UNKNOWN_ROLE,
} as const;

export type AccessErrorCode = (typeof AccessErrorCodes)[keyof typeof AccessErrorCodes];

export function accessError(code: AccessErrorCode, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError(code, message, details);
}
