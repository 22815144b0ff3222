import { PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { ImTables } from '../../store/schema.ts';
import { deleteForBoth, editText, messageOf, setReaction } from './conversation.repo.ts';
import { present } from './im.repo.ts';
import { permissions } from './permissions.ts';
import { messageSubject, retractDeleted } from './retraction.ts';

/** Replies, edits, deletes, reactions and typing in 1:1 conversations, as in rooms. */
export const conversationOps: AppOps<ImTables> = {
  'im.edit': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const row = await messageOf(scope.tx, input.id, caller.userId);
      if (Number(row.sender_id) !== caller.userId) throw new PodError('forbidden', 'only its author may edit a message');
      if (row.deleted_at) throw new PodError('conflict', 'the message was deleted');
      const edited = await editText(scope.tx, row.id, input.text, scope.now);
      await scope.emit([Number(row.sender_id), Number(row.recipient_id)], 'im.edited', { id: row.id, from: row.sender_name, to: row.recipient_name, text: input.text, editedAt: scope.now }, { subject: messageSubject(row.id) });
      return (await present(scope.tx, [edited]))[0]!;
    },
  },
  'im.delete': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const row = await messageOf(scope.tx, input.id, caller.userId);
      if (Number(row.sender_id) !== caller.userId) throw new PodError('forbidden', 'only its author may delete a message');
      if (row.deleted_at) return {};
      await retractDeleted(scope, await deleteForBoth(scope.tx, row.id, scope.now));
      await scope.emit([Number(row.sender_id), Number(row.recipient_id)], 'im.deleted', { id: row.id, from: row.sender_name, to: row.recipient_name, at: scope.now });
      return {};
    },
  },
  'im.react': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const row = await messageOf(scope.tx, input.id, caller.userId);
      if (row.deleted_at) throw new PodError('conflict', 'the message was deleted');
      const added = !input.remove;
      if (await setReaction(scope.tx, { messageId: row.id, userId: caller.userId, userName: caller.name, emoji: input.emoji, at: scope.now }, added)) {
        await scope.emit([Number(row.sender_id), Number(row.recipient_id)], 'im.reaction', { id: row.id, from: row.sender_name, to: row.recipient_name, emoji: input.emoji, user: caller.name, added });
      }
      return (await present(scope.tx, [row]))[0]!;
    },
  },
  'im.typing': {
    async read(input, request, ctx) {
      const caller = request.caller!;
      if (input.to === caller.name) throw new PodError('invalid', 'you cannot type to yourself');
      // Only to someone I may message: typing reaches no stranger who accepts only buddies.
      const { toId } = await permissions(ctx).check(caller.userId, input.to);
      ctx.push([toId], 'im.typing', { from: caller.name });
      return {};
    },
  },
};
