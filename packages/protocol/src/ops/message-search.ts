import { z } from 'zod';
import { isoTime, pageLimit, userName } from '../common.ts';
import { roomMessage, roomName } from '../rooms/schemas.ts';
import type { OpDef } from './define.ts';
import { imMessage } from './im.ts';

/** What both searches take: words that must all appear (no stemming), and filters. */
const searchInput = {
  query: z.string().trim().min(1, 'a search has at least one word').max(200, 'a search has at most 200 characters'),
  from: userName.optional(),
  /** Only messages sent before / at or after this time. */
  before: isoTime.optional(),
  after: isoTime.optional(),
  limit: pageLimit.optional(),
  /** Where the previous page said the next one starts. */
  offset: z.number().int().min(0).max(10_000).optional(),
};

const hit = <T extends z.ZodType>(message: T) => z.strictObject({ message, score: z.number() });

/**
 * Message search, best match first (ties: newest first), one page at a time: `next` is the
 * offset of the following page, null after the last. Only messages the caller can read now
 * are ever found: a room they left or were removed from finds nothing.
 */
export const messageSearchOps = {
  'rooms.search': {
    app: 'rooms',
    access: 'user',
    readonly: true,
    input: z.strictObject({ ...searchInput, in: roomName.optional() }),
    output: z.strictObject({ results: z.array(hit(roomMessage)), next: z.number().int().nullable() }),
  },
  /** `in`: the other person of one conversation. */
  'im.search': {
    app: 'im',
    access: 'user',
    readonly: true,
    input: z.strictObject({ ...searchInput, in: userName.optional() }),
    output: z.strictObject({ results: z.array(hit(imMessage)), next: z.number().int().nullable() }),
  },
} as const satisfies Record<string, OpDef>;
