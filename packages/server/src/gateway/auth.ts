import { PodError, type ErrorBody } from '@pod/protocol';
import { randomUUID } from 'node:crypto';
import type { Caller, Messenger } from '../messenger/messenger.ts';

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

const MAX_TOKEN_CHARS = 200;

/** Turns a session token into the caller by asking the directory; the gateway keeps no accounts. */
export async function resolveToken(messenger: Messenger, token: string | undefined): Promise<Caller> {
  if (!token) throw new PodError('unauthorized', 'sign in first: send a session token (Authorization: Bearer <token>)');
  // No session token is this long; asking the directory would answer with its own size limit.
  if (token.length > MAX_TOKEN_CHARS) throw new PodError('unauthorized', 'the session token is unknown, expired or revoked; sign in again');
  const response = await messenger.request('directory', { id: randomUUID(), op: 'auth.resolve', body: { token } });
  if (!response.ok) throw PodError.fromBody(response.error as ErrorBody);
  const body = response.body as { userId: number; name: string; admin: boolean; session: string };
  return { userId: body.userId, name: body.name, admin: body.admin, session: body.session };
}
