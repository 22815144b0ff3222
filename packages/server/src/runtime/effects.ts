import type { EventType } from '@pod/protocol';
import type { Transaction } from 'kysely';
import type { Appended, Emit, Retraction as StoredRetraction } from '../mailbox/mailbox.repo.ts';
import type { Messenger } from '../messenger/messenger.ts';
import type { Retraction, WriteScope } from './app.ts';

/**
 * What write handlers ask of a transaction besides their own rows: events to append, stored
 * events to retract, work for after the commit. Collected while they run and carried out at
 * its end (see AppRunner and AppContext.write), so the mailbox rows of many requests are
 * written together.
 */
export class Effects {
  readonly emits: Emit[] = [];
  readonly retractions: StoredRetraction[] = [];
  readonly hooks: Array<() => void> = [];

  scope<T>(tx: Transaction<T>, now: string, messenger: Messenger): WriteScope<T> {
    return {
      tx,
      now,
      emit: async (userIds, type: EventType, body, options) => {
        this.emits.push({ userIds, type, body, subject: options?.subject });
      },
      retractEvents: async (retractions: readonly Retraction[]) => {
        this.retractions.push(...retractions);
      },
      afterCommit: (fn) => this.hooks.push(fn),
      announce: (topic, payload) => this.hooks.push(() => messenger.broadcast(topic, payload ?? null)),
    };
  }

  /** Takes on `other`'s effects after this one's: a request's, once its savepoint held. */
  add(other: Effects): void {
    this.emits.push(...other.emits);
    this.retractions.push(...other.retractions);
    this.hooks.push(...other.hooks);
  }
}

/** Pushes committed events to their users' devices, each user's in one delivery; answers how many. */
export function publishAppended(messenger: Messenger, published: readonly Appended[]): number {
  const byUser = new Map<number, Appended['event'][]>();
  for (const { userId, event } of published) {
    const list = byUser.get(userId);
    if (list) list.push(event);
    else byUser.set(userId, [event]);
  }
  const committedAt = Date.now();
  for (const [userId, events] of byUser) messenger.publish(userId, { kind: 'events', events, committedAt });
  return published.length;
}
