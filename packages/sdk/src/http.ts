import { PodError, errorBody, isErrorCode, type ClientOpName, type OpInput, type OpOutput } from '@pod/protocol';

export interface HttpOptions {
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** Sent as Idempotency-Key, so a retried request stores its effects once. */
  requestId?: string;
}

/** Calls one operation over HTTP (`POST /v1/op/<op>`), for scripts and clients without a socket. */
export async function callOp<N extends ClientOpName>(server: string, token: string | undefined, op: N, body: OpInput<N>, options: HttpOptions = {}): Promise<OpOutput<N>> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(`${server.replace(/\/$/, '')}/v1/op/${op}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.requestId ? { 'idempotency-key': options.requestId } : {}),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new PodError('unavailable', `cannot reach ${server}: ${(error as Error).message}`);
  }
  const json = (await response.json().catch(() => undefined)) as unknown;
  if (response.ok) return json as OpOutput<N>;
  throw toPodError(json, response.status);
}

export function toPodError(json: unknown, status: number): PodError {
  const parsed = errorBody.safeParse((json as { error?: unknown } | undefined)?.error);
  if (parsed.success && isErrorCode(parsed.data.code)) return new PodError(parsed.data.code, parsed.data.message, parsed.data.data);
  return new PodError(status >= 500 ? 'unavailable' : 'invalid', `the server answered HTTP ${status} without a Pod error`);
}

export interface LoginAnswer {
  token: string;
  session: string;
  user: { name: string; displayName: string; admin: boolean };
}

export function login(server: string, name: string, password: string, device?: string, options: HttpOptions = {}): Promise<LoginAnswer> {
  return callOp(server, undefined, 'auth.login', device ? { name, password, device } : { name, password }, options);
}
