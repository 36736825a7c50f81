import type { ErrorCode } from '../../core/errors';

/** The one error type of the application: a status, a code from core/errors.ts, and optional details. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly details?: Record<string, unknown>,
  ) {
    super(code);
  }
}

export const notFound = () => new AppError(404, 'not_found');
export const forbidden = () => new AppError(403, 'forbidden');
export const unauthenticated = () => new AppError(401, 'unauthenticated');
export const conflict = (code: ErrorCode, details?: Record<string, unknown>) => new AppError(409, code, details);
export const invalid = (fields: Record<string, string>) => new AppError(400, 'validation_failed', { fields });

/** PostgreSQL refused a duplicate (unique constraint). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}
