/**
 * HTTP Range requests (RFC 9110, section 14) for one representation of `size` bytes: a single
 * byte range is served as 206; several ranges, or a header this does not understand, are
 * ignored (the whole representation is served, as the RFC allows); ranges that all start past
 * the end are unsatisfiable (416).
 */
export type RangeAnswer = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!match) return { kind: 'whole' };
  const specs = match[1]!.split(',').map((spec) => spec.trim()).filter(Boolean);
  const parsed: Array<{ start: number; end: number } | 'past'> = [];
  for (const spec of specs) {
    const parts = SPEC.exec(spec);
    if (!parts || (parts[1] === '' && parts[2] === '')) return { kind: 'whole' };
    const [first, last] = [parts[1]!, parts[2]!];
    if (first === '') {
      // A suffix: the last N bytes.
      const length = Number(last);
      if (!Number.isSafeInteger(length)) return { kind: 'whole' };
      parsed.push(length === 0 || size === 0 ? 'past' : { start: Math.max(0, size - length), end: size - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
    // A last byte before the first makes the header invalid: ignored, as the RFC says.
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'whole' };
    parsed.push(start >= size ? 'past' : { start, end: Math.min(end, size - 1) });
  }
  const satisfiable = parsed.filter((range) => range !== 'past');
  if (satisfiable.length === 0) return parsed.length > 0 ? { kind: 'unsatisfiable' } : { kind: 'whole' };
  if (parsed.length > 1) return { kind: 'whole' };
  return { kind: 'part', ...satisfiable[0]! };
}

/** Does an If-None-Match (or If-Range) list name this strong ETag? Weak comparison, as for If-None-Match. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
