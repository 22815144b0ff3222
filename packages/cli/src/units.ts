import { InvalidArgumentError } from 'commander';

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes for people: "512 B", "1.2 MiB", "37 GiB" (binary units; three significant digits at most). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.7 KiB would print as "1024 KiB": say 1.0 MiB instead.
  if (value >= 1023.5 && unit < BINARY.length - 1) {
    value /= 1024;
    unit++;
  }
  // 9.97 prints as 10, not "10.0": one decimal only below ten.
  return `${value < 9.95 ? value.toFixed(1) : Math.round(value)} ${BINARY[unit]}`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)$/i;
const POWERS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

/**
 * A size typed by a person: "500", "10k", "1.5M", "2GiB" (K, M, G, T, P and KiB... are powers
 * of 1024, as `pod ls` prints them; KB, MB... are powers of 1000).
 */
export function parseSize(text: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`expected a size such as 500, 10K, 1.5M or 2GiB, not "${text}".`);
  const [, number, prefix, suffix] = match as unknown as [string, string, string, string];
  if (prefix === '' && suffix.toLowerCase() === 'ib') throw new InvalidArgumentError(`expected a size such as 500, 10K, 1.5M or 2GiB, not "${text}".`);
  const decimal = suffix.toLowerCase() === 'b' && prefix !== '';
  const bytes = Number(number) * (decimal ? 1000 : 1024) ** POWERS[prefix.toLowerCase()]!;
  if (!Number.isSafeInteger(Math.round(bytes))) throw new InvalidArgumentError(`"${text}" is too large a size.`);
  return Math.round(bytes);
}

const DURATION = /^(\d+)\s*(s|m|min|h|d|w)$/i;
const SECONDS: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86_400, w: 604_800 };

/** A span typed by a person: "90s", "30m", "12h", "7d", "2w"; in seconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new InvalidArgumentError(`expected a duration such as 30m, 12h, 7d or 2w, not "${text}".`);
  const seconds = Number(match[1]) * SECONDS[match[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(seconds)) throw new InvalidArgumentError(`"${text}" is too long a duration.`);
  return seconds;
}

/**
 * A moment typed by a person, as an ISO time: a date ("2026-01-31", midnight local time), a
 * date and time, or a span ago ("7d": seven days before `now`).
 */
export function parseWhen(text: string, now: Date = new Date()): string {
  if (DURATION.test(text.trim())) return new Date(now.getTime() - parseDuration(text) * 1000).toISOString();
  const date = /^\d{4}-\d\d-\d\d$/.test(text) ? new Date(`${text}T00:00:00`) : new Date(text);
  if (!/^\d{4}-\d\d-\d\d/.test(text) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(`expected a date (2026-01-31), a date and time (2026-01-31T14:00) or a span ago (7d), not "${text}".`);
  }
  return date.toISOString();
}
