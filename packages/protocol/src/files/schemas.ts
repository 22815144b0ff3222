import { z } from 'zod';
import { filePath, sharedPath } from './names.ts';

/** A chunk is at most the chunker's largest (4 MiB): it travels and is held in memory whole. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Manifest entries (chunks) per request or answer. A page is about 90 KB of JSON: well within
 * a 256 KiB body and a NATS message, whatever the file's size.
 */
export const MAX_MANIFEST_PAGE = 1000;
/**
 * A file up to this size is one chunk (the chunker's smallest cut), and the gateway hands its
 * bytes to the files app with the commit (files.upload.put's `content`), which keeps them in the
 * store's own transaction: one durable write instead of a blob file, its sync and its
 * directory's, and then the commit's.
 */
export const MAX_INLINE_FILE_BYTES = 256 * 1024;
/** Chunks of one file: about a terabyte at the average chunk size. */
export const MAX_FILE_CHUNKS = 1_000_000;

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a hash is 64 lowercase hex digits (SHA-256)');
export const nodeId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const byteCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const uploadId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an upload id is 1-64 characters of A-Z, a-z, 0-9, "_" or "-"');
/** Opaque paging cursors, as answered in `next`. */
export const fileCursor = z.string().max(2048);
export const fileKind = z.enum(['file', 'folder']);
export const contentType = z
  .string()
  .max(127)
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i, 'a content type is type/subtype, such as text/plain')
  .transform((type) => type.toLowerCase());

/**
 * Where a file or folder is (or is made): in my tree ("/a/b") or in another's, shared with me
 * ("~ann/a/b"). One schema, so that a bad path is refused with its own reason.
 */
export const placePath = z.string().transform((raw, ctx) => {
  const parsed = (raw.startsWith('~') ? sharedPath : filePath).safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});

/**
 * What an operation acts on: a path of mine ("/docs/report.pdf"), a path of an item shared with
 * me ("~ann/docs/report.pdf", see sharedPath) or an id (42), mine or granted to me. Id 0 and "/"
 * are my root folder. An item I may not access answers not_found, exactly as an id that never
 * existed.
 */
export const fileRef = z.union([placePath, nodeId], { error: 'a file is named by a path ("/a/b.txt"), a shared path ("~owner/a/b.txt") or an id (a number)' });

export type FileRef = z.input<typeof fileRef>;

/** A file or folder as clients see it. `trashedAt` is set on an item deleted to the trash. */
export const fileEntry = z.strictObject({
  id: z.number().int(),
  /** 0 for items in the root folder. */
  parentId: z.number().int(),
  name: z.string(),
  kind: fileKind,
  /** Bytes of a file's current version; 0 for folders. */
  size: z.number().int(),
  /** A file's content type; "" for folders. */
  type: z.string(),
  /** SHA-256 of a file's current content (lowercase hex); null for folders. */
  hash: z.string().nullable(),
  createdAt: z.string(),
  modifiedAt: z.string(),
  trashedAt: z.string().nullable(),
  /** Id of a file's current version; null for folders. */
  version: z.number().int().nullable(),
});
export type FileEntry = z.infer<typeof fileEntry>;

export const fileVersion = z.strictObject({
  id: z.number().int(),
  size: z.number().int(),
  hash: z.string(),
  createdAt: z.string(),
  current: z.boolean(),
});
export type FileVersion = z.infer<typeof fileVersion>;

/** One chunk of a manifest: its SHA-256 and length. A file is its chunks, in order. */
export const chunkRef = z.strictObject({ hash: sha256Hex, size: z.number().int().min(1).max(MAX_CHUNK_BYTES) });
export type ChunkRef = z.infer<typeof chunkRef>;

/** A page of a manifest, as sent by an uploader. */
export const manifestPage = z.array(chunkRef).max(MAX_MANIFEST_PAGE, `send at most ${MAX_MANIFEST_PAGE} chunks per request (the rest with files.upload.manifest)`);

/**
 * Proof that the uploader holds a chunk: HMAC-SHA256 keyed by the upload's nonce (its hex text
 * as UTF-8 bytes) over the chunk's bytes, in lowercase hex; or, for a chunk the uploader sent,
 * the proof its PUT answered.
 */
export const chunkProof = z.strictObject({ hash: sha256Hex, proof: sha256Hex });
export type ChunkProof = z.infer<typeof chunkProof>;

/**
 * What an uploader must still do, by manifest index (the first index of each distinct chunk
 * in the page): `send` the bytes (PUT), or `prove` it holds them (or send them anyway).
 */
export const uploadNeeds = z.strictObject({
  /** Manifest entries the server has recorded so far, out of `chunkCount`. */
  received: z.number().int(),
  send: z.array(z.number().int()),
  prove: z.array(z.number().int()),
});
export type UploadNeeds = z.infer<typeof uploadNeeds>;
