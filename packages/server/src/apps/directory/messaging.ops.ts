import { PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { findUserById } from './accounts.repo.ts';
import { acceptedBuddies, messagingRelation } from './relations.repo.ts';

/** Answers other application servers' questions about who may reach whom. */
export const messagingOps: AppOps<DirectoryTables> = {
  'directory.canMessage': {
    async read(input, _request, ctx) {
      const relation = await messagingRelation(ctx.db, input.fromId, input.to);
      if (!relation?.senderName) throw new PodError(relation ? 'unauthorized' : 'not_found', relation ? 'your account no longer exists' : `no user named ${input.to}`);
      if (relation.disabled) throw new PodError('not_found', `no user named ${input.to}`);
      if (relation.senderBlocks) throw new PodError('forbidden', `you blocked ${relation.name}; unblock them to send messages`);
      // A blocked sender is told the same as any stranger, so a block is never revealed.
      if (relation.recipientBlocks || (relation.messagesFrom !== 'anyone' && !relation.buddies)) {
        throw new PodError('forbidden', `${relation.name} accepts messages only from buddies; send a buddy request first`);
      }
      return { toId: relation.id, toName: relation.name, fromName: relation.senderName };
    },
  },
  'directory.watchers': {
    async read(input, _request, ctx) {
      const user = await findUserById(ctx.db, input.userId);
      if (!user) throw new PodError('not_found', `no user ${input.userId}`);
      return { name: user.name, watchers: await acceptedBuddies(ctx.db, input.userId) };
    },
  },
};
