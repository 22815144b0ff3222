import { MAX_MANIFEST_PAGE, PodError, type ChunkRef } from '@pod/protocol';
import { Chunker, type Chunk } from '@pod/sdk/chunker';
import { createHash } from 'node:crypto';
import { askFiles } from '../ask-files.ts';
import { serveFile } from '../download.ts';
import { bodyStream } from './body.ts';
import { DavStatus, parentOf, stateOf, type Dav } from './context.ts';
import { checkPreconditions } from './preconditions.ts';

/** Chunks written to the blob store at once while the body streams in: bounds memory to a few chunks. */
const PARALLEL_PUTS = 4;

const sha256 = () => {
  const hash = createHash('sha256');
  return { update: (bytes: Uint8Array) => void hash.update(bytes), digest: () => hash.digest('hex') };
};

/** GET and HEAD of a file, through the same path as /v1/files/content: ranges, ETag, integrity checks. */
export async function get(dav: Dav): Promise<void> {
  const state = await stateOf(dav, dav.path);
  if (!state.entry) throw new PodError('not_found', `no file or folder at ${dav.path}`);
  if (state.entry.kind === 'folder') {
    dav.reply.code(200).type('text/plain; charset=utf-8').send(dav.request.method === 'HEAD' ? undefined : 'This is a folder; list it with PROPFIND (a WebDAV client).\n');
    return;
  }
  await serveFile(dav.deps, dav.caller, { target: state.entry.id, inline: false }, dav.request, dav.reply);
}

type Stored = { hash: string; size: number; storedBytes: number };

/**
 * PUT streams the body through the FastCDC chunker into the blob store, a few chunks at a
 * time, never holding the file; then the upload protocol's operations make the file: begin
 * (with the manifest), and a seal that records the chunks as the caller's (the gateway read
 * their bytes from the caller) and commits, without reading the file back, since the
 * whole-file hash was computed from the very bytes stored. Same dedup, quotas and versions as
 * any upload: bytes already stored are not written twice.
 */
export async function put(dav: Dav): Promise<void> {
  const state = await stateOf(dav, dav.path);
  if (state.entry?.kind === 'folder') throw new DavStatus(405, `${dav.path} is a folder; PUT writes files`);
  if (!state.entry && !state.parentExists) throw new DavStatus(409, `the folder ${parentOf(dav.path)} does not exist; create it first (MKCOL)`);
  if (dav.path === '/') throw new DavStatus(405, 'the root is a folder');
  await checkPreconditions(dav, new Map([[dav.path, state]]), state.entry ? [{ path: dav.path, infinite: false }] : [{ path: dav.path, infinite: false }, { path: parentOf(dav.path), infinite: false }]);
  if (dav.request.headers['content-range'] !== undefined) throw new DavStatus(501, 'a partial PUT (Content-Range) is not supported; send the whole file');

  const { manifest, stored, hash, size } = await storeBody(dav);
  const begin = await askFiles(dav.deps, dav.caller, 'files.upload.begin', { path: dav.path, size, hash, chunkCount: manifest.length, chunks: manifest.slice(0, MAX_MANIFEST_PAGE), overwrite: true });
  const needed = new Set([...begin.send, ...begin.prove].map((index) => manifest[index]!.hash));
  for (let from = MAX_MANIFEST_PAGE; from < manifest.length; from += MAX_MANIFEST_PAGE) {
    const page = await askFiles(dav.deps, dav.caller, 'files.upload.manifest', { uploadId: begin.uploadId, from, chunks: manifest.slice(from, from + MAX_MANIFEST_PAGE) });
    for (const index of [...page.send, ...page.prove]) needed.add(manifest[index]!.hash);
  }
  const vouched = [...needed].map((chunkHash) => stored.get(chunkHash)!);
  // The open upload now names every chunk, so none can be collected any more; one collected
  // between its write above and now is gone, and its bytes with it: the client sends again.
  const present = await dav.deps.blobs.has([...needed]);
  if (present.size < needed.size) throw new PodError('unavailable', 'a chunk was garbage-collected while this file was stored; send it again', { retryAfterSeconds: 1 });
  for (let from = 0; from + MAX_MANIFEST_PAGE < vouched.length; from += MAX_MANIFEST_PAGE) {
    await askFiles(dav.deps, dav.caller, 'files.upload.vouch', { uploadId: begin.uploadId, chunks: vouched.slice(from, from + MAX_MANIFEST_PAGE) });
  }
  const last = vouched.slice(Math.floor(Math.max(0, vouched.length - 1) / MAX_MANIFEST_PAGE) * MAX_MANIFEST_PAGE);
  const { entry } = await askFiles(dav.deps, dav.caller, 'files.upload.seal', { uploadId: begin.uploadId, chunks: last });
  dav.reply.header('etag', `"${entry.hash}"`).code(state.entry ? 204 : 201).send();
}

async function storeBody(dav: Dav): Promise<{ manifest: ChunkRef[]; stored: Map<string, Stored>; hash: string; size: number }> {
  const chunker = new Chunker({ sha256, withBytes: true });
  const manifest: ChunkRef[] = [];
  const stored = new Map<string, Stored>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const take = (chunk: Chunk) => {
    manifest.push({ hash: chunk.hash, size: chunk.length });
    if (stored.has(chunk.hash)) return;
    stored.set(chunk.hash, { hash: chunk.hash, size: chunk.length, storedBytes: 0 });
    const job = storeChunk(dav, chunk).then(
      (storedBytes) => void (stored.get(chunk.hash)!.storedBytes = storedBytes),
      (error: unknown) => void (failure ??= error),
    );
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  };
  try {
    for await (const piece of bodyStream(dav.request) as AsyncIterable<Buffer>) {
      for (const chunk of chunker.push(piece)) take(chunk);
      while (inFlight.size >= PARALLEL_PUTS) await Promise.race(inFlight);
      if (failure) break;
    }
  } catch (error) {
    await Promise.allSettled(inFlight);
    throw new PodError('invalid', `the request body could not be read (${(error as Error).message})`);
  }
  await Promise.allSettled(inFlight);
  if (failure) throw failure;
  const end = chunker.end();
  if (end.last) take(end.last);
  await Promise.allSettled(inFlight);
  if (failure) throw failure;
  return { manifest, stored, hash: end.file.hash, size: end.file.size };
}

async function storeChunk(dav: Dav, chunk: Chunk): Promise<number> {
  const bytes = chunk.bytes!;
  await dav.deps.blobs.put(chunk.hash, bytes);
  return (await dav.deps.blobs.stat(chunk.hash))?.storedBytes ?? bytes.length;
}
