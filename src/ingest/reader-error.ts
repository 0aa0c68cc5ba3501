import path from 'node:path';
import { AppError, type ErrorCode } from '../errors.js';

/**
 * An AppError whose message starts with the file's base name, so district IT staff know which
 * of the files they uploaded is concerned: `police-2026-10.xlsx: the workbook is password-protected…`.
 */
export function fileError(code: ErrorCode, file: string, message: string, details: Record<string, unknown> = {}): AppError {
  const name = path.basename(file);
  return new AppError(code, `${name}: ${message}`, { file: name, ...details });
}
