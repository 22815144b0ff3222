import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobDriver } from './blobs.ts';

const TWO_HEX = /^[0-9a-f]{2}$/;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Makes a directory entry (a new file or subdirectory name) survive a power cut. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Blobs as files `<root>/ab/cd/<hash>`: two levels of 256 keep directories small enough for
 * any file system up to billions of blobs. Files and directories are private to the server's
 * user (they hold people's files).
 */
export function openDiskBlobs(root: string): BlobDriver {
  const pathOf = (hash: string) => join(root, hash.slice(0, 2), hash.slice(2, 4), hash);

  /**
   * Directories known to exist (created or seen here): at most 65,536 short strings, and each
   * one saves a trip through libuv's thread pool, which the blobs' writes and syncs queue on.
   */
  const present = new Set<string>();

  /** Creates the blob's directory, syncing each parent that gained an entry on the way. */
  async function ensureDirectory(dir: string): Promise<void> {
    if (present.has(dir)) return;
    await createDirectory(dir);
    present.add(dir);
  }

  async function createDirectory(dir: string): Promise<void> {
    const firstCreated = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (firstCreated === undefined) return;
    for (let created = dir; ; created = dirname(created)) {
      await syncDirectory(dirname(created));
      if (created === firstCreated || dirname(created) === created) break;
    }
  }

  return {
    kind: 'disk',
    location: root,

    async read(hash) {
      try {
        return await readFile(pathOf(hash));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    // Write to a temporary name, fsync, rename, fsync the directory: a crash leaves either no
    // blob or the whole blob, never a torn one under its final name. Concurrent writers of
    // one blob each rename their own complete copy of the same content.
    async write(hash, value) {
      const path = pathOf(hash);
      const dir = dirname(path);
      await ensureDirectory(dir);
      const temporary = join(dir, `.${hash}.${randomBytes(6).toString('hex')}.tmp`);
      const handle = await open(temporary, 'wx', 0o600).catch(async (error: unknown) => {
        // A directory removed behind the server's back: make it again.
        if (!isMissing(error)) throw error;
        present.delete(dir);
        await ensureDirectory(dir);
        return open(temporary, 'wx', 0o600);
      });
      try {
        try {
          await handle.writeFile(value);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, path);
      } catch (error) {
        await unlink(temporary).catch(() => {});
        throw error;
      }
      await syncDirectory(dir);
    },

    async size(hash) {
      try {
        return (await stat(pathOf(hash))).size;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async remove(hash) {
      try {
        await unlink(pathOf(hash));
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    },

    // Temporary files (dot-named) left by a crash are skipped; the caller keeps only hashes.
    async *keys() {
      const entries = async (dir: string) => {
        try {
          return (await readdir(dir)).sort();
        } catch (error) {
          if (isMissing(error)) return [];
          throw error;
        }
      };
      for (const first of await entries(root)) {
        if (!TWO_HEX.test(first)) continue;
        for (const second of await entries(join(root, first))) {
          if (!TWO_HEX.test(second)) continue;
          for (const name of await entries(join(root, first, second))) {
            if (name.startsWith(first + second)) yield name;
          }
        }
      }
    },

    async close() {},
  };
}
