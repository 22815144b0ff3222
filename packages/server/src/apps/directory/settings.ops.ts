import { PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import { topics } from '../../runtime/topics.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { findUserById, setMessagesFrom } from './accounts.repo.ts';

type MessagesFrom = 'buddies' | 'anyone';

export const settingsOps: AppOps<DirectoryTables> = {
  'settings.get': {
    async read(_input, request, ctx) {
      const user = await findUserById(ctx.db, request.caller!.userId);
      if (!user) throw new PodError('unauthorized', 'your account no longer exists');
      return { messagesFrom: user.messages_from as MessagesFrom };
    },
  },
  'settings.update': {
    async write(scope, input, request) {
      await setMessagesFrom(scope.tx, request.caller!.userId, input.messagesFrom);
      scope.announce(topics.relationsChanged, { userIds: [] });
      return { messagesFrom: input.messagesFrom };
    },
  },
};
