import { PodError, type ImMessage, type OpInput } from '@pod/protocol';
import type { AppOps, RequestInfo, WriteScope } from '../../runtime/app.ts';
import type { ImTables } from '../../store/schema.ts';
import { conversations, historyPage, insertMessages, markReceipts } from './im.repo.ts';
import { newMessageId } from './message-id.ts';
import { permissions, type Permission } from './permissions.ts';

const DEFAULT_PAGE = 50;

type SendRequest = { input: OpInput<'im.send'>; request: RequestInfo & { prepared: Permission } };

/** Stores messages set-wise and puts each in its sender's and its recipient's mailbox. */
async function sendMessages(scope: WriteScope<ImTables>, requests: readonly SendRequest[]): Promise<ImMessage[]> {
  const messages = await insertMessages(
    scope.tx,
    requests.map(({ input, request }) => {
      const caller = request.caller!;
      return { id: newMessageId(), senderId: caller.userId, senderName: caller.name, recipientId: request.prepared.toId, recipientName: request.prepared.toName, text: input.text, at: scope.now };
    }),
  );
  for (const [index, message] of messages.entries()) {
    const { request } = requests[index]!;
    await scope.emit([request.prepared.toId, request.caller!.userId], 'im.message', message);
  }
  return messages;
}

export const imOps: AppOps<ImTables> = {
  'im.send': {
    async prepare(input, request, ctx) {
      const caller = request.caller!;
      if (input.to === caller.name) throw new PodError('invalid', 'you cannot send a message to yourself');
      return permissions(ctx).check(caller.userId, input.to);
    },
    async write(scope, input, request) {
      return (await sendMessages(scope, [{ input, request }]))[0]!;
    },
    writeMany: sendMessages,
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
