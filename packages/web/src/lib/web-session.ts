/** The signed-in browser session, kept by the gateway in an httpOnly cookie this code never sees. */
export interface WebSession {
  user: string;
  admin: boolean;
  session: string;
  /** Sent as X-CSRF-Token with state-changing HTTP requests. */
  csrf: string;
}

export type SessionState = { kind: 'signed-in'; session: WebSession } | { kind: 'signed-out'; accounts: boolean } | { kind: 'unreachable' };

interface ErrorAnswer {
  error?: { code: string; message: string };
}

export async function currentSession(): Promise<SessionState> {
  let response: Response;
  try {
    response = await fetch('/v1/web/session', { credentials: 'same-origin' });
  } catch {
    return { kind: 'unreachable' };
  }
  if (!response.ok) return { kind: 'unreachable' };
  const body = (await response.json()) as ({ signedIn: true } & WebSession) | { signedIn: false; accounts: boolean };
  return body.signedIn ? { kind: 'signed-in', session: body } : { kind: 'signed-out', accounts: body.accounts };
}

export async function signIn(name: string, password: string): Promise<WebSession> {
  const response = await fetch('/v1/web/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  const body = (await response.json().catch(() => ({}))) as WebSession & ErrorAnswer;
  if (!response.ok) throw new Error(body.error?.message ?? `sign-in failed (${response.status})`);
  return body;
}

export async function signOut(csrf: string): Promise<void> {
  await fetch('/v1/web/session', { method: 'DELETE', credentials: 'same-origin', headers: { 'x-csrf-token': csrf } });
}
