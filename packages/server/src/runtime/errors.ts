import { randomUUID } from 'node:crypto';
import { PodError, type ErrorBody } from '@pod/protocol';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';

/** Names the offending fields so a person can fix the request; a field over its size limit is `too_large`. */
export function invalidInput(error: ZodError, what: string): PodError {
  const oversized = error.issues.every((issue) => issue.code === 'too_big' && (issue.origin === 'string' || issue.origin === 'array'));
  const code = oversized ? 'too_large' : 'invalid';
  const issues = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : what;
    return `${path}: ${issue.message}`;
  });
  return new PodError(code, `invalid ${what}: ${issues.join('; ')}`);
}

/** Unknown faults reach the client as `internal` with a correlation id; the cause stays in the log. */
export function toErrorBody(error: unknown, log: Logger, context: Record<string, unknown>): ErrorBody {
  if (error instanceof PodError) return error.toBody();
  const correlation = randomUUID();
  log.error({ err: error, correlation, ...context }, 'request failed');
  return { code: 'internal', message: `internal error; quote correlation id ${correlation} to the administrator`, data: { correlation } };
}
