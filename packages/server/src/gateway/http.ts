import { findOp, PodError, requestId, type ErrorBody } from '@pod/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { readMailbox } from '../mailbox/mailbox.repo.ts';
import type { Caller, Delivery } from '../messenger/messenger.ts';
import { invalidInput } from '../runtime/errors.ts';
import type { GatewayDeps } from './deps.ts';
import { requestCaller } from './web-session.ts';

const mailboxQuery = z.strictObject({
  after: z.coerce.number().int().nonnegative().optional(),
  wait: z.coerce.number().min(0).max(60).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export function sendError(reply: FastifyReply, body: ErrorBody): FastifyReply {
  const retryAfter = body.data?.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply.code(new PodError(body.code, body.message).httpStatus).send({ error: body });
}

/** The HTTP face of the protocol: every operation at POST /v1/op/<op>, and the mailbox long-poll. */
export function registerApiRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  const callerOf = (request: FastifyRequest, changesState: boolean): Promise<Caller> => requestCaller(deps, request, changesState);

  const runOp = async (op: string, request: FastifyRequest, reply: FastifyReply) => {
    const def = findOp(op);
    if (!def || def.access === 'internal') throw new PodError('not_found', `unknown operation "${op}"`);
    const caller = def.access === 'public' ? undefined : await callerOf(request, !('readonly' in def && def.readonly));
    const id = idempotencyKey(request.headers['idempotency-key']);
    const response = await deps.messenger.request(def.app, { id, op, body: request.body ?? {}, caller, meta: { address: request.ip } });
    if (!response.ok) return sendError(reply, response.error);
    return reply.send(response.body);
  };

  app.post('/v1/op/:op', (request, reply) => runOp((request.params as { op: string }).op, request, reply));
  app.post('/v1/auth/login', (request, reply) => runOp('auth.login', request, reply));
  app.post('/v1/auth/register', (request, reply) => runOp('auth.register', request, reply));

  app.get('/v1/mailbox', async (request, reply) => {
    const caller = await callerOf(request, false);
    const parsed = mailboxQuery.safeParse(request.query);
    if (!parsed.success) throw invalidInput(parsed.error, 'mailbox query');
    const after = parsed.data.after ?? (await deps.cursorOf(caller.session)) ?? 0;
    const limit = parsed.data.limit ?? 500;
    const arrival = parsed.data.wait ? watchForDelivery(deps, caller.userId, parsed.data.wait * 1000, reply) : undefined;
    let events = await readMailbox(deps.coreDb, caller.userId, after, limit);
    if (arrival) {
      if (events.length === 0) {
        await arrival.promise;
        events = await readMailbox(deps.coreDb, caller.userId, after, limit);
      }
      arrival.cancel();
    }
    const head = await deps.mailboxHead(caller.userId);
    // A cursor past the head would make this device skip the events still to come.
    deps.cursors.ack(caller.session, caller.userId, Math.min(after, head));
    return reply.send({ events, head });
  });
}

/** The request id a retry must repeat; without the header each request is new. */
function idempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined) return randomUUID();
  const parsed = requestId.safeParse(header);
  if (!parsed.success) throw invalidInput(parsed.error, 'Idempotency-Key header');
  return parsed.data;
}

/**
 * Watches before the first read, so an event committed between that read and the wait is not
 * missed. Resolves when a stored event reaches the user, the wait runs out or the client leaves.
 */
function watchForDelivery(deps: GatewayDeps, userId: number, ms: number, reply: FastifyReply): { promise: Promise<void>; cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      reply.raw.off('close', done);
      resolve();
    };
    const unsubscribe = deps.messenger.subscribe(userId, (delivery: Delivery) => {
      if (delivery.kind === 'events') done();
    });
    const timer = setTimeout(done, ms);
    reply.raw.once('close', done);
    cancel = done;
  });
  return { promise, cancel };
}
