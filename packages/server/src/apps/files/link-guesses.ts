import { PodError } from '@pod/protocol';

const WINDOW_MS = 15 * 60_000;
/** A reader who mistypes a link's password a few times loses nothing; after that each try waits twice as long. */
const FREE_GUESSES = 5;
const MAX_DELAY_MS = WINDOW_MS;
/** Bounds the memory an attacker can make this take by guessing at many links. */
const MAX_TRACKED_LINKS = 10_000;

interface Guesses {
  count: number;
  first: number;
  last: number;
}

/**
 * Wrong passwords per link (keyed by the token's hash), kept in this app server's memory: a
 * link's reader has no account to charge them to, and a guesser spread over several app
 * servers still meets a delay that doubles on each of them.
 */
const wrongGuesses = new Map<string, Guesses>();

function current(link: string, now: number): Guesses | undefined {
  const guesses = wrongGuesses.get(link);
  if (guesses && guesses.first <= now - WINDOW_MS) {
    wrongGuesses.delete(link);
    return undefined;
  }
  return guesses;
}

/** Refuses a password attempt on a link that comes too soon after repeated wrong ones, the right password included. */
export function checkLinkGuessAllowed(link: string, now: number): void {
  const guesses = current(link, now);
  if (!guesses || guesses.count < FREE_GUESSES) return;
  const wait = guesses.last + Math.min(1000 * 2 ** (guesses.count - FREE_GUESSES), MAX_DELAY_MS) - now;
  if (wait <= 0) return;
  const retryAfterSeconds = Math.ceil(wait / 1000);
  throw new PodError('rate_limited', `too many wrong passwords for this link; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

export function noteWrongLinkPassword(link: string, now: number): void {
  const guesses = current(link, now);
  if (guesses) {
    guesses.count += 1;
    guesses.last = now;
    return;
  }
  if (wrongGuesses.size >= MAX_TRACKED_LINKS) wrongGuesses.delete(wrongGuesses.keys().next().value!);
  wrongGuesses.set(link, { count: 1, first: now, last: now });
}
