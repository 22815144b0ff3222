/**
 * The benchmark's content: incompressible bytes (AES-CTR keystream, fast and reproducible from
 * a seed), so neither compression nor deduplication across runs flatters a figure.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const PIECE = 8 * 1024 * 1024;

/** A stream of `seed`'s bytes: the same seed gives the same bytes, another seed others. */
function keystream(seed: string) {
  const key = createHash('sha256').update(`pod-bench-files:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(PIECE);
  return (length: number) => cipher.update(length === PIECE ? zeros : zeros.subarray(0, length));
}

export function randomContent(length: number, seed: string): Buffer {
  return keystream(seed)(length);
}

/** Writes `size` bytes of `seed`'s content to `path`. */
export async function writeRandomFile(path: string, size: number, seed: string): Promise<void> {
  const next = keystream(seed);
  const handle = await open(path, 'w', 0o600);
  try {
    for (let done = 0; done < size; ) {
      const piece = next(Math.min(PIECE, size - done));
      await handle.write(piece, 0, piece.length, done);
      done += piece.length;
    }
  } finally {
    await handle.close();
  }
}

/** A copy of `from` at `to` with `length` bytes from `offset` on replaced by other bytes. */
export async function writeEdited(from: string, to: string, offset: number, length: number, seed: string): Promise<void> {
  const input = await open(from, 'r');
  const output = await open(to, 'w', 0o600);
  try {
    const buffer = Buffer.allocUnsafe(PIECE);
    for (let position = 0; ; ) {
      const { bytesRead } = await input.read(buffer, 0, PIECE, position);
      if (bytesRead === 0) break;
      await output.write(buffer, 0, bytesRead, position);
      position += bytesRead;
    }
    await output.write(randomContent(length, seed), 0, length, offset);
  } finally {
    await input.close();
    await output.close();
  }
}
