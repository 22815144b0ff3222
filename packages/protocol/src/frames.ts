import { z } from 'zod';
import { errorCodes } from './errors.ts';
import { eventBodies, type EventType } from './events.ts';
import { requestId, seq } from './common.ts';

/** The largest frame either side accepts; a 64 KiB message fits with room for JSON escaping. */
export const MAX_FRAME_BYTES = 256 * 1024;

export const clientFrame = z.discriminatedUnion('t', [
  /** First frame on a socket: the session token (unless sent as a header) and where this device stopped. */
  z.strictObject({ t: z.literal('hello'), token: z.string().max(200).optional(), after: seq.optional() }),
  z.strictObject({ t: z.literal('req'), id: requestId, op: z.string().max(64), body: z.unknown().optional() }),
  z.strictObject({ t: z.literal('ack'), seq }),
  z.strictObject({ t: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof clientFrame>;

export const errorBody = z.strictObject({
  code: z.enum(errorCodes as [string, ...string[]]),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const eventFrames = (Object.keys(eventBodies) as EventType[]).map((type) =>
  z.strictObject({ t: z.literal('ev'), seq: seq.optional(), type: z.literal(type), body: eventBodies[type] }),
);

export const eventFrame = z.union(eventFrames as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);

export const serverFrame = z.union([
  /** `from` is where replay starts: the device's `after`, or its stored cursor, never beyond `head`. */
  z.strictObject({ t: z.literal('welcome'), user: z.string(), session: z.string(), head: seq, from: seq, heartbeatMs: z.number().int() }),
  z.strictObject({ t: z.literal('res'), id: z.string(), ok: z.literal(true), body: z.unknown() }),
  z.strictObject({ t: z.literal('res'), id: z.string().nullable(), ok: z.literal(false), error: errorBody }),
  /** Everything up to `head` at connect time has been replayed; live events follow. */
  z.strictObject({ t: z.literal('synced'), seq }),
  z.strictObject({ t: z.literal('pong') }),
  ...eventFrames,
]);
export type ServerFrame = z.infer<typeof serverFrame>;
