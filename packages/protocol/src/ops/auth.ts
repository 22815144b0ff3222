import { z } from 'zod';
import { password, userName, userSummary } from '../common.ts';
import type { OpDef } from './define.ts';

const deviceName = z.string().trim().min(1).max(100);

export const sessionInfo = z.strictObject({
  id: z.string(),
  device: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  current: z.boolean(),
});

const loginAnswer = z.strictObject({
  token: z.string(),
  session: z.string(),
  user: userSummary.extend({ admin: z.boolean() }),
});

export const authOps = {
  'auth.login': {
    app: 'directory',
    access: 'public',
    input: z.strictObject({ name: userName, password: z.string().min(1).max(1024), device: deviceName.optional() }),
    output: loginAnswer,
  },
  'auth.register': {
    app: 'directory',
    access: 'public',
    input: z.strictObject({ name: userName, password, device: deviceName.optional() }),
    output: loginAnswer,
  },
  'auth.logout': { app: 'directory', access: 'user', input: z.strictObject({}), output: z.strictObject({}) },
  'auth.sessions': {
    app: 'directory',
    access: 'user',
    readonly: true,
    input: z.strictObject({}),
    output: z.strictObject({ sessions: z.array(sessionInfo) }),
  },
  'auth.revoke': { app: 'directory', access: 'user', input: z.strictObject({ session: z.string().min(1).max(64) }), output: z.strictObject({}) },
  'auth.password': {
    app: 'directory',
    access: 'user',
    input: z.strictObject({ current: z.string().min(1).max(1024), next: password }),
    output: z.strictObject({ revokedSessions: z.number().int() }),
  },
  'auth.whoami': {
    app: 'directory',
    access: 'user',
    readonly: true,
    input: z.strictObject({}),
    output: z.strictObject({ user: userSummary.extend({ admin: z.boolean() }), session: z.string() }),
  },
  /** The gateway turns a bearer token into the caller; never callable by clients. */
  'auth.resolve': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ token: z.string().max(200) }),
    output: z.strictObject({ userId: z.number().int(), name: userName, admin: z.boolean(), session: z.string() }),
  },
  'user.list': {
    app: 'directory',
    access: 'admin',
    readonly: true,
    input: z.strictObject({}),
    output: z.strictObject({
      users: z.array(z.strictObject({ name: userName, displayName: z.string(), admin: z.boolean(), disabled: z.boolean(), createdAt: z.string() })),
    }),
  },
  'user.disable': { app: 'directory', access: 'admin', input: z.strictObject({ name: userName }), output: z.strictObject({}) },
  'user.enable': { app: 'directory', access: 'admin', input: z.strictObject({ name: userName }), output: z.strictObject({}) },
  'user.resetPassword': { app: 'directory', access: 'admin', input: z.strictObject({ name: userName, password }), output: z.strictObject({}) },
} as const satisfies Record<string, OpDef>;
