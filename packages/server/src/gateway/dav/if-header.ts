import { PodError } from '@pod/protocol';

/**
 * The If header (RFC 4918, section 10.4): lists of conditions, each on a lock token or an
 * ETag, optionally negated, optionally tagged with the resource they apply to. Parsed
 * strictly: anything else is a 400, never a guess.
 */
export interface Condition {
  not: boolean;
  token?: string;
  etag?: string;
}
export interface IfList {
  /** The tagged resource's URL as sent, or undefined for the request URL. */
  tag: string | undefined;
  conditions: Condition[];
}

const MAX_IF_CHARS = 16 * 1024;

export function parseIf(header: string | undefined): IfList[] | undefined {
  if (header === undefined) return undefined;
  const bad = (why: string) => new PodError('invalid', `the If header is malformed: ${why}`);
  if (header.length > MAX_IF_CHARS) throw bad(`it has more than ${MAX_IF_CHARS} characters`);
  const lists: IfList[] = [];
  let at = 0;
  let tag: string | undefined;
  let tagged: boolean | undefined;
  const skip = () => {
    while (at < header.length && /\s/.test(header[at]!)) at++;
  };
  const until = (close: string) => {
    const end = header.indexOf(close, at + 1);
    if (end < 0) throw bad(`a "${header[at]}" is not closed`);
    const value = header.slice(at + 1, end);
    at = end + 1;
    return value;
  };
  for (skip(); at < header.length; skip()) {
    if (header[at] === '<') {
      if (tagged === false) throw bad('tagged and untagged lists are mixed');
      tagged = true;
      tag = until('>');
      skip();
      if (header[at] !== '(') throw bad('a resource tag is followed by a list');
      continue;
    }
    if (header[at] !== '(') throw bad(`unexpected "${header[at]}"`);
    if (tagged === undefined) tagged = false;
    at++;
    const conditions: Condition[] = [];
    for (skip(); header[at] !== ')'; skip()) {
      if (at >= header.length) throw bad('a list is not closed');
      let not = false;
      if (header.slice(at, at + 3).toLowerCase() === 'not') {
        not = true;
        at += 3;
        skip();
      }
      if (header[at] === '<') conditions.push({ not, token: until('>') });
      else if (header[at] === '[') conditions.push({ not, etag: until(']').trim() });
      else throw bad(`a condition is a <state-token> or an [etag], not "${header.slice(at, at + 20)}"`);
    }
    at++;
    if (conditions.length === 0) throw bad('a list is empty');
    lists.push({ tag, conditions });
  }
  if (lists.length === 0) throw bad('it has no list');
  return lists;
}

/** What a condition is tested against: a resource's ETag (if it has one) and the tokens of the locks covering it. */
export interface ResourceState {
  etag: string | undefined;
  lockTokens: ReadonlySet<string>;
}

/**
 * Whether the header holds: some list has every condition true for its resource (`stateOf`
 * answers for the request URL when the tag is undefined). ETags compare strongly, ignoring a
 * weak prefix, as clients echo what they were given.
 */
export function ifHolds(lists: readonly IfList[], stateOf: (tag: string | undefined) => ResourceState): boolean {
  const strip = (etag: string) => etag.replace(/^W\//, '');
  return lists.some((list) => {
    const state = stateOf(list.tag);
    return list.conditions.every((condition) => {
      const matches = condition.token !== undefined ? state.lockTokens.has(condition.token) : state.etag !== undefined && strip(state.etag) === strip(condition.etag!);
      return matches !== condition.not;
    });
  });
}

/** Every lock token the header names (not negated): the tokens the request submits. */
export function submittedTokens(lists: readonly IfList[] | undefined): Set<string> {
  const tokens = new Set<string>();
  for (const list of lists ?? []) for (const condition of list.conditions) if (condition.token !== undefined && !condition.not) tokens.add(condition.token);
  return tokens;
}
