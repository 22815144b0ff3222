import { z } from 'zod';
import { pageLimit, userName } from '../common.ts';
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
});
export type ImMessage = z.infer<typeof imMessage>;

const utf8 = new TextEncoder();
const messageText = z
  .string()
  .min(1, 'a message is not empty')
  .superRefine((text, ctx) => {
    if (utf8.encode(text).length > MAX_MESSAGE_BYTES) {
      ctx.addIssue({ code: 'too_big', origin: 'string', maximum: MAX_MESSAGE_BYTES, inclusive: true, message: `a message has at most ${MAX_MESSAGE_BYTES} bytes of UTF-8` });
    }
  });

export const imOps = {
  'im.send': { app: 'im', access: 'user', input: z.strictObject({ to: userName, text: messageText }), output: imMessage },
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
