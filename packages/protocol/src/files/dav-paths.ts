/**
 * Which WebDAV locks touch which paths (RFC 4918, section 6), for the files app and the
 * gateway alike: a lock covers its own path and, with depth infinity, everything below it.
 * Paths are normalized by `filePath` ("/" or "/a/b").
 */
export function isBelow(path: string, folder: string): boolean {
  return folder === '/' ? path !== '/' : path.startsWith(`${folder}/`);
}

export function lockCovers(lock: { path: string; infinite: boolean }, path: string): boolean {
  return lock.path === path || (lock.infinite && isBelow(path, lock.path));
}

/** Of `locks`, those a new lock (or a change) on `path`, to depth infinity or not, shares resources with. */
export function locksTouching<L extends { path: string; infinite: boolean }>(locks: readonly L[], path: string, infinite: boolean): L[] {
  return locks.filter((lock) => lockCovers(lock, path) || (infinite && isBelow(lock.path, path)));
}
