import { DEFAULT_CONTENT_TYPE, nodeId, placePath, PodError, type OpOutput } from '@pod/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Caller } from '../messenger/messenger.ts';
import { invalidInput } from '../runtime/errors.ts';
import type { GatewayDeps } from './deps.ts';
import { askFiles } from './ask-files.ts';
import { etagMatches, parseRange } from './range.ts';

type Content = OpOutput<'files.content'>;
type Chunk = Content['chunks'][number];

const query = z
  .strictObject({
    path: placePath.optional(),
    id: z.coerce.number().pipe(nodeId).optional(),
    version: z.coerce.number().pipe(nodeId).optional(),
    /** Shown in the browser instead of saved (still sandboxed: see the headers). */
    inline: z.enum(['1', 'true']).optional(),
  })
  .refine((q) => (q.path === undefined) !== (q.id === undefined), 'name the file with either path or id');

/** Asks for a page of a file's manifest: the first (no arguments), or the one holding `offset` of `version`. */
export type ContentPages = (page?: { version: number; offset: number }) => Promise<Content>;

/** Serves a file of the caller's (or granted to them), named by the query: /v1/files/content?path=...|id=... */
export async function serveDownload(deps: GatewayDeps, caller: Caller, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parsed = query.safeParse(request.query);
  if (!parsed.success) throw invalidInput(parsed.error, 'download query');
  const q = parsed.data;
  const target = q.path ?? q.id!;
  let fileId: number | undefined;
  const pages: ContentPages = async (page) => {
    const body = page ? { target: fileId!, ...page } : { target, ...(q.version === undefined ? {} : { version: q.version }) };
    const content = await askFiles(deps, caller, 'files.content', body);
    fileId = content.entry.id;
    return content;
  };
  return serveContent(deps, pages, request, reply, { inline: q.inline !== undefined, user: caller.userId });
}

/**
 * Serves a file's bytes: the files app answers who may read what (and the manifest), the blob
 * store the bytes, checked against their hashes as they are read. Conditional requests
 * (If-None-Match, If-Range) and one byte range are honoured. A chunk that turns out corrupt
 * or missing after the headers went out ends the response early, so the client sees a broken
 * transfer and never takes the bytes for good.
 */
export async function serveContent(deps: GatewayDeps, ask: ContentPages, request: FastifyRequest, reply: FastifyReply, options: { inline: boolean; user: number | undefined }): Promise<FastifyReply> {
  const first = await ask();
  const etag = `"${first.hash}"`;
  const name = first.entry.name;
  reply.header('etag', etag);
  reply.header('last-modified', new Date(first.entry.modifiedAt).toUTCString());
  reply.header('accept-ranges', 'bytes');
  // The bytes are whatever a user uploaded: never run as this site's page or sniffed into something else.
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "sandbox; default-src 'none'");
  reply.header('cache-control', 'private, no-cache');
  reply.header('content-disposition', `${options.inline ? 'inline' : 'attachment'}; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();

  // If-Range: the range only if the file is still the one the client holds part of; else all of it.
  const rawIfRange = request.headers['if-range'];
  const ifRange = Array.isArray(rawIfRange) ? rawIfRange[0] : rawIfRange;
  const rangeStillValid = ifRange === undefined || (/^(W\/)?"/.test(ifRange) ? ifRange === etag : ifRange === reply.getHeader('last-modified'));
  const range = rangeStillValid ? parseRange(request.headers.range, first.size) : { kind: 'whole' as const };
  if (range.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${first.size}`);
    return reply.code(416).type('application/json').send({ error: { code: 'invalid', message: `the range is outside the file's ${first.size} bytes` } });
  }
  const start = range.kind === 'part' ? range.start : 0;
  const end = range.kind === 'part' ? range.end : first.size - 1;
  reply.type(first.entry.type || DEFAULT_CONTENT_TYPE);
  reply.header('content-length', String(end - start + 1));
  if (range.kind === 'part') reply.code(206).header('content-range', `bytes ${start}-${end}/${first.size}`);
  if (request.method === 'HEAD' || first.size === 0) return reply.send();

  const manifest = start === 0 ? first : await ask({ version: first.version, offset: start });
  const chunks = pages(ask, manifest);
  // A chunk whose stored bytes fail their hash (or are gone) is reported before the response
  // fails, so that the next upload of those bytes sends them again and heals the stored copy.
  const reportDamaged = (hash: string) =>
    askFiles(deps, undefined, 'files.chunk.damaged', { hash }).then(
      () => {},
      (error: unknown) => deps.log.warn({ err: error, hash }, 'could not report a damaged chunk'),
    );
  const reads = readAhead(deps, chunks, start, end, reportDamaged);
  // The first bytes are read before anything is sent, so a first chunk that is corrupt or
  // missing still gets a proper error answer instead of a cut-off 200.
  const head = await reads.next();
  const body = Readable.from(
    (async function* () {
      try {
        if (!head.done) yield head.value;
        yield* reads;
      } catch (error) {
        deps.log.error({ err: error, file: first.entry.id, user: options.user }, 'download aborted: a chunk could not be served');
        throw error;
      }
    })(),
    { objectMode: false },
  );
  return reply.send(body);
}

/** The chunks of a version from the first page on, asking the app for each further page. */
async function* pages(ask: ContentPages, first: Content): AsyncGenerator<Chunk> {
  let page = first;
  for (;;) {
    yield* page.chunks;
    const last = page.chunks[page.chunks.length - 1];
    if (!page.more || !last) return;
    page = await ask({ version: first.version, offset: last.offset + last.size });
  }
}

/** The bytes from `start` to `end` (inclusive), chunk by chunk, the next chunk read while one is sent. */
async function* readAhead(deps: GatewayDeps, chunks: AsyncGenerator<Chunk>, start: number, end: number, reportDamaged: (hash: string) => Promise<void>): AsyncGenerator<Uint8Array> {
  const fetchNext = async () => {
    for (;;) {
      const next = await chunks.next();
      if (next.done) return undefined;
      const chunk = next.value;
      if (chunk.offset > end) return undefined;
      if (chunk.offset + chunk.size <= start) continue;
      return { chunk, bytes: deps.blobs.get(chunk.hash) };
    }
  };
  let pending = await fetchNext();
  while (pending) {
    const { chunk, bytes } = pending;
    const next = fetchNext();
    // A read that fails while an earlier one is awaited must not count as unhandled.
    next.then((n) => n?.bytes.catch(() => {}), () => {});
    let content: Uint8Array;
    try {
      content = await bytes;
    } catch (error) {
      if (error instanceof PodError && (error.code === 'internal' || error.code === 'not_found')) await reportDamaged(chunk.hash);
      throw error;
    }
    if (content.length !== chunk.size) throw new Error(`chunk ${chunk.hash} has ${content.length} bytes, the manifest says ${chunk.size}`);
    const from = Math.max(0, start - chunk.offset);
    const to = Math.min(chunk.size, end + 1 - chunk.offset);
    yield content.subarray(from, to);
    pending = await next;
  }
}
