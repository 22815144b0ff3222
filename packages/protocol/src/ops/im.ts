import { z } from 'zod';
import { pageLimit, userName } from '../common.ts';
import { attachmentRefs, fileAttachment } from '../files/sharing.ts';
import { emoji, reaction, replyQuote } from '../rooms/schemas.ts';
import type { OpDef } from './define.ts';

export const MAX_MESSAGE_BYTES = 64 * 1024;

export const imMessage = z.strictObject({
  id: z.string(),
  from: userName,
  to: userName,
  text: z.string(),
  at: z.string(),
  /** Server-assigned order within the conversation; history pages by it. */
  order: z.number().int(),
  deliveredAt: z.string().nullable(),
  readAt: z.string().nullable(),
  /** Files attached, readable by both ends (the recipient was granted read access); absent when none. */
  attachments: z.array(fileAttachment).optional(),
  /** The message this one answers, quoted as it is now; absent when none. */
  replyTo: replyQuote.optional(),
  /** When its author last changed it; absent if never. */
  editedAt: z.string().optional(),
  /** When its author deleted it for both ends (its text is then empty); absent if not. */
  deletedAt: z.string().optional(),
  /** Reactions by either end, per emoji; absent when none. */
  reactions: z.array(reaction).optional(),
});
export type ImMessage = z.infer<typeof imMessage>;

const utf8 = new TextEncoder();
export const messageText = z
  .string()
  .min(1, 'a message is not empty')
  .superRefine((text, ctx) => {
    if (utf8.encode(text).length > MAX_MESSAGE_BYTES) {
      ctx.addIssue({ code: 'too_big', origin: 'string', maximum: MAX_MESSAGE_BYTES, inclusive: true, message: `a message has at most ${MAX_MESSAGE_BYTES} bytes of UTF-8` });
    }
  });

export const imOps = {
    /**
   * Sends `text` to `to`, with `attachments`: files of mine (ids or paths), which `to` may then
   * read (files.attach). A retry with the same request id grants and posts nothing twice.
   */
  'im.send': {
    app: 'im',
    access: 'user',
    input: z.strictObject({
      to: userName,
      text: messageText,
      attachments: attachmentRefs.optional(),
      /** A message of this conversation that this one answers. */
      replyTo: z.string().min(1).max(64).optional(),
    }),
    output: imMessage,
  },
  /** The author changes their message; both ends see the latest text, marked edited. */
  'im.edit': { app: 'im', access: 'user', input: z.strictObject({ id: z.string().min(1).max(64), text: messageText }), output: imMessage },
  /** The author deletes their message for both ends. */
  'im.delete': { app: 'im', access: 'user', input: z.strictObject({ id: z.string().min(1).max(64) }), output: z.strictObject({}) },
  /** Either end adds a reaction (or with `remove`, takes it back); doing it twice changes nothing. */
  'im.react': { app: 'im', access: 'user', input: z.strictObject({ id: z.string().min(1).max(64), emoji, remove: z.boolean().default(false) }), output: imMessage },
  /** Tells `to`'s connected devices I am typing to them: never stored, never replayed. */
  'im.typing': { app: 'im', access: 'user', readonly: true, input: z.strictObject({ to: userName }), output: z.strictObject({}) },
  'im.history': {
    app: 'im',
    access: 'user',
    readonly: true,
    input: z.strictObject({ with: userName, before: z.number().int().optional(), limit: pageLimit.optional() }),
    output: z.strictObject({ messages: z.array(imMessage), more: z.boolean() }),
  },
  /** The recipient says it has the messages (delivered) or showed them (read). */
  'im.receipt': {
    app: 'im',
    access: 'user',
    input: z.strictObject({ ids: z.array(z.string().max(64)).min(1).max(500), kind: z.enum(['delivered', 'read']) }),
    output: z.strictObject({ updated: z.number().int() }),
  },
  'im.conversations': {
    app: 'im',
    access: 'user',
    readonly: true,
    input: z.strictObject({}),
    output: z.strictObject({ conversations: z.array(z.strictObject({ with: userName, last: imMessage, unread: z.number().int() })) }),
  },
} as const satisfies Record<string, OpDef>;
