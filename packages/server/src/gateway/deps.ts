import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.ts';
import type { Caller, Messenger } from '../messenger/messenger.ts';
import type { Metrics } from '../metrics.ts';
import type { CoreTables } from '../store/schema.ts';
import type { CursorWriter } from './cursors.ts';

/** What the gateway's parts share: the messenger, the mailbox tables (never an app's), the blob store, metrics. */
export interface GatewayDeps {
  messenger: Messenger;
  /** File chunks: the gateway stores what uploads send and streams what downloads read. */
  blobs: Blobs;
  coreDb: Kysely<CoreTables>;
  cursors: CursorWriter;
  metrics: Metrics;
  log: Logger;
  heartbeatMs: number;
  resolveToken(token: string | undefined): Promise<Caller>;
  mailboxHead(userId: number): Promise<number>;
  mailboxHeads(userIds: readonly number[]): Promise<Map<number, number>>;
  cursorOf(session: string): Promise<number | undefined>;
}
