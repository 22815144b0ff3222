import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { saveCursors } from '../mailbox/mailbox.repo.ts';
import type { CoreTables } from '../store/schema.ts';

/**
 * Acks arrive once per event; writing each would cost a transaction. Cursors are collected
 * and written together. A cursor only matters when a device reconnects without saying where
 * it stopped, and then a slightly old cursor replays a few events the device drops by seq.
 */
export class CursorWriter {
  private pending = new Map<string, { session: string; userId: number; seq: number }>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<CoreTables>,
    private readonly log: Logger,
    private readonly intervalMs = 500,
  ) {}

  ack(session: string, userId: number, seq: number): void {
    const current = this.pending.get(session);
    if (current && current.seq >= seq) return;
    this.pending.set(session, { session, userId, seq });
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.writing.then(() =>
      saveCursors(this.db, batch, new Date().toISOString()).catch((err: unknown) => this.log.warn({ err, cursors: batch.length }, 'cursor write failed')),
    );
    await this.writing;
  }
}
