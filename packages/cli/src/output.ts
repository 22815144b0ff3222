import { isErrorCode, PodError } from '@pod/protocol';
import type { Command } from 'commander';

/**
 * How a command answers: text for people by default, one JSON document with `--json`.
 * Results go to stdout; notes and errors go to stderr.
 */
export interface Output {
  readonly json: boolean;
  /** The command's answer: `data` as JSON, or the lines `human` makes of it. */
  result<T>(data: T, human: (data: T) => string | string[]): void;
  /** One JSON object per line (for streams such as `pod listen`), or one line for people. */
  stream<T>(data: T, human: (data: T) => string): void;
  /** A remark for the person at the terminal, on stderr, in both modes. */
  note(text: string): void;
}

export function jsonOption(command: Command): Command {
  return command.option('--json', 'print JSON for machines instead of text for people');
}

/** `--json` wherever it was given: on the command or on one of its parents. */
export function outputFor(command: Command): Output {
  const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
  const write = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return {
    json,
    result(data, human) {
      if (json) write(JSON.stringify(data));
      else {
        const lines = human(data);
        write(Array.isArray(lines) ? lines.join('\n') : lines);
      }
    },
    stream(data, human) {
      write(json ? JSON.stringify(data) : human(data));
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

const unreachable = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Any failure as a PodError: connection failures become `unavailable`, the unexpected `internal`. */
export function asPodError(error: unknown): PodError {
  if (error instanceof PodError) return error;
  const shaped = error as { name?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  // A PodError from another copy of @pod/protocol still carries a catalogue code.
  if (shaped?.name === 'PodError' && isErrorCode(shaped.code)) return new PodError(shaped.code, String(shaped.message));
  const code = typeof shaped?.code === 'string' ? shaped.code : typeof shaped?.cause?.code === 'string' ? shaped.cause.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code && unreachable.has(code)) return new PodError('unavailable', message);
  return new PodError('internal', message);
}

/** Prints `error <code>: <message>` on stderr; answers the exit status. */
export function reportError(error: unknown): number {
  const podError = asPodError(error);
  process.stderr.write(`error ${podError.code}: ${podError.message}\n`);
  return 1;
}

/** An ISO time as local `YYYY-MM-DD HH:MM`. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Rows as aligned columns, two spaces apart, trailing spaces trimmed. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** `Name (Display Name)`, or just the name when the display name adds nothing. */
export function person(name: string, displayName: string): string {
  return displayName && displayName !== name ? `${name} (${displayName})` : name;
}
