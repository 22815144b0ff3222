/**
 * The one error type and its closed code catalogue. Clients switch on `code`, never on the
 * message. Each code maps to exactly one HTTP status here; frames carry the code unchanged.
 */
export const errorCatalogue = {
  invalid: { status: 400, meaning: 'The request or frame is malformed or a field is out of range; the message names the field.' },
  unauthorized: { status: 401, meaning: 'No valid session: the token is missing, unknown, expired or revoked, or the name and password do not match.' },
  forbidden: { status: 403, meaning: 'The caller is known but may not do this (not an administrator, blocked, not a buddy, registration closed, origin not allowed).' },
  not_found: { status: 404, meaning: 'No such thing, or the caller may not learn that it exists.' },
  conflict: { status: 409, meaning: 'The request clashes with current state (name taken, already buddies, request id reused for another operation).' },
  too_large: { status: 413, meaning: 'A frame, body or field exceeds its size limit; the message gives the limit.' },
  rate_limited: { status: 429, meaning: 'Too many attempts; retry after `retryAfterSeconds`.' },
  unavailable: { status: 503, meaning: 'A service Pod depends on is down or overloaded; retry with the same request id.' },
  internal: { status: 500, meaning: 'An unexpected server fault; the answer carries a correlation id to quote, the cause is in the server log.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  data?: Record<string, unknown>;
}

export class PodError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'PodError';
    this.code = code;
    this.data = data;
  }

  get httpStatus(): number {
    return errorCatalogue[this.code].status;
  }

  toBody(): ErrorBody {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  static fromBody(body: ErrorBody): PodError {
    return new PodError(body.code, body.message, body.data);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return errorCatalogue[code].status;
}
