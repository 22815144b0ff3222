import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** What an upload reads from: a local file, bytes in memory, or a stream. */
export type UploadSource = string | Uint8Array | AsyncIterable<Uint8Array>;

/**
 * Bytes read twice: once whole to cut and hash them, then by range for the chunks the server
 * asks for. A stream cannot be read twice, so it is first spooled to a temporary file.
 */
export interface RandomAccess {
  size: number;
  stream(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

const PIECE = 1024 * 1024;

export async function openSource(source: UploadSource): Promise<RandomAccess> {
  if (source instanceof Uint8Array) {
    return {
      size: source.length,
      stream: () => [source],
      read: async (offset, length) => source.subarray(offset, offset + length),
      close: async () => {},
    };
  }
  if (typeof source === 'string') return openFile(source, async () => {});
  const dir = await mkdtemp(join(tmpdir(), 'pod-upload-'));
  const path = join(dir, 'spool');
  try {
    await pipeline(source, createWriteStream(path, { mode: 0o600 }));
    return await openFile(path, () => rm(dir, { recursive: true, force: true }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function openFile(path: string, cleanup: () => Promise<void>): Promise<RandomAccess> {
  const { size } = await stat(path);
  // One handle for all reads, however many run at once.
  let handle: Promise<FileHandle> | undefined;
  return {
    size,
    stream: () => createReadStream(path, { highWaterMark: PIECE }),
    async read(offset, length) {
      handle ??= open(path, 'r');
      const file = await handle;
      const bytes = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await file.read(bytes, done, length - done, offset + done);
        if (bytesRead === 0) throw new Error(`${path} changed while it was uploaded (it is shorter now)`);
        done += bytesRead;
      }
      return bytes;
    },
    async close() {
      await (await handle?.catch(() => undefined))?.close();
      await cleanup();
    },
  };
}
