import { PodError } from '@pod/protocol';
import type { Kysely } from 'kysely';
import type { DirectoryTables } from '../../store/schema.ts';
import { countFailures, recordFailure } from './accounts.repo.ts';

const WINDOW_MS = 15 * 60_000;
/** Typing a password wrong a few times costs nothing; after that each try waits twice as long. */
const FREE_ACCOUNT_FAILURES = 5;
const MAX_ACCOUNT_DELAY_MS = WINDOW_MS;
const MAX_ADDRESS_FAILURES = 30;

export const accountKey = (name: string) => `account:${name}`;
const addressKey = (address: string) => `address:${address}`;

/** Refuses a login attempt that comes too soon after repeated failures, by account or by address. */
export async function checkLoginAllowed(db: Kysely<DirectoryTables>, name: string, address: string | undefined, now: number): Promise<void> {
  const account = await countFailures(db, accountKey(name), now - WINDOW_MS);
  if (account.count >= FREE_ACCOUNT_FAILURES) {
    const delay = Math.min(1000 * 2 ** (account.count - FREE_ACCOUNT_FAILURES), MAX_ACCOUNT_DELAY_MS);
    const wait = account.last + delay - now;
    if (wait > 0) throw tooMany(wait, 'this account');
  }
  if (address) {
    const byAddress = await countFailures(db, addressKey(address), now - WINDOW_MS);
    if (byAddress.count >= MAX_ADDRESS_FAILURES) throw tooMany(WINDOW_MS / 4, 'your address');
  }
}

export async function noteLoginFailure(db: Kysely<DirectoryTables>, name: string, address: string | undefined, now: number): Promise<void> {
  await recordFailure(db, address ? [accountKey(name), addressKey(address)] : [accountKey(name)], now);
}

export const failureHorizon = (now: number) => now - WINDOW_MS;

function tooMany(waitMs: number, what: string): PodError {
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  return new PodError('rate_limited', `too many failed sign-ins for ${what}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}
