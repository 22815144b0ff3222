import { MAX_MANIFEST_PAGE, PodError, type ChunkProof, type ClientOpName, type FileEntry, type OpInput, type OpOutput, type UploadNeeds } from '@pod/protocol';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { callOp } from '../http.ts';
import type { Chunk } from './chunker.ts';
import type { Cutting } from './cutting.ts';
import type { UploadOptions, UploadProgress } from './upload-node.ts';
import { fileChanged, retrying, sendBatch } from './upload-http.ts';
import type { RandomAccess } from './source-node.ts';

/**
 * A manifest page goes out once this many bytes more are cut (or a page's worth of chunks, or
 * the end), and later ones once a quarter of what was sent before: the first chunks are asked
 * for soon after the upload starts, and a large file takes a few dozen pages, not thousands.
 */
const PAGE_BYTES = 4 * 1024 * 1024;

export interface Round {
  options: UploadOptions;
  source: RandomAccess;
  cutting: Cutting;
  progress: UploadProgress;
  report: () => void;
}

/**
 * One round of an upload of several chunks, while the file is still being cut and hashed: the
 * manifest goes out a page at a time as it grows (files.upload.begin without the file's hash,
 * then files.upload.manifest), each answer queues the chunks the server lacks, and those go out
 * in one streamed batch request as soon as they are known. The commit carries the receipts of
 * what was sent and proofs (HMAC keyed by the upload's nonce) of what the server holds from
 * others; the server takes the file's hash from the chunks.
 */
export async function uploadRound({ options, source, cutting, progress, report }: Round): Promise<FileEntry> {
  // One id per operation, kept across retries: the server stores a retried write's effects once.
  const op = <N extends ClientOpName>(name: N, body: OpInput<N>): Promise<OpOutput<N>> => {
    const requestId = randomUUID();
    return retrying(options.signal, () => callOp(options.server, options.token, name, body, { fetch: options.fetch, requestId }));
  };
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const resolve of waiters.splice(0)) resolve();
  };
  const until = async (ready: () => boolean) => {
    while (!ready()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    wake();
  };

  let begun: OpOutput<'files.upload.begin'> | undefined;
  const queue: Chunk[] = [];
  const queued = new Set<string>();
  const toProve = new Map<string, Chunk>();
  const note = (needs: Pick<UploadNeeds, 'send' | 'prove'>) => {
    for (const index of needs.send) {
      const chunk = cutting.chunks[index]!;
      if (queued.has(chunk.hash)) continue;
      queued.add(chunk.hash);
      toProve.delete(chunk.hash);
      queue.push(chunk);
      progress.bytesToSend += chunk.length;
    }
    for (const index of needs.prove) {
      const chunk = cutting.chunks[index]!;
      if (!queued.has(chunk.hash)) toProve.set(chunk.hash, chunk);
    }
    report();
    wake();
  };

  let paged = 0;
  const pageReady = () => {
    const from = paged < cutting.chunks.length ? cutting.chunks[paged]!.offset : cutting.bytes;
    return cutting.chunks.length - paged >= MAX_MANIFEST_PAGE || cutting.bytes - from >= Math.max(PAGE_BYTES, from / 4);
  };
  const paging = (async () => {
    while (failure === undefined) {
      await cutting.until(pageReady);
      const page = cutting.chunks.slice(paged, paged + MAX_MANIFEST_PAGE).map((chunk) => ({ hash: chunk.hash, size: chunk.length }));
      if (!begun) {
        begun = await op('files.upload.begin', {
          path: options.path,
          size: source.size,
          chunks: page,
          ...(options.type ? { type: options.type } : {}),
          ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
        });
        note(begun);
      } else note(await op('files.upload.manifest', { uploadId: begun.uploadId, from: paged, chunks: page }));
      paged += page.length;
      if (cutting.done && paged === cutting.chunks.length) return;
    }
  })();
  let pagingDone = false;
  paging.then(() => {
    pagingDone = true;
    wake();
  }, fail);

  // What the batches answered: the proof, for the commit, that this client sent those bytes.
  const receipts = new Map<string, string>();
  const sent = (chunk: Chunk) => {
    progress.bytesSent += chunk.length;
    progress.chunksSent++;
    report();
  };
  const send = async (next: () => Promise<Chunk | undefined>) => {
    for (const receipt of await sendBatch(options, begun!.uploadId, source, next, sent)) receipts.set(receipt.hash, receipt.proof);
  };
  // One request carries the chunks as they are asked for, until the manifest is all sent and
  // answered; the server stores them a few at a time as they come.
  const sending = (async () => {
    await until(() => queue.length > 0 || pagingDone || failure !== undefined);
    while (failure === undefined && queue.length > 0) {
      await send(async () => {
        await until(() => queue.length > 0 || pagingDone || failure !== undefined);
        return failure === undefined ? queue.shift() : undefined;
      });
    }
  })();
  sending.catch(fail);
  await Promise.allSettled([paging, sending]);
  if (failure !== undefined) throw failure;
  const proofs = new Map<string, string>();
  for (const [hash, chunk] of toProve) proofs.set(hash, createHmac('sha256', begun!.nonce).update(await source.read(chunk.offset, chunk.length)).digest('hex'));
  progress.phase = 'committing';
  report();
  for (let attempt = 1; ; attempt++) {
    try {
      const list: ChunkProof[] = [...receipts, ...proofs].map(([hash, proof]) => ({ hash, proof }));
      // What the commit cannot carry goes ahead of it, a page at a time.
      for (let start = MAX_MANIFEST_PAGE; start < list.length; start += MAX_MANIFEST_PAGE) {
        await op('files.upload.prove', { uploadId: begun!.uploadId, proofs: list.slice(start, start + MAX_MANIFEST_PAGE) });
      }
      const { entry } = await op('files.upload.commit', { uploadId: begun!.uploadId, ...(list.length > 0 ? { proofs: list.slice(0, MAX_MANIFEST_PAGE) } : {}) });
      progress.chunksProven += proofs.size;
      return entry;
    } catch (error) {
      // A wrong proof: the server's bytes are right, so the file's must have changed since hashing.
      if (error instanceof PodError && error.code === 'forbidden') await checkUnchanged(source, [...proofs.keys()].map((hash) => cutting.byHash.get(hash)!));
      // The server's copy of a chunk turned out damaged: it asks for the bytes, which heals it.
      const resend = error instanceof PodError && error.code === 'conflict' ? error.data?.resend : undefined;
      if (attempt >= 3 || !Array.isArray(resend) || !resend.every((hash) => cutting.byHash.has(hash as string))) throw error;
      const again = (resend as string[]).map((hash) => cutting.byHash.get(hash)!);
      for (const chunk of again) proofs.delete(chunk.hash);
      await send(async () => again.shift());
    }
  }
}

async function checkUnchanged(source: RandomAccess, chunks: readonly Chunk[]): Promise<void> {
  for (const chunk of chunks) {
    if (createHash('sha256').update(await source.read(chunk.offset, chunk.length)).digest('hex') !== chunk.hash) throw fileChanged();
  }
}
