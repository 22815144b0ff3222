import { z } from 'zod';
import { filePath } from '../files/names.ts';
import { byteCount, contentType, fileEntry, fileCursor, manifestPage, MAX_CHUNK_BYTES, MAX_INLINE_FILE_BYTES, MAX_MANIFEST_PAGE, placePath, sha256Hex, uploadId } from '../files/schemas.ts';
import type { OpDef } from './define.ts';

/** Longest lock a client may ask for; longer requests get this (RFC 4918 lets the server choose). */
export const MAX_DAV_LOCK_SECONDS = 7 * 24 * 3600;
export const MAX_DAV_LOCK_OWNER_CHARS = 4096;
export const MAX_DAV_PROP_VALUE_CHARS = 64 * 1024;
/** Dead properties one item may carry, so a client cannot grow a row set without bound. */
export const MAX_DAV_PROPS_PER_ITEM = 200;

export const davPropName = z.strictObject({ ns: z.string().max(1024), name: z.string().min(1).max(255) });
/** A dead property: its value is the XML inside the property element, kept verbatim. */
export const davProp = davPropName.extend({ value: z.string().max(MAX_DAV_PROP_VALUE_CHARS, `a property value has at most ${MAX_DAV_PROP_VALUE_CHARS} characters`) });
export type DavProp = z.infer<typeof davProp>;

export const davLock = z.strictObject({
  token: z.string(),
  path: z.string(),
  depth: z.enum(['0', 'infinity']),
  scope: z.enum(['exclusive', 'shared']),
  /** The DAV:owner element the client sent, as XML, or "". */
  owner: z.string(),
  timeoutSeconds: z.number().int(),
  expiresAt: z.string(),
});
export type DavLock = z.infer<typeof davLock>;

const lockToken = z.string().min(1).max(200);
const vouched = z.array(z.strictObject({ hash: sha256Hex, size: z.number().int().min(1).max(MAX_CHUNK_BYTES), storedBytes: z.number().int().min(0) })).max(MAX_MANIFEST_PAGE);

/**
 * What the gateway's WebDAV face asks of the files app besides the ordinary file operations:
 * the state a request's preconditions and PROPFIND need in one read, locks and dead
 * properties (kept in the store so that every gateway sees the same), and the commit of a
 * PUT whose bytes the gateway chunked and stored itself.
 */
export const filesDavOps = {
  /**
   * An item (null when nothing is at `path`), with `children` its items a page at a time; the
   * dead properties of each item answered; and every live lock of the caller.
   */
  'files.dav.state': {
    app: 'files',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ path: filePath, children: z.boolean().optional(), cursor: fileCursor.optional(), props: z.boolean().optional() }),
    output: z.strictObject({
      entry: fileEntry.nullable(),
      /** Whether the folder `path` would be in exists (so an item could be made there). */
      parentExists: z.boolean(),
      children: z.array(fileEntry),
      next: z.string().optional(),
      props: z.array(z.strictObject({ id: z.number().int(), props: z.array(davProp) })),
      locks: z.array(davLock),
    }),
  },
  /** Takes a lock on `path` (which must exist), or with `refresh` extends one of the caller's. */
  'files.dav.lock': {
    app: 'files',
    access: 'internal',
    input: z.union([
      z.strictObject({
        path: filePath,
        depth: z.enum(['0', 'infinity']),
        scope: z.enum(['exclusive', 'shared']),
        owner: z.string().max(MAX_DAV_LOCK_OWNER_CHARS, `a lock owner has at most ${MAX_DAV_LOCK_OWNER_CHARS} characters`),
        timeoutSeconds: z.number().int().min(1),
      }),
      z.strictObject({ path: filePath, refresh: lockToken, timeoutSeconds: z.number().int().min(1) }),
    ]),
    output: z.strictObject({ lock: davLock }),
  },
  /** Removes the caller's lock `token`, which must cover `path`. */
  'files.dav.unlock': { app: 'files', access: 'internal', input: z.strictObject({ path: filePath, token: lockToken }), output: z.strictObject({}) },
  /** Removes the caller's locks rooted at `path` or below it (the items were deleted or moved away). */
  'files.dav.unlockTree': { app: 'files', access: 'internal', input: z.strictObject({ path: filePath }), output: z.strictObject({ removed: z.number().int() }) },
  /** Sets and removes dead properties of an item, in order, all or none. */
  'files.dav.proppatch': {
    app: 'files',
    access: 'internal',
    input: z.strictObject({
      path: filePath,
      set: z.array(davProp).max(MAX_DAV_PROPS_PER_ITEM),
      remove: z.array(davPropName).max(MAX_DAV_PROPS_PER_ITEM),
    }),
    output: z.strictObject({}),
  },
  /**
   * Chunks the gateway stored for the caller's upload, having read their bytes from the caller
   * itself: recorded as present and as held by the caller (the strongest proof of possession).
   */
  'files.upload.vouch': { app: 'files', access: 'internal', input: z.strictObject({ uploadId, chunks: vouched.min(1) }), output: z.strictObject({}) },
  /**
   * Vouches for the last chunks and commits, without reading the file back: the gateway
   * computed the whole-file hash from the very bytes it chunked and stored.
   */
  'files.upload.seal': { app: 'files', access: 'internal', input: z.strictObject({ uploadId, chunks: vouched }), output: z.strictObject({ entry: fileEntry }) },
  /**
   * begin and seal in one transaction, for a file whose whole manifest fits one page and whose
   * chunks the gateway still holds (it checks them in the blob store after the commit, and
   * writes again any that a collector removed meanwhile): a small file costs one commit. Both
   * WebDAV's PUT and PUT /v1/files/content use it; the latter, without a body, vouches for
   * nothing and commits only chunks the caller holds already (`conflict` otherwise, before
   * anything is written). `content`: the file's bytes (base64), for a file of at most
   * MAX_INLINE_FILE_BYTES, which the gateway did not store: the files app keeps them in the
   * commit's own transaction (see MAX_INLINE_FILE_BYTES).
   */
  'files.upload.put': {
    app: 'files',
    access: 'internal',
    input: z.strictObject({
      path: placePath,
      size: byteCount,
      hash: sha256Hex,
      chunks: manifestPage,
      vouched,
      // Not z.base64(): its pattern costs a millisecond per 256 KiB, and the files app checks
      // the decoded bytes against `hash` anyway, which no malformed text survives.
      content: z.string().max(Math.ceil(MAX_INLINE_FILE_BYTES / 3) * 4, `content is for a file of at most ${MAX_INLINE_FILE_BYTES} bytes`).optional(),
      type: contentType.optional(),
      overwrite: z.boolean().optional(),
    }),
    output: z.strictObject({ entry: fileEntry }),
  },
} as const satisfies Record<string, OpDef>;
