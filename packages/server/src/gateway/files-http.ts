import { byteCount, contentType, MAX_CHUNK_BYTES, MAX_INLINE_FILE_BYTES, placePath, PodError, sha256Hex, uploadId as uploadIdSchema } from '@pod/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidInput } from '../runtime/errors.ts';
import { askFiles } from './ask-files.ts';
import type { GatewayDeps } from './deps.ts';
import { bodyStream } from './dav/body.ts';
import { serveDownload } from './download.ts';
import { storeBatch } from './chunk-batch.ts';
import { commitSmall, putSmall, readExactly, SMALL_BODY_BYTES, storeBody } from './store-body.ts';
import { requestCaller } from './web-session.ts';

const chunkParams = z.strictObject({ uploadId: uploadIdSchema, hash: sha256Hex });
const batchParams = z.strictObject({ uploadId: uploadIdSchema });
const fileQuery = z.strictObject({
  path: placePath,
  size: z.coerce.number().pipe(byteCount),
  hash: sha256Hex,
  type: contentType.optional(),
  overwrite: z.enum(['true', 'false']).optional(),
});

/**
 * File bytes over HTTP: chunks of uploads in (PUT, one or a batch), small files in whole (PUT), file content
 * out (GET). The gateway moves
 * bytes between clients and the blob store, which is shared infrastructure; whose bytes they
 * are and who may read them is for the files app to say, asked through the messenger, where
 * only hashes and sizes travel.
 */
export function registerFileRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  // Chunk bodies are raw bytes of any (or no) content type, read as a stream by the route; in
  // this plugin's scope only (Fastify encapsulation), so JSON routes keep their parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  // The pod application's session cookie works here too (a chunk PUT needs its CSRF header).
  const callerOf = (request: FastifyRequest) => requestCaller(deps, request, request.method !== 'GET' && request.method !== 'HEAD');

  app.put('/v1/files/uploads/:uploadId/chunks/:hash', async (request, reply) => {
    const caller = await callerOf(request);
    const params = chunkParams.safeParse(request.params);
    if (!params.success) throw invalidInput(params.error, 'chunk URL');
    const { uploadId, hash } = params.data;
    const { size, proof } = (await askFiles(deps, caller, 'files.upload.expect', { uploadId, hashes: [hash] })).chunks[0]!;
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) !== size) {
      reply.header('connection', 'close');
      throw new PodError(Number(declared) > size ? 'too_large' : 'invalid', `chunk ${hash} has ${size} bytes; this body has ${declared}`);
    }
    const bytes = await readExactly(bodyStream(request), size, `chunk ${hash}`).catch(closeIfTooLarge(reply));
    await storeChunk(deps, hash, bytes);
    // Nothing is recorded here: the proof shows the commit that this caller sent these bytes.
    return reply.send({ hash, size, proof });
  });

  app.put('/v1/files/uploads/:uploadId/chunks', async (request, reply) => {
    const caller = await callerOf(request);
    const params = batchParams.safeParse(request.params);
    if (!params.success) throw invalidInput(params.error, 'chunk batch URL');
    const chunks = await storeBatch(deps, caller, params.data.uploadId, bodyStream(request), (hash, bytes) => storeChunk(deps, hash, bytes)).catch((error: unknown) => {
      // The rest of the body is not read: a connection that carried it cannot take another request.
      reply.header('connection', 'close');
      throw error;
    });
    return reply.send({ chunks });
  });

  app.put('/v1/files/content', async (request, reply) => {
    const caller = await callerOf(request);
    const query = fileQuery.safeParse(request.query);
    if (!query.success) throw invalidInput(query.error, 'file upload query');
    const { path, size, hash, type, overwrite } = query.data;
    const target = { path, ...(type ? { type } : {}), ...(overwrite ? { overwrite: overwrite === 'true' } : {}) };
    const declared = request.headers['content-length'];
    if (size > 0 && declared === '0') {
      // No body: the file is content the caller holds already, as one chunk (conflict otherwise).
      if (size > MAX_CHUNK_BYTES) throw new PodError('invalid', `a file of ${size} bytes is more than one chunk: send its bytes, or upload it with files.upload.begin`);
      const { entry } = await askFiles(deps, caller, 'files.upload.put', { ...target, size, hash, chunks: [{ hash, size }], vouched: [] });
      return reply.send({ entry });
    }
    if (size > SMALL_BODY_BYTES) throw new PodError('too_large', `a file sent whole has at most ${SMALL_BODY_BYTES} bytes; upload larger ones with files.upload.begin`);
    if (declared !== undefined && Number(declared) !== size) {
      reply.header('connection', 'close');
      throw new PodError(Number(declared) > size ? 'too_large' : 'invalid', `the file has ${size} bytes (size); this body has ${declared}`);
    }
    const stream = bodyStream(request);
    if (size <= MAX_INLINE_FILE_BYTES) {
      const bytes = await readExactly(stream, size, 'the file').catch(closeIfTooLarge(reply));
      return reply.send({ entry: await putSmall(deps, caller, target, bytes, hash) });
    }
    const body = await storeBody(deps, stream, size).catch(closeIfTooLarge(reply));
    // Whatever was stored of a refused body is collected with the blobs no row records.
    if (body.size !== size) throw new PodError('invalid', `the file has ${size} bytes (size); this body ended after ${body.size} (truncated)`);
    if (body.hash !== hash) throw new PodError('invalid', `the body's SHA-256 is ${body.hash}, not ${hash}: the file changed, or the hash is wrong`, { actual: body.hash });
    return reply.send({ entry: await commitSmall(deps, caller, target, { ...body, kept: body.kept! }) });
  });

  // HEAD is routed here explicitly: Fastify's automatic HEAD route would answer Content-Length 0.
  app.route({ method: ['GET', 'HEAD'], url: '/v1/files/content', handler: async (request, reply) => serveDownload(deps, await callerOf(request), request, reply) });
}

/** A body refused for having too much is not drained: the connection is closed instead. */
function closeIfTooLarge(reply: FastifyReply): (error: unknown) => never {
  return (error) => {
    if (error instanceof PodError && error.code === 'too_large') reply.header('connection', 'close');
    throw error;
  };
}

/**
 * Stores a chunk (the blob store checks it hashes to `hash`). A blob already there is kept as it
 * is, so one found corrupt is replaced by these good bytes: re-sending a chunk heals its copy.
 */
async function storeChunk(deps: GatewayDeps, hash: string, bytes: Uint8Array): Promise<void> {
  if (await deps.blobs.put(hash, bytes)) return;
  try {
    await deps.blobs.get(hash);
  } catch (error) {
    if (!(error instanceof PodError && error.code === 'internal')) throw error;
    deps.log.warn({ hash }, 'replacing a corrupt blob with bytes just uploaded');
    await deps.blobs.delete(hash);
    await deps.blobs.put(hash, bytes);
  }
}
