import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): 48 bits of milliseconds, then random bits. Being time-ordered, new ids
 * land at the end of the unique index instead of at random pages of it. Built on
 * randomUUID, which draws from a pooled entropy buffer instead of a syscall per id.
 */
export function newMessageId(now = Date.now()): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
