import { findOp, PodError, type ErrorBody } from '@pod/protocol';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.ts';
import type { Messenger } from '../messenger/messenger.ts';
import type { Store } from '../store/index.ts';
import type { AppContext, AppSettings } from './app.ts';

export function createAppContext<T>(name: string, store: Store, messenger: Messenger, settings: AppSettings, log: Logger, blobs: Blobs = noBlobs): AppContext<T> {
  return {
    // An app's handle is typed with its own tables only: it cannot name another app's.
    db: store.db as unknown as Kysely<T>,
    blobs,
    log: log.child({ app: name }),
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
  };
}

const noBlobStore = async (): Promise<never> => {
  throw new PodError('unavailable', 'this process has no blob store: run the files app in a process that opens --blobs-url');
};

/** The blob store of a process that opened none (an apps process without `files`). */
const noBlobs: Blobs = {
  kind: 'disk',
  put: noBlobStore,
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
