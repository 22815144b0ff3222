import { PodError } from '@pod/protocol';

/** Where a file goes, as PUT /v1/files/content takes it. */
export interface WholeFileTarget {
  path: string;
  size: number;
  hash: string;
  type?: string;
  overwrite?: boolean;
}

/**
 * The URL (from the server's root) that makes a small file in one request: PUT it with the
 * file's bytes, or with none for content the pod holds for this user already.
 */
export function wholeFileUrl(target: WholeFileTarget): string {
  const query = new URLSearchParams({ path: target.path, size: String(target.size), hash: target.hash });
  if (target.type) query.set('type', target.type);
  if (target.overwrite !== undefined) query.set('overwrite', String(target.overwrite));
  return `/v1/files/content?${query}`;
}

/** The refusal of a body-less PUT of a file whose bytes the pod does not hold for this user: send them. */
export function isUnheld(error: unknown): boolean {
  return error instanceof PodError && error.code === 'conflict' && error.data !== undefined && 'send' in error.data;
}
