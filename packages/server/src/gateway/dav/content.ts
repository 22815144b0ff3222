import { MAX_INLINE_FILE_BYTES, MAX_MANIFEST_PAGE, PodError } from '@pod/protocol';
import { askFiles } from '../ask-files.ts';
import { serveFile } from '../download.ts';
import { commitSmall, putSmall, readExactly, storeBody } from '../store-body.ts';
import { bodyStream } from './body.ts';
import { DavStatus, parentOf, stateOf, type Dav } from './context.ts';
import { checkPreconditions } from './preconditions.ts';

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

/**
 * PUT streams the body through the FastCDC chunker into the blob store, a few chunks at a
 * time, never holding a large file; then the upload protocol's operations make the file:
 * begin (with the manifest), and a seal that records the chunks as the caller's (the gateway
 * read their bytes from the caller) and commits, without reading the file back, since the
 * whole-file hash was computed from the very bytes stored. A file of a few MiB does both in one
 * transaction (files.upload.put); one of MAX_INLINE_FILE_BYTES at most, whose length is
 * declared, is not even written to the blob store: its bytes go with that transaction (putSmall).
 * Same dedup, quotas and versions as any upload.
 */
export async function put(dav: Dav): Promise<void> {
  const state = await stateOf(dav, dav.path);
  if (state.entry?.kind === 'folder') throw new DavStatus(405, `${dav.path} is a folder; PUT writes files`);
  if (!state.entry && !state.parentExists) throw new DavStatus(409, `the folder ${parentOf(dav.path)} does not exist; create it first (MKCOL)`);
  if (dav.path === '/') throw new DavStatus(405, 'the root is a folder');
  await checkPreconditions(dav, new Map([[dav.path, state]]), state.entry ? [{ path: dav.path, infinite: false }] : [{ path: dav.path, infinite: false }, { path: parentOf(dav.path), infinite: false }]);
  if (dav.request.headers['content-range'] !== undefined) throw new DavStatus(501, 'a partial PUT (Content-Range) is not supported; send the whole file');

  const declared = Number(dav.request.headers['content-length'] ?? NaN);
  if (Number.isSafeInteger(declared) && declared <= MAX_INLINE_FILE_BYTES) {
    const entry = await putSmall(dav.deps, dav.caller, { path: dav.path }, await readExactly(bodyStream(dav.request), declared, 'the file'));
    dav.reply.header('etag', `"${entry.hash}"`).code(state.entry ? 204 : 201).send();
    return;
  }
  const body = await storeBody(dav.deps, bodyStream(dav.request));
  const { manifest, hash, size, kept } = body;
  if (kept && manifest.length <= MAX_MANIFEST_PAGE) {
    const entry = await commitSmall(dav.deps, dav.caller, { path: dav.path }, { ...body, kept });
    dav.reply.header('etag', `"${entry.hash}"`).code(state.entry ? 204 : 201).send();
    return;
  }
  // Begin names the chunks in an open upload while the last ones are still being written.
  const begin = await settleAfter(
    askFiles(dav.deps, dav.caller, 'files.upload.begin', { path: dav.path, size, hash, chunkCount: manifest.length, chunks: manifest.slice(0, MAX_MANIFEST_PAGE), overwrite: true }),
    body.written,
  );
  const needed = new Set([...begin.send, ...begin.prove].map((index) => manifest[index]!.hash));
  for (let from = MAX_MANIFEST_PAGE; from < manifest.length; from += MAX_MANIFEST_PAGE) {
    const page = await askFiles(dav.deps, dav.caller, 'files.upload.manifest', { uploadId: begin.uploadId, from, chunks: manifest.slice(from, from + MAX_MANIFEST_PAGE) });
    for (const index of [...page.send, ...page.prove]) needed.add(manifest[index]!.hash);
  }
  const stored = await body.written;
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
  // A collector that was already removing a chunk when begin named it can finish after the
  // check above: such a chunk is reported damaged (uploads send it again) and the client asked
  // to repeat the PUT, which heals the file.
  const after = await dav.deps.blobs.has([...needed]);
  const lost = [...needed].filter((chunkHash) => !after.has(chunkHash));
  if (lost.length > 0) {
    for (const chunkHash of lost) await askFiles(dav.deps, dav.caller, 'files.chunk.damaged', { hash: chunkHash });
    throw new PodError('unavailable', 'a chunk was garbage-collected while this file was stored; send it again', { retryAfterSeconds: 1 });
  }
  dav.reply.header('etag', `"${entry.hash}"`).code(state.entry ? 204 : 201).send();
}

/** `first`'s outcome, once `second` has settled too (so that no write is left running when the request fails). */
async function settleAfter<T>(first: Promise<T>, second: Promise<unknown>): Promise<T> {
  const [outcome] = await Promise.allSettled([first, second]);
  await second;
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}
