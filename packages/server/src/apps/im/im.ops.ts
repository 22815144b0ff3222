import { PodError, type FileAttachment, type ImMessage } from '@pod/protocol';
import type { AppContext, AppOps, RequestInfo, WriteScope } from '../../runtime/app.ts';
import type { ImTables } from '../../store/schema.ts';
import { conversationKey, conversations, findMessages, historyPage, insertMessages, markReceipts, toQuote } from './im.repo.ts';
import { newMessageId } from '../message-id.ts';
import { permissions, type Permission } from './permissions.ts';
import { messageSubject } from './retraction.ts';

const DEFAULT_PAGE = 50;

/** Who the message goes to, and the files it carries (already granted to them by the files app). */
type Prepared = Permission & { attachments?: FileAttachment[] };
type SendRequest = { input: { text: string; replyTo?: string | undefined }; request: RequestInfo & { prepared: Prepared } };

/** Stores messages set-wise and puts each in its sender's and its recipient's mailbox. */
async function sendMessages(scope: WriteScope<ImTables>, requests: readonly SendRequest[]): Promise<ImMessage[]> {
  const answered = await findMessages(scope.tx, requests.flatMap(({ input }) => (input.replyTo ? [input.replyTo] : [])));
  const messages = await insertMessages(
    scope.tx,
    requests.map(({ input, request }) => {
      const caller = request.caller!;
      const reply = input.replyTo ? answered.get(input.replyTo) : undefined;
      // Only a message of this very conversation can be answered.
      if (input.replyTo && reply?.conv !== conversationKey(caller.name, request.prepared.toName)) {
        throw new PodError('not_found', `no message ${input.replyTo} in your conversation with ${request.prepared.toName}`);
      }
      return {
        id: newMessageId(),
        senderId: caller.userId,
        senderName: caller.name,
        recipientId: request.prepared.toId,
        recipientName: request.prepared.toName,
        text: input.text,
        at: scope.now,
        ...(request.prepared.attachments ? { attachments: request.prepared.attachments } : {}),
        ...(reply ? { replyTo: toQuote(reply) } : {}),
      };
    }),
  );
  for (const [index, message] of messages.entries()) {
    const { request } = requests[index]!;
    await scope.emit([request.prepared.toId, request.caller!.userId], 'im.message', message, { subject: messageSubject(message.id) });
  }
  return messages;
}

async function mayMessage(ctx: AppContext<ImTables>, request: RequestInfo, to: string): Promise<Permission> {
  const caller = request.caller!;
  if (to === caller.name) throw new PodError('invalid', 'you cannot send a message to yourself');
  return permissions(ctx).check(caller.userId, to);
}

/**
 * Grants the recipient read access to the files (the files app checks they are the sender's)
 * before the message is stored: so a message never points at a file its recipient cannot
 * read. The grant is idempotent, and a retried request finds its message in the request log,
 * so a retry neither grants nor posts twice.
 */
async function attach(ctx: AppContext<ImTables>, request: RequestInfo, to: Permission, files: Array<string | number>): Promise<FileAttachment[]> {
  const caller = request.caller!;
  const { attachments } = await ctx.call('files.attach', { fromId: caller.userId, fromName: caller.name, to: { kind: 'user', id: to.toId, name: to.toName }, files });
  return attachments;
}

export const imOps: AppOps<ImTables> = {
  'im.send': {
    async prepare(input, request, ctx) {
      const permission = await mayMessage(ctx, request, input.to);
      return input.attachments ? { ...permission, attachments: await attach(ctx, request, permission, input.attachments) } : permission;
    },
    async write(scope, input, request) {
      return (await sendMessages(scope, [{ input, request }]))[0]!;
    },
    writeMany: sendMessages,
  },
  'files.send': {
    async prepare(input, request, ctx) {
      const permission = await mayMessage(ctx, request, input.to);
      const attachments = await attach(ctx, request, permission, [input.target]);
      return { ...permission, attachments, text: input.text ?? attachments[0]!.name };
    },
    async write(scope, _input, request: RequestInfo & { prepared: Prepared & { text: string } }) {
      return (await sendMessages(scope, [{ input: { text: request.prepared.text }, request }]))[0]!;
    },
  },
  'im.history': {
    async read(input, request, ctx) {
      return historyPage(ctx.db, request.caller!.name, input.with, input.before, input.limit ?? DEFAULT_PAGE);
    },
  },
  'im.receipt': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const changed = await markReceipts(scope.tx, caller.userId, input.ids, input.kind, scope.now);
      const bySender = new Map<number, string[]>();
      for (const row of changed) bySender.set(row.senderId, [...(bySender.get(row.senderId) ?? []), row.id]);
      for (const [senderId, ids] of bySender) {
        await scope.emit([senderId, caller.userId], 'im.receipt', { ids, kind: input.kind, by: caller.name, at: scope.now });
      }
      return { updated: changed.length };
    },
  },
  'im.conversations': {
    async read(_input, request, ctx) {
      return { conversations: await conversations(ctx.db, request.caller!.userId, request.caller!.name) };
    },
  },
};
