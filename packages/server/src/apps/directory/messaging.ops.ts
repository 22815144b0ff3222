import { PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { findUserById, findUserByName } from './accounts.repo.ts';
import { acceptedBuddies, isBlocked, isBuddy } from './relations.repo.ts';

/** Answers other application servers' questions about who may reach whom. */
export const messagingOps: AppOps<DirectoryTables> = {
  'directory.canMessage': {
    async read(input, _request, ctx) {
      const [sender, recipient] = await Promise.all([findUserById(ctx.db, input.fromId), findUserByName(ctx.db, input.to)]);
      if (!sender) throw new PodError('unauthorized', 'your account no longer exists');
      if (!recipient || recipient.disabled === 1) throw new PodError('not_found', `no user named ${input.to}`);
      if (await isBlocked(ctx.db, sender.id, recipient.id)) throw new PodError('forbidden', `you blocked ${recipient.name}; unblock them to send messages`);
      // A blocked sender is told the same as any stranger, so a block is never revealed.
      const refused = new PodError('forbidden', `${recipient.name} accepts messages only from buddies; send a buddy request first`);
      if (await isBlocked(ctx.db, recipient.id, sender.id)) throw refused;
      if (recipient.messages_from !== 'anyone' && !(await isBuddy(ctx.db, recipient.id, sender.id))) throw refused;
      return { toId: recipient.id, toName: recipient.name, fromName: sender.name };
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
