import { findOp, PodError, type OpDef } from '@pod/protocol';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { retractEvents, type Appended } from '../mailbox/mailbox.repo.ts';
import type { AppRequest, AppResponse, Messenger } from '../messenger/messenger.ts';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/index.ts';
import { isTransactionConflict } from '../store/conflicts.ts';
import type { CoreTables } from '../store/schema.ts';
import type { AppContext, AppServer, ReadHandler, RequestInfo, WriteHandler, WriteScope } from './app.ts';
import { Effects, publishAppended } from './effects.ts';
import { invalidInput, toErrorBody } from './errors.ts';
import { endBatch } from './batch-commit.repo.ts';
import { findAnswers, requestKey, type RecordedAnswer, type RequestRecord } from './requests.repo.ts';

const MAX_BATCH = 512;
/** Runs of a batch whose transaction PostgreSQL ended in a deadlock or serialisation conflict. */
const MAX_CONFLICT_RUNS = 5;

interface BatchOutcome {
  responses: AppResponse[];
  published: Appended[];
  hooks: Array<() => void>;
}

/** Aborts an optimistic batch so that it reruns with a savepoint per request. */
class OneRequestFailed extends Error {}

/**
 * One of the batch's request ids already has an answer in the store: a client's retry, or its
 * original committed by another process meanwhile. The batch runs again, reading the request
 * log first, and that request repeats the committed answer.
 */
class AnsweredBefore extends Error {}

interface Pending {
  request: AppRequest;
  def: OpDef;
  handler: WriteHandler<never, unknown, unknown>;
  input: unknown;
  info: RequestInfo & { prepared: unknown };
  resolve(response: AppResponse): void;
}

/**
 * Serves one application server's mailbox. Reads answer at once. Writes are prepared
 * concurrently, then committed in batches: one transaction per batch (group commit), one
 * savepoint per request so a failing request changes nothing while its neighbours commit.
 * Events and answers go out only after the commit.
 */
export class AppRunner<T> {
  private readonly queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly app: AppServer<T>,
    private readonly ctx: AppContext<T>,
    private readonly store: Store,
    private readonly messenger: Messenger,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  readonly handle = async (request: AppRequest): Promise<AppResponse> => {
    try {
      const def = findOp(request.op);
      const handler = this.app.ops[request.op as keyof typeof this.app.ops];
      if (!def || def.app !== this.app.name || !handler) throw new PodError('not_found', `unknown operation "${request.op}"`);
      checkAccess(def, request);
      const parsed = def.input.safeParse(request.body ?? {});
      if (!parsed.success) throw invalidInput(parsed.error, `${request.op} body`);
      const info: RequestInfo = { id: request.id, caller: request.caller, address: request.meta?.address };
      if ('read' in handler) {
        const body = await (handler as ReadHandler<never, T>).read(parsed.data as never, info, this.ctx);
        this.metrics.requests.inc({ op: request.op, outcome: 'ok' });
        return { ok: true, body };
      }
      const write = handler as unknown as WriteHandler<never, unknown, unknown>;
      const prepared = write.prepare ? await write.prepare(parsed.data as never, info, this.ctx as AppContext<unknown>) : undefined;
      return await new Promise<AppResponse>((resolve) => {
        this.queue.push({ request, def, handler: write, input: parsed.data, info: { ...info, prepared }, resolve });
        if (!this.flushing) {
          this.flushing = true;
          setImmediate(() => void this.flush());
        }
      });
    } catch (error) {
      const body = toErrorBody(error, this.log, { op: request.op, request: request.id });
      this.metrics.requests.inc({ op: request.op, outcome: body.code });
      return { ok: false, error: body };
    }
  };

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      await this.commitBatch(batch);
    }
    this.flushing = false;
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    let outcome: BatchOutcome;
    try {
      outcome = await this.run(batch);
    } catch (error) {
      const body = toErrorBody(error, this.log, { app: this.app.name, batch: batch.length });
      for (const item of batch) {
        this.metrics.requests.inc({ op: item.request.op, outcome: body.code });
        item.resolve({ ok: false, error: body });
      }
      return;
    }
    this.publish(outcome.published);
    for (const hook of outcome.hooks) runHook(hook, this.log);
    batch.forEach((item, index) => {
      const response = outcome.responses[index]!;
      this.metrics.requests.inc({ op: item.request.op, outcome: response.ok ? 'ok' : response.error.code });
      item.resolve(response);
    });
  }

  /**
   * A batch whose transaction lost a deadlock runs again whole: none of it committed. Retries
   * are rare, so the first run does not read the request log: recording the answers finds any
   * id answered before (AnsweredBefore), and only then does the batch run again, reading it.
   */
  private async run(batch: Pending[]): Promise<BatchOutcome> {
    let readLog = false;
    for (let run = 1; ; run++) {
      try {
        return await this.attempt(batch, false, readLog).catch((error: unknown) => {
          // The failing request may be a retry whose original succeeded: it must get that answer,
          // not its own failure, so the run that isolates it reads the log.
          if (error instanceof OneRequestFailed) return this.attempt(batch, true, true);
          throw error;
        });
      } catch (error) {
        if (error instanceof AnsweredBefore) readLog = true;
        else if (!isTransactionConflict(error)) throw error;
        if (run >= MAX_CONFLICT_RUNS) throw error;
        this.log.debug({ err: error, run }, 'batch runs again');
      }
    }
  }

  /**
   * Runs a batch in one transaction. Optimistically without savepoints, which cost a
   * sub-journal per request: if any request fails, the whole attempt rolls back and the batch
   * runs again with a savepoint per request, so the failure changes nothing while its
   * neighbours commit. Handlers touch nothing outside the transaction before it commits.
   */
  private async attempt(batch: Pending[], isolate: boolean, readLog: boolean): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { responses: [], published: [], hooks: [] };
    const now = new Date().toISOString();
    await this.store.transaction(async (tx) => {
      const core = tx as unknown as Transaction<CoreTables>;
      // A batch's request log is read and written set-wise, one statement each, not per request.
      const log = readLog ? await findAnswers(core, batch.flatMap((item) => (item.request.caller ? [{ userId: item.request.caller.userId, id: item.request.id }] : []))) : new Map<string, RecordedAnswer>();
      const recorded: RequestRecord[] = [];
      // Events appended and retracted once the requests have run, all together: see endBatch.
      const effects = new Effects();
      for (let start = 0; start < batch.length; ) {
        const group = isolate ? [batch[start]!] : groupFrom(batch, start);
        start += group.length;
        const groupEffects = new Effects();
        const scope = groupEffects.scope(tx as Transaction<unknown>, now, this.messenger);
        if (isolate) await sql`savepoint request`.execute(tx);
        try {
          const answers = await this.runGroup(scope, group, log);
          if (isolate) await sql`release savepoint request`.execute(tx);
          for (const answer of answers) {
            outcome.responses.push(answer.response);
            if (!answer.record) continue;
            recorded.push(answer.record);
            log.set(requestKey(answer.record.userId, answer.record.id), answer.record);
          }
          effects.add(groupEffects);
        } catch (error) {
          // A deadlock is no fault of this request: the whole batch runs again (see run).
          if (isTransactionConflict(error)) throw error;
          if (!isolate) throw new OneRequestFailed();
          await sql`rollback to savepoint request`.execute(tx);
          await sql`release savepoint request`.execute(tx);
          outcome.responses.push({ ok: false, error: toErrorBody(error, this.log, { op: group[0]!.request.op, request: group[0]!.request.id }) });
        }
      }
      await retractEvents(core, effects.retractions, effects.emits);
      const end = await endBatch(core, recorded, effects.emits, now);
      if (!end.allNew) throw new AnsweredBefore();
      outcome.hooks.push(...effects.hooks);
      outcome.published = end.appended.flat();
    });
    return outcome;
  }

  /**
   * Requests of one operation, in order: each answered from the request log if its id was
   * answered before (in the store or earlier in this batch), the rest written together.
   */
  private async runGroup(scope: WriteScope<unknown>, group: Pending[], log: Map<string, RecordedAnswer>): Promise<Array<{ response: AppResponse; record?: RequestRecord }>> {
    const answers: Array<{ response: AppResponse; record?: RequestRecord }> = [];
    const fresh: number[] = [];
    group.forEach((item, index) => {
      const userId = item.request.caller?.userId;
      const earlier = userId === undefined ? undefined : log.get(requestKey(userId, item.request.id));
      if (!earlier) return fresh.push(index);
      if (earlier.op !== item.request.op) throw new PodError('conflict', `request id ${item.request.id} was already used for ${earlier.op}`);
      answers[index] = { response: { ok: true, body: earlier.answer } };
    });
    if (fresh.length === 0) return answers;
    const { handler } = group[0]!;
    const ctx = this.ctx as AppContext<unknown>;
    // A handler without writeMany always comes alone (see groupFrom).
    const bodies = handler.writeMany
      ? await handler.writeMany(scope, fresh.map((index) => ({ input: group[index]!.input as never, request: group[index]!.info })), ctx)
      : [await handler.write(scope, group[fresh[0]!]!.input as never, group[fresh[0]!]!.info, ctx)];
    fresh.forEach((index, n) => {
      const { request } = group[index]!;
      const body = bodies[n];
      const record = request.caller ? { userId: request.caller.userId, id: request.id, op: request.op, answer: body } : undefined;
      answers[index] = { response: { ok: true, body }, record };
    });
    return answers;
  }

  private publish(published: Appended[]): void {
    if (published.length > 0) this.metrics.mailboxAppends.inc(publishAppended(this.messenger, published));
  }

}

/**
 * The requests from `start` that can be written together: consecutive requests of one
 * operation whose handler writes many at once, up to a request id seen earlier in the group
 * (a retry must see its original's answer, so it starts a new group).
 */
function groupFrom(batch: Pending[], start: number): Pending[] {
  const first = batch[start]!;
  if (!first.handler.writeMany) return [first];
  const group = [first];
  const ids = new Set([`${first.request.caller?.userId} ${first.request.id}`]);
  for (let i = start + 1; i < batch.length; i++) {
    const item = batch[i]!;
    const key = `${item.request.caller?.userId} ${item.request.id}`;
    if (item.request.op !== first.request.op || ids.has(key)) break;
    ids.add(key);
    group.push(item);
  }
  return group;
}

function checkAccess(def: OpDef, request: AppRequest): void {
  if (def.access === 'public' || def.access === 'internal') return;
  if (!request.caller) throw new PodError('unauthorized', 'sign in first: this operation needs a session token');
  if (def.access === 'admin' && !request.caller.admin) throw new PodError('forbidden', 'only an administrator may do this');
}

function runHook(hook: () => void, log: Logger): void {
  try {
    hook();
  } catch (error) {
    log.error({ err: error }, 'after-commit hook failed');
  }
}
