import { PodError } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import {
  clearFailures,
  findLiveSession,
  findUserByName,
  insertSession,
  insertUser,
  listSessions,
  listUsers,
  revokeSessions,
  setDisabled,
  setPasswordHash,
  touchSession,
  type UserRow,
} from './accounts.repo.ts';
import { updateUserInLists } from './buddy-changes.ts';
import { accountKey, checkLoginAllowed, failureHorizon, noteLoginFailure } from './login-limits.ts';
import { decoyHash, hashPassword, newSessionId, newToken, tokenHash, verifyPassword } from './passwords.ts';

const SESSION_TOUCH_MS = 5 * 60_000;
const wrongCredentials = () => new PodError('unauthorized', 'wrong name or password');

function loginAnswer(user: Pick<UserRow, 'name' | 'display_name' | 'admin'>, token: string, session: string) {
  return { token, session, user: { name: user.name, displayName: user.display_name, admin: user.admin === 1 } };
}

async function requireUser(db: Parameters<typeof findUserByName>[0], name: string): Promise<UserRow> {
  const user = await findUserByName(db, name);
  if (!user) throw new PodError('not_found', `no user named ${name}`);
  return user;
}

export const authOps: AppOps<DirectoryTables> = {
  'auth.login': {
    async prepare(input, request, ctx) {
      const now = Date.now();
      await checkLoginAllowed(ctx.db, input.name, request.address, now);
      const user = await findUserByName(ctx.db, input.name);
      const ok = await verifyPassword(user?.password_hash ?? (await decoyHash()), input.password);
      if (!user || !ok || user.disabled === 1) {
        await noteLoginFailure(ctx.db, input.name, request.address, now);
        throw user?.disabled === 1 && ok ? new PodError('forbidden', 'this account is disabled; ask an administrator') : wrongCredentials();
      }
      return { user, token: newToken() };
    },
    async write(scope, input, request) {
      const { user, token } = request.prepared;
      const session = newSessionId();
      await insertSession(scope.tx, { id: session, userId: user.id, tokenHash: tokenHash(token), device: input.device ?? 'unnamed device', now: scope.now });
      await clearFailures(scope.tx, accountKey(user.name), failureHorizon(Date.now()));
      return loginAnswer(user, token, session);
    },
  },
  'auth.register': {
    async prepare(input, _request, ctx) {
      if (!ctx.settings.openRegistration) throw new PodError('forbidden', 'registration is closed on this server; ask an administrator to create your account');
      return { passwordHash: await hashPassword(input.password), token: newToken() };
    },
    async write(scope, input, request) {
      if (await findUserByName(scope.tx, input.name)) throw new PodError('conflict', `the name ${input.name} is taken`);
      const userId = await insertUser(scope.tx, { name: input.name, passwordHash: request.prepared.passwordHash, admin: false, now: scope.now });
      const session = newSessionId();
      await insertSession(scope.tx, { id: session, userId, tokenHash: tokenHash(request.prepared.token), device: input.device ?? 'unnamed device', now: scope.now });
      return loginAnswer({ name: input.name, display_name: input.name, admin: 0 }, request.prepared.token, session);
    },
  },
  'auth.resolve': {
    async read(input, _request, ctx) {
      const found = await findLiveSession(ctx.db, tokenHash(input.token));
      if (!found) throw new PodError('unauthorized', 'the session token is unknown, expired or revoked; sign in again');
      const now = Date.now();
      if (now - Date.parse(found.last_seen_at) > SESSION_TOUCH_MS) await touchSession(ctx.db, found.session, new Date(now).toISOString());
      return { userId: found.userId, name: found.name, admin: found.admin === 1, session: found.session };
    },
  },
  'auth.whoami': {
    async read(_input, request, ctx) {
      const user = await requireUser(ctx.db, request.caller!.name);
      return { user: { name: user.name, displayName: user.display_name, admin: user.admin === 1 }, session: request.caller!.session };
    },
  },
  'auth.logout': {
    async write(scope, _input, request, ctx) {
      const caller = request.caller!;
      await revokeSessions(scope.tx, caller.userId, scope.now, { only: caller.session });
      scope.afterCommit(() => ctx.revokeSessions(caller.userId, [caller.session]));
      return {};
    },
  },
  'auth.sessions': {
    async read(_input, request, ctx) {
      const rows = await listSessions(ctx.db, request.caller!.userId);
      return {
        sessions: rows.map((row) => ({ id: row.id, device: row.device, createdAt: row.created_at, lastSeenAt: row.last_seen_at, current: row.id === request.caller!.session })),
      };
    },
  },
  'auth.revoke': {
    async write(scope, input, request, ctx) {
      const caller = request.caller!;
      const revoked = await revokeSessions(scope.tx, caller.userId, scope.now, { only: input.session });
      if (revoked.length === 0) throw new PodError('not_found', `no live session ${input.session} of yours`);
      scope.afterCommit(() => ctx.revokeSessions(caller.userId, revoked));
      return {};
    },
  },
  'auth.password': {
    async prepare(input, request, ctx) {
      const user = await requireUser(ctx.db, request.caller!.name);
      if (!(await verifyPassword(user.password_hash, input.current))) throw new PodError('forbidden', 'the current password is wrong');
      return { passwordHash: await hashPassword(input.next) };
    },
    async write(scope, _input, request, ctx) {
      const caller = request.caller!;
      await setPasswordHash(scope.tx, caller.userId, request.prepared.passwordHash);
      const revoked = await revokeSessions(scope.tx, caller.userId, scope.now, { except: caller.session });
      scope.afterCommit(() => ctx.revokeSessions(caller.userId, revoked));
      return { revokedSessions: revoked.length };
    },
  },
  'user.list': {
    async read(_input, _request, ctx) {
      const users = await listUsers(ctx.db);
      return { users: users.map((u) => ({ name: u.name, displayName: u.display_name, admin: u.admin === 1, disabled: u.disabled === 1, createdAt: u.created_at })) };
    },
  },
  'user.disable': {
    async write(scope, input, request, ctx) {
      const user = await requireUser(scope.tx, input.name);
      if (user.id === request.caller!.userId) throw new PodError('conflict', 'you cannot disable your own account');
      // A disabled account leaves others' buddy lists until it is enabled again.
      if (user.disabled === 0) await updateUserInLists(scope, user.id, () => setDisabled(scope.tx, user.id, true), 'relations changed');
      await revokeSessions(scope.tx, user.id, scope.now);
      scope.afterCommit(() => ctx.revokeSessions(user.id, 'all'));
      return {};
    },
  },
  'user.enable': {
    async write(scope, input) {
      const user = await requireUser(scope.tx, input.name);
      if (user.disabled === 1) await updateUserInLists(scope, user.id, () => setDisabled(scope.tx, user.id, false), 'relations changed');
      return {};
    },
  },
  'user.resetPassword': {
    async prepare(input) {
      return { passwordHash: await hashPassword(input.password) };
    },
    async write(scope, input, request, ctx) {
      const user = await requireUser(scope.tx, input.name);
      await setPasswordHash(scope.tx, user.id, request.prepared.passwordHash);
      await revokeSessions(scope.tx, user.id, scope.now);
      scope.afterCommit(() => ctx.revokeSessions(user.id, 'all'));
      return {};
    },
  },
};
