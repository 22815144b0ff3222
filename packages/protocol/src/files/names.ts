import { z } from 'zod';

/**
 * File and folder names, and paths made of them. One definition for the server, the SDK, the
 * CLI and WebDAV, so a name accepted anywhere is accepted everywhere. Names are stored in
 * Unicode NFC: macOS hands out NFD, and "é" typed on two computers must be one name.
 */
export const MAX_NAME_BYTES = 255;
/** Folders deep; deeper trees break other file systems (and mounts of this one) anyway. */
export const MAX_PATH_DEPTH = 64;
/** Characters of a path as sent, before it is split into names. */
export const MAX_PATH_CHARS = 16 * 1024;

const utf8 = new TextEncoder();
// C0 controls and DEL: invisible in listings, and refused by Windows and many tools.
const CONTROL = /[\u0000-\u001f\u007f]/;
// A lone UTF-16 surrogate has no UTF-8 form: stored, it would silently become U+FFFD.
const LONE_SURROGATE = /\p{Surrogate}/u;

export type NameProblem = { tooLong: boolean; message: string };

/** Why `name` (already in NFC) cannot name a file or folder, or undefined when it can. */
export function nameProblem(name: string): NameProblem | undefined {
  const refuse = (message: string, tooLong = false) => ({ tooLong, message });
  if (name.length === 0) return refuse('a name is not empty');
  if (name === '.' || name === '..') return refuse(`"${name}" cannot name a file or folder`);
  if (name.includes('/')) return refuse('a name has no "/" (use a path to name a file inside a folder)');
  if (name.includes('\0')) return refuse('a name has no NUL character');
  if (CONTROL.test(name)) return refuse('a name has no control characters (U+0000-U+001F, U+007F)');
  if (LONE_SURROGATE.test(name)) return refuse('a name is valid Unicode (it has a lone surrogate)');
  if (utf8.encode(name).length > MAX_NAME_BYTES) return refuse(`a name has at most ${MAX_NAME_BYTES} bytes of UTF-8`, true);
  return undefined;
}

/** The name as stored (NFC), or a problem. */
export function normalizeName(raw: string): string | NameProblem {
  const name = LONE_SURROGATE.test(raw) ? raw : raw.normalize('NFC');
  return nameProblem(name) ?? name;
}

/**
 * The names of a path: "/" is the root (no names), "/a/b" and "/a/b/" are a then b. Every path
 * is absolute within its owner's tree; "." and ".." are refused rather than resolved, so no
 * path ever points outside where it reads.
 */
export function parsePath(raw: string): string[] | NameProblem {
  if (!raw.startsWith('/')) return { tooLong: false, message: 'a path starts with "/" (the root of your files)' };
  if (raw === '/') return [];
  const body = raw.endsWith('/') ? raw.slice(1, -1) : raw.slice(1);
  const parts = body.split('/');
  if (parts.length > MAX_PATH_DEPTH) return { tooLong: true, message: `a path has at most ${MAX_PATH_DEPTH} names` };
  const names: string[] = [];
  for (const part of parts) {
    if (part === '') return { tooLong: false, message: 'a path has no empty name ("//")' };
    const name = normalizeName(part);
    if (typeof name !== 'string') return name;
    names.push(name);
  }
  return names;
}

export function joinPath(names: readonly string[]): string {
  return `/${names.join('/')}`;
}

function issue(ctx: z.RefinementCtx, problem: NameProblem, maximum: number): void {
  if (problem.tooLong) ctx.addIssue({ code: 'too_big', origin: 'string', maximum, inclusive: true, message: problem.message });
  else ctx.addIssue({ code: 'custom', message: problem.message });
}

/** A file or folder name, answered in NFC. */
export const fileName = z
  .string()
  .max(MAX_NAME_BYTES * 4, `a name has at most ${MAX_NAME_BYTES} bytes of UTF-8`)
  .transform((raw, ctx) => {
    const name = normalizeName(raw);
    if (typeof name === 'string') return name;
    issue(ctx, name, MAX_NAME_BYTES);
    return z.NEVER;
  });

/** An absolute path, answered normalized: "/" or "/a/b" in NFC, without a trailing "/". */
export const filePath = z
  .string()
  .max(MAX_PATH_CHARS, `a path has at most ${MAX_PATH_CHARS} characters`)
  .transform((raw, ctx) => {
    const names = parsePath(raw);
    if (Array.isArray(names)) return joinPath(names);
    issue(ctx, names, MAX_PATH_DEPTH);
    return z.NEVER;
  });

/** The names of a path already checked by `filePath`. */
export function pathNames(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/**
 * An item another user shared with me or published, named from their tree: "~ann/docs/a.txt"
 * is ann's /docs/a.txt, "~ann" alone names nothing of hers but what she granted. Paths of my own
 * tree always start with "/", so this form never collides with a name of mine. Answered
 * normalized ("~ann/docs/a.txt", names in NFC, no trailing "/").
 */
export const sharedPath = z
  .string()
  .max(MAX_PATH_CHARS, `a path has at most ${MAX_PATH_CHARS} characters`)
  .transform((raw, ctx) => {
    const match = /^~([a-z0-9][a-z0-9_.-]{0,31})(\/.*)?$/.exec(raw);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'a shared item is named "~owner/path" (the owner\'s account name, then the path in their files)' });
      return z.NEVER;
    }
    const names = parsePath(match[2] ?? '/');
    if (Array.isArray(names)) return `~${match[1]}${names.length === 0 ? '' : joinPath(names)}`;
    issue(ctx, names, MAX_PATH_DEPTH);
    return z.NEVER;
  });

/** The owner and the path in their tree of a `sharedPath` already checked. */
export function splitSharedPath(path: string): { owner: string; path: string } {
  const slash = path.indexOf('/');
  return slash < 0 ? { owner: path.slice(1), path: '/' } : { owner: path.slice(1, slash), path: path.slice(slash) };
}

/** Whether a path (already checked) names another user's item ("~owner/...") rather than one of mine. */
export function isSharedPath(path: string): boolean {
  return path.startsWith('~');
}
