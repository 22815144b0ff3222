import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PodError } from '@pod/protocol';
import type { BlobDriver } from './blobs.ts';

export interface S3Location {
  bucket: string;
  /** Prepended to every key, so several pods (or tests) can share one bucket. */
  prefix: string;
  /** An S3-compatible server; absent for AWS itself. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

const USAGE = 's3://[ACCESS_KEY:SECRET@]BUCKET[/PREFIX][?endpoint=https://HOST:PORT&region=REGION&forcePathStyle=true|false]';
const PARAMETERS = new Set(['endpoint', 'region', 'forcePathStyle']);

/**
 * Reads `POD_BLOBS_URL=s3://...`. Credentials come from the URL's user and password, else from
 * the SDK's usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, profiles, instance
 * roles). Path-style addressing is the default because most S3-compatible servers need it.
 */
export function parseS3Url(url: string): S3Location {
  const refuse = (why: string) => new PodError('invalid', `invalid blobs URL "${redactS3(url)}": ${why}; expected ${USAGE}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('it does not parse as a URL');
  }
  if (parsed.hostname === '') throw refuse('it names no bucket');
  for (const name of parsed.searchParams.keys()) if (!PARAMETERS.has(name)) throw refuse(`unknown parameter "${name}"`);
  const endpoint = parsed.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) throw refuse('endpoint must be an http:// or https:// URL');
  const forcePathStyle = parsed.searchParams.get('forcePathStyle') ?? 'true';
  if (forcePathStyle !== 'true' && forcePathStyle !== 'false') throw refuse('forcePathStyle must be true or false');
  if ((parsed.username === '') !== (parsed.password === '')) throw refuse('give both an access key and a secret, or neither');
  const path = decodeURIComponent(parsed.pathname.replace(/^\/+/, ''));
  return {
    bucket: parsed.hostname,
    prefix: path === '' || path.endsWith('/') ? path : `${path}/`,
    endpoint,
    region: parsed.searchParams.get('region') ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: forcePathStyle === 'true',
    credentials: parsed.username === ''
      ? undefined
      : { accessKeyId: decodeURIComponent(parsed.username), secretAccessKey: decodeURIComponent(parsed.password) },
  };
}

/** The URL without its secret, for messages and logs. */
export function redactS3(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** A server that is down or failing is `unavailable` (retry later); a refusal keeps its cause for the log. */
function failure(error: unknown, what: string, location: string): unknown {
  const status = httpStatus(error);
  if (status !== undefined && status < 500) return error;
  return new PodError('unavailable', `blob storage ${location} failed to ${what}: ${(error as Error).message}`);
}

/**
 * Blobs as objects `<prefix><hash>` in one bucket. Writes are plain puts (no If-None-Match):
 * every writer of a key writes the same content, so the last one winning is harmless, and
 * not every S3-compatible server honours conditional puts.
 */
export async function openS3Blobs(url: string): Promise<BlobDriver> {
  const where = parseS3Url(url);
  const location = `s3://${where.bucket}/${where.prefix}${where.endpoint ? ` at ${where.endpoint}` : ''}`;
  const client = new S3Client({
    region: where.region,
    forcePathStyle: where.forcePathStyle,
    ...(where.endpoint === undefined ? {} : { endpoint: where.endpoint }),
    ...(where.credentials === undefined ? {} : { credentials: where.credentials }),
    // Blobs carry their own SHA-256, checked on every read; the SDK's extra CRC headers are
    // refused by some S3-compatible servers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000, throwOnRequestTimeout: true },
  });
  const Bucket = where.bucket;
  const keyOf = (hash: string) => where.prefix + hash;
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw failure(error, what, location);
    }
  };
  const absentOr = async <T>(what: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw failure(error, what, location);
    }
  };

  // A wrong bucket or credentials show at start, not at the first upload.
  try {
    await client.send(new HeadBucketCommand({ Bucket }));
  } catch (error) {
    client.destroy();
    const status = httpStatus(error);
    if (status === 404) throw new PodError('invalid', `blob storage bucket "${Bucket}" does not exist at ${where.endpoint ?? 'AWS'}; create it first`);
    if (status === 401 || status === 403) throw new PodError('invalid', `blob storage ${location} refuses these credentials (HTTP ${status}); check the URL's ACCESS_KEY:SECRET or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    throw failure(error, 'answer', location);
  }

  return {
    kind: 's3',
    location,

    read: (hash) => absentOr(`read ${hash}`, async () => {
      const answer = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(hash) }));
      return answer.Body === undefined ? new Uint8Array(0) : await answer.Body.transformToByteArray();
    }),

    write: (hash, value) => call(`write ${hash}`, async () => {
      await client.send(new PutObjectCommand({ Bucket, Key: keyOf(hash), Body: value, ContentLength: value.length, ContentType: 'application/octet-stream' }));
    }),

    size: (hash) => absentOr(`look up ${hash}`, async () => {
      return (await client.send(new HeadObjectCommand({ Bucket, Key: keyOf(hash) }))).ContentLength ?? 0;
    }),

    remove: (hash) => call(`delete ${hash}`, async () => {
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(hash) }));
    }),

    async *keys() {
      let ContinuationToken: string | undefined;
      do {
        const page = await call('list blobs', () => client.send(new ListObjectsV2Command({ Bucket, Prefix: where.prefix, ContinuationToken })));
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) yield object.Key.slice(where.prefix.length);
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken !== undefined);
    },

    async close() {
      client.destroy();
    },
  };
}
