import { PodError, type ErrorBody } from '@pod/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { Caller } from '../messenger/messenger.ts';
import { invalidInput } from '../runtime/errors.ts';
import { bearerToken } from './auth.ts';
import type { GatewayDeps } from './deps.ts';
import { originAllowed } from './origin.ts';

/**
 * The pod application's session: the token lives in an httpOnly cookie page scripts cannot
 * read. SameSite=Strict because the application is only ever used at its own origin: when a
 * link from another site opens it, only that page load goes without the cookie, and the page's
 * own (same-site) requests carry it. State-changing HTTP requests made with the cookie
 * must carry X-CSRF-Token, a digest of the session token that only a same-origin script can
 * learn (from GET /v1/web/session); WebSocket upgrades made with it must come from an allowed
 * Origin.
 */
export const SESSION_COOKIE = 'pod_session';
export const CSRF_HEADER = 'x-csrf-token';

const signIn = z.strictObject({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

export function csrfFor(token: string): string {
  return createHash('sha256').update(`pod-csrf:${token}`).digest('base64url');
}

export function sessionCookie(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * Who makes an HTTP request: a bearer token (CLI, SDK) wins; otherwise the pod application's
 * session cookie, which needs the CSRF header for a request that changes state.
 */
export function requestCaller(deps: GatewayDeps, request: FastifyRequest, changesState: boolean): Promise<Caller> {
  const bearer = bearerToken(request.headers.authorization);
  if (bearer) return deps.resolveToken(bearer);
  const cookie = sessionCookie(request.headers);
  if (cookie && changesState) checkCsrf(request.headers, cookie);
  return deps.resolveToken(cookie);
}

/** Refuses a cookie-authenticated state change without the right CSRF header. */
export function checkCsrf(headers: IncomingHttpHeaders, token: string): void {
  const sent = headers[CSRF_HEADER];
  const expected = Buffer.from(csrfFor(token));
  if (typeof sent !== 'string' || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
    throw new PodError('forbidden', 'this request needs the X-CSRF-Token header the pod application gets from GET /v1/web/session; reload the page');
  }
}

function setCookie(reply: FastifyReply, request: FastifyRequest, token: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('Set-Cookie', `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`);
}

export function registerWebSession(app: FastifyInstance, deps: GatewayDeps, origins: readonly string[]): void {
  const ask = async (op: string, body: unknown, caller?: Caller, address?: string) => {
    const response = await deps.messenger.request('directory', { id: randomUUID(), op, body, caller, meta: address ? { address } : undefined });
    if (!response.ok) throw PodError.fromBody(response.error as ErrorBody);
    return response.body;
  };
  const sameOrigin = (request: FastifyRequest) => {
    if (!originAllowed(request.headers, origins)) throw new PodError('forbidden', 'this request came from a page of another site');
  };

  /**
   * Who is signed in on this browser, and the CSRF token for its requests. Signed out is an
   * answer, not an error (a 401 would be a console error on every visit to the sign-in page).
   */
  app.get('/v1/web/session', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const token = sessionCookie(request.headers);
    const caller = token ? await deps.resolveToken(token).catch(() => undefined) : undefined;
    if (!token || !caller) {
      if (token) setCookie(reply, request, '', 0);
      const setup = (await ask('directory.setup', {})) as { accounts: boolean };
      return reply.send({ signedIn: false, accounts: setup.accounts });
    }
    return reply.send({ signedIn: true, user: caller.name, admin: caller.admin, session: caller.session, csrf: csrfFor(token) });
  });

  app.post('/v1/web/session', async (request, reply) => {
    sameOrigin(request);
    const parsed = signIn.safeParse(request.body);
    if (!parsed.success) throw invalidInput(parsed.error, 'sign-in');
    const answer = (await ask('auth.login', { ...parsed.data, device: 'pod application' }, undefined, request.ip)) as { token: string; session: string; user: { name: string; admin: boolean } };
    setCookie(reply, request, answer.token, 400 * 24 * 3600);
    reply.header('Cache-Control', 'no-store');
    return reply.send({ signedIn: true, user: answer.user.name, admin: answer.user.admin, session: answer.session, csrf: csrfFor(answer.token) });
  });

  app.delete('/v1/web/session', async (request, reply) => {
    sameOrigin(request);
    const token = sessionCookie(request.headers);
    if (token) {
      checkCsrf(request.headers, token);
      const caller = await deps.resolveToken(token).catch(() => undefined);
      if (caller) await ask('auth.logout', {}, caller);
    }
    setCookie(reply, request, '', 0);
    return reply.send({});
  });
}
