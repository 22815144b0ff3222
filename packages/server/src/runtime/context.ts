import { findOp, PodError, type ErrorBody } from '@pod/protocol';
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.ts';
import { appendEvents, retractEvents } from '../mailbox/mailbox.repo.ts';
import type { Messenger } from '../messenger/messenger.ts';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/index.ts';
import type { CoreTables } from '../store/schema.ts';
import type { AppContext, AppSettings } from './app.ts';
import { Effects, publishAppended } from './effects.ts';

export function createAppContext<T>(name: string, store: Store, messenger: Messenger, settings: AppSettings, metrics: Metrics, log: Logger, blobs: Blobs = noBlobs): AppContext<T> {
  const appLog = log.child({ app: name });
  return {
    // An app's handle is typed with its own tables only: it cannot name another app's.
    db: store.db as unknown as Kysely<T>,
    blobs,
    log: appLog,
    settings,
    async call(op, body) {
      const def = findOp(op);
      if (!def) throw new PodError('internal', `no operation ${op}`);
      const response = await messenger.request(def.app, { id: randomUUID(), op, body });
      if (!response.ok) throw PodError.fromBody(response.error as ErrorBody);
      return response.body as never;
    },
    push(userIds, type, body) {
      for (const userId of new Set(userIds)) messenger.publish(userId, { kind: 'transient', type, body });
    },
    revokeSessions(userId, sessions) {
      messenger.publish(userId, { kind: 'revoke', sessions });
    },
    announce(topic, payload) {
      messenger.broadcast(topic, payload ?? null);
    },
    onAnnouncement(topic, listener) {
      return messenger.onBroadcast(topic, listener);
    },
    async write(work) {
      const effects = new Effects();
      const now = new Date().toISOString();
      const { result, appended } = await store.transaction(async (tx) => {
        const result = await work(effects.scope(tx as unknown as Transaction<T>, now, messenger));
        const core = tx as unknown as Transaction<CoreTables>;
        await retractEvents(core, effects.retractions, effects.emits);
        return { result, appended: await appendEvents(core, effects.emits, now) };
      });
      metrics.mailboxAppends.inc(publishAppended(messenger, appended.flat()));
      for (const hook of effects.hooks) {
        try {
          hook();
        } catch (error) {
          appLog.error({ err: error }, 'after-commit hook failed');
        }
      }
      return result;
    },
  };
}

const noBlobStore = async (): Promise<never> => {
  throw new PodError('unavailable', 'this process has no blob store: run the files app in a process that opens --blobs-url');
};

/** The blob store of a process that opened none (an apps process without `files`). */
const noBlobs: Blobs = {
  kind: 'disk',
  put: noBlobStore,
  prepareSmall: noBlobStore,
  keepWithin: noBlobStore,
  get: noBlobStore,
  getUnchecked: noBlobStore,
  has: noBlobStore,
  stat: noBlobStore,
  delete: noBlobStore,
  async *list() {
    await noBlobStore();
  },
  close: async () => {},
};
