import { PodError, skin, type Skin } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import { topics } from '../../runtime/topics.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { findUserById, setMessagesFrom, setSkin } from './accounts.repo.ts';

/** A stored skin was valid when saved; one a later schema no longer accepts falls back to the default. */
function storedSkin(text: string | null): Skin | null {
  if (text === null) return null;
  const parsed = skin.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

type MessagesFrom = 'buddies' | 'anyone';

export const settingsOps: AppOps<DirectoryTables> = {
  'settings.get': {
    async read(_input, request, ctx) {
      const user = await findUserById(ctx.db, request.caller!.userId);
      if (!user) throw new PodError('unauthorized', 'your account no longer exists');
      return { messagesFrom: user.messages_from as MessagesFrom, skin: storedSkin(user.skin) };
    },
  },
  'settings.update': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      if (input.messagesFrom !== undefined) {
        await setMessagesFrom(scope.tx, userId, input.messagesFrom);
        scope.announce(topics.relationsChanged, { userIds: [] });
      }
      if (input.skin !== undefined) await setSkin(scope.tx, userId, input.skin === null ? null : JSON.stringify(input.skin));
      const user = await findUserById(scope.tx, userId);
      if (!user) throw new PodError('unauthorized', 'your account no longer exists');
      return { messagesFrom: user.messages_from as MessagesFrom, skin: storedSkin(user.skin) };
    },
  },
};
