import { z } from 'zod';
import {
  byteCount,
  chunkProof,
  chunkRef,
  contentType,
  fileEntry,
  fileRef,
  manifestPage,
  MAX_CHUNK_BYTES,
  MAX_FILE_CHUNKS,
  MAX_MANIFEST_PAGE,
  nodeId,
  placePath,
  sha256Hex,
  uploadId,
  uploadNeeds,
} from '../files/schemas.ts';
import type { OpDef } from './define.ts';

const proofs = z.array(chunkProof).max(MAX_MANIFEST_PAGE, `send at most ${MAX_MANIFEST_PAGE} proofs per request (the rest with files.upload.prove)`);

/**
 * Uploads, resumable and deduplicated. The client cuts the file into content-defined chunks
 * and hashes them; `begin` answers which chunks to send (PUT /v1/files/uploads/<id>/chunks/<hash>, or
 * many in one PUT /v1/files/uploads/<id>/chunks framed as in chunk-frames.ts; the answer
 * carries a proof for the commit) and which the server holds but the caller must
 * prove they hold too; `commit` makes the file (or its new version) and records the chunks.
 * Bytes never travel in these operations, only hashes. (A small file can skip all of it: one
 * PUT /v1/files/content?path=..., see docs/protocol.md.)
 */
export const filesUploadOps = {
  /**
   * Starts an upload of `size` bytes with SHA-256 `hash` to `path`, or resumes the caller's
   * unfinished upload of the same content to the same path. `chunks` is the manifest's first
   * page; send the rest with files.upload.manifest. An existing file at `path` gets a new
   * version (its current one is kept) unless `overwrite` is false. Without `hash` and
   * `chunkCount` (a client that sends while it is still hashing) the manifest is complete when
   * its sizes add up to `size`, the commit names the hash, and a resumed upload is the caller's
   * unfinished one of this size to this path whose manifest starts with `chunks`.
   */
  'files.upload.begin': {
    app: 'files',
    access: 'user',
    input: z.strictObject({
      /** In my tree, or in a folder shared with me for writing ("~owner/..."): the file and its quota are the owner's. */
      path: placePath,
      size: byteCount,
      hash: sha256Hex.optional(),
      chunkCount: z.number().int().min(0).max(MAX_FILE_CHUNKS, `a file has at most ${MAX_FILE_CHUNKS} chunks`).optional(),
      chunks: manifestPage,
      type: contentType.optional(),
      overwrite: z.boolean().optional(),
    }),
    output: uploadNeeds.extend({
      uploadId: z.string(),
      /** Keys the proofs of possession (see chunkProof). */
      nonce: z.string(),
      expiresAt: z.string(),
      /** As declared at begin; absent when the upload began without it. */
      chunkCount: z.number().int().optional(),
    }),
  },
  /** The manifest's entries from index `from` on (pages after the first). */
  'files.upload.manifest': {
    app: 'files',
    access: 'user',
    input: z.strictObject({ uploadId, from: z.number().int().min(0).max(MAX_FILE_CHUNKS), chunks: manifestPage.min(1) }),
    output: uploadNeeds,
  },
  /** What an upload still needs, for the manifest entries from `from` on (one page). */
  'files.upload.status': {
    app: 'files',
    access: 'user',
    readonly: true,
    input: z.strictObject({ uploadId, from: z.number().int().min(0).max(MAX_FILE_CHUNKS).optional() }),
    output: uploadNeeds.extend({ chunkCount: z.number().int().optional(), expiresAt: z.string(), next: z.number().int().optional() }),
  },
  /** Proofs of possession (chunk PUT answers among them) ahead of the commit, when there are more than one commit carries. */
  'files.upload.prove': { app: 'files', access: 'user', input: z.strictObject({ uploadId, proofs: proofs.min(1) }), output: z.strictObject({ proven: z.number().int() }) },
  /**
   * Makes the file: every chunk must have been sent or proven, a sent chunk by the proof its
   * PUT answered (`conflict` otherwise, with the indexes still needed in `data`), and the
   * chunks must add up to the declared size and hash. `hash` is the file's SHA-256, for an
   * upload begun without it: when given, the chunks must make it; without it, the server takes
   * the SHA-256 the chunks make.
   */
  'files.upload.commit': { app: 'files', access: 'user', input: z.strictObject({ uploadId, proofs: proofs.optional(), hash: sha256Hex.optional() }), output: z.strictObject({ entry: fileEntry }) },
  'files.upload.cancel': { app: 'files', access: 'user', input: z.strictObject({ uploadId }), output: z.strictObject({}) },
  /**
   * The gateway asks before storing chunks' bytes (a chunk PUT's, or several of a batch's):
   * are they part of the caller's open upload, and how long is each? `proof` is what the
   * gateway answers the caller once the bytes are stored: keyed by a secret of the upload that
   * only the server knows, so only a caller who sent the bytes has it. Nothing is written: the
   * commit records the chunks.
   */
  'files.upload.expect': {
    app: 'files',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ uploadId, hashes: z.array(sha256Hex).min(1).max(MAX_MANIFEST_PAGE) }),
    output: z.strictObject({ chunks: z.array(z.strictObject({ hash: sha256Hex, size: z.number().int().min(1).max(MAX_CHUNK_BYTES), proof: sha256Hex })) }),
  },
  /**
   * The gateway stored a chunk batch for the caller's upload: `entries` chunks whose "hash size"
   * lines hash to `manifest`, and whose bytes, in that order, hash to `content`. When that is
   * the upload's whole manifest, `content` is the file's SHA-256, which the commit then checks
   * the declared one against without reading the chunks back.
   */
  'files.upload.streamed': {
    app: 'files',
    access: 'internal',
    input: z.strictObject({ uploadId, entries: z.number().int().min(1).max(MAX_FILE_CHUNKS), manifest: sha256Hex, content: sha256Hex }),
    output: z.strictObject({}),
  },
  /**
   * The gateway read a chunk whose stored bytes no longer match its hash: until someone sends
   * those bytes again (which heals the stored copy), uploads are asked for them as if absent.
   */
  'files.chunk.damaged': { app: 'files', access: 'internal', input: z.strictObject({ hash: sha256Hex }), output: z.strictObject({}) },
  /**
   * The gateway serves a download: a file's (or one of its versions') details and the chunks
   * that cover its bytes from `offset` on, one page at a time, for the caller only.
   */
  'files.content': {
    app: 'files',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ target: fileRef, version: nodeId.optional(), offset: byteCount.optional() }),
    output: z.strictObject({
      entry: fileEntry,
      version: z.number().int(),
      size: z.number().int(),
      hash: z.string(),
      /** The chunks from the one holding `offset`, each with its offset in the file. */
      chunks: z.array(chunkRef.extend({ offset: z.number().int() })),
      more: z.boolean(),
    }),
  },
} as const satisfies Record<string, OpDef>;
