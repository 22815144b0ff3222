import { chunkFrameHeader, MAX_BATCH_CHUNKS, PodError, type OpOutput } from '@pod/protocol';
import { toPodError } from '../http.ts';
import type { Chunk } from './chunker.ts';
import type { RandomAccess } from './source-node.ts';

/** How an upload reaches the server: its address and token, and the fetch and signal to use. */
export interface Transport {
  server: string;
  token: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

export type Receipt = OpOutput<'files.upload.expect'>['chunks'][number];

const RETRIES = 5;

/**
 * Chunks are read again to be sent or proven without being hashed again: the server checks
 * every sent chunk against its hash and every proof against its own bytes, so a file that
 * changed since it was hashed is refused there, never stored half old, half new. This turns
 * such a refusal into the reason.
 */
export const fileChanged = () => new PodError('conflict', 'the file changed while it was being uploaded; upload it again');

/** A refusal of bytes that do not hash to what the client said: they changed since it hashed them. */
const changedBytes = (error: unknown) => {
  if (error instanceof PodError && error.code === 'invalid' && error.data?.actual !== undefined) throw fileChanged();
  throw error;
};

/** PUTs bytes (a whole file; none: a file the pod holds) and answers the server's JSON. */
export async function sendBytes(transport: Transport, url: string, bytes: Uint8Array | undefined): Promise<unknown> {
  return retrying(transport.signal, () => put(transport, url, (bytes ?? new Uint8Array()) as Uint8Array<ArrayBuffer>)).catch(changedBytes);
}

/**
 * Sends chunks in one streamed request (PUT /v1/files/uploads/<id>/chunks), each framed as the
 * protocol says (chunk-frames.ts): `next` answers the next chunk to send, waiting for one if
 * need be, or nothing to end the request. Bytes are read from the file only as the request
 * takes them; `onSent` hears of each chunk once. Answers each chunk's receipt, the proof for
 * the commit that its bytes were sent. A retried request sends what the failed one took again.
 */
export async function sendBatch(transport: Transport, uploadId: string, source: RandomAccess, next: () => Promise<Chunk | undefined>, onSent: (chunk: Chunk) => void): Promise<Receipt[]> {
  const url = `${transport.server.replace(/\/$/, '')}/v1/files/uploads/${uploadId}/chunks`;
  const taken: Chunk[] = [];
  let reported = 0;
  return retrying(transport.signal, async () => {
    let index = 0;
    let header = true;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (header) {
          if (index === taken.length) {
            const chunk = taken.length < MAX_BATCH_CHUNKS ? await next() : undefined;
            if (!chunk) return controller.close();
            taken.push(chunk);
          }
          const chunk = taken[index]!;
          controller.enqueue(chunkFrameHeader(chunk.hash, chunk.length));
        } else {
          const chunk = taken[index++]!;
          controller.enqueue(await source.read(chunk.offset, chunk.length));
          if (index > reported) {
            reported = index;
            onSent(chunk);
          }
        }
        header = !header;
      },
    });
    const { chunks } = (await put(transport, url, body)) as { chunks: Receipt[] };
    return chunks;
  }).catch(changedBytes);
}

async function put(transport: Transport, url: string, body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>): Promise<unknown> {
  const doFetch = transport.fetch ?? fetch;
  let response: Response;
  try {
    // duplex: a streamed body (Node's fetch requires saying so; the answer comes after it).
    response = await doFetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${transport.token}`, 'content-type': 'application/octet-stream' },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (error) {
    throw new PodError('unavailable', `cannot reach ${transport.server}: ${(error as Error).message}`);
  }
  const json = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) throw toPodError(json, response.status);
  return json;
}

/** Retries what failed as `unavailable` (a server restarting, a chunk being collected), with backoff; never once stopped. */
export async function retrying<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      signal?.throwIfAborted();
      if (!(error instanceof PodError && error.code === 'unavailable') || attempt > RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
