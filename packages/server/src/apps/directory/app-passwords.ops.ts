import { PodError } from '@pod/protocol';
import { randomBytes } from 'node:crypto';
import type { AppOps } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { countAppPasswords, deleteAppPassword, findByAppPassword, insertAppPassword, listAppPasswords, touchAppPassword } from './app-passwords.repo.ts';
import { tokenHash } from './passwords.ts';

const MAX_APP_PASSWORDS = 100;
/** last_used_at is written at most this often: a sync client must not turn every request into a write. */
const TOUCH_MS = 60_000;
const refused = () => new PodError('unauthorized', 'wrong name or app password; create an app password with `pod app-password create LABEL` (your account password does not work here)');

/**
 * App passwords are 256 random bits, so the SHA-256 digest stored for each cannot be reversed
 * or guessed offline, exactly like session tokens: a slow password hash (argon2, tens of
 * milliseconds and 19 MiB) buys nothing against such a secret, and a WebDAV client sends it
 * with every request, where a slow hash would cap a pod at a few dozen requests a second.
 */
export const appPasswordOps: AppOps<DirectoryTables> = {
  'auth.appPasswords.create': {
    async write(scope, input, request) {
      const userId = request.caller!.userId;
      if ((await countAppPasswords(scope.tx, userId)) >= MAX_APP_PASSWORDS) throw new PodError('conflict', `you have ${MAX_APP_PASSWORDS} app passwords; revoke some first`);
      // Hex, not base64url: an id typed after `pod app-password revoke` must not start with '-'.
      const id = randomBytes(6).toString('hex');
      const password = `pod-${randomBytes(32).toString('base64url')}`;
      await insertAppPassword(scope.tx, { id, userId, secretHash: tokenHash(password), label: input.label, now: scope.now });
      return { id, label: input.label, createdAt: scope.now, lastUsedAt: null, password };
    },
  },
  'auth.appPasswords.list': {
    async read(_input, request, ctx) {
      const rows = await listAppPasswords(ctx.db, request.caller!.userId);
      return { appPasswords: rows.map((row) => ({ id: row.id, label: row.label, createdAt: row.created_at, lastUsedAt: row.last_used_at })) };
    },
  },
  'auth.appPasswords.revoke': {
    async write(scope, input, request) {
      if (!(await deleteAppPassword(scope.tx, request.caller!.userId, input.id))) throw new PodError('not_found', `you have no app password ${input.id}; \`pod app-password list\` shows them`);
      return {};
    },
  },
  'auth.appPasswords.resolve': {
    async read(input, _request, ctx) {
      const found = await findByAppPassword(ctx.db, input.name.toLowerCase(), tokenHash(input.password));
      if (!found) throw refused();
      const now = Date.now();
      if (found.last_used_at === null || now - Date.parse(found.last_used_at) > TOUCH_MS) await touchAppPassword(ctx.db, found.id, new Date(now).toISOString());
      return { userId: found.userId, name: found.name, admin: found.admin === 1, session: `app:${found.id}` };
    },
  },
};
