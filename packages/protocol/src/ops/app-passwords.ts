import { z } from 'zod';
import { userName } from '../common.ts';
import type { OpDef } from './define.ts';

export const appPasswordLabel = z.string().trim().min(1, 'a label is not empty').max(100, 'a label has at most 100 characters');

export const appPasswordInfo = z.strictObject({
  id: z.string(),
  label: z.string(),
  createdAt: z.string(),
  /** When it last let a client in (to the minute), or null if never. */
  lastUsedAt: z.string().nullable(),
});

/**
 * Per-device passwords for clients that cannot sign in interactively (WebDAV mounts, sync
 * tools): each is random, shown once, used with the account name over HTTP Basic, and revoked
 * on its own. The account's own password never works there.
 */
export const appPasswordOps = {
  /** Makes one; the answer is the only time `password` is shown. */
  'auth.appPasswords.create': {
    app: 'directory',
    access: 'user',
    input: z.strictObject({ label: appPasswordLabel }),
    output: appPasswordInfo.extend({ password: z.string() }),
  },
  'auth.appPasswords.list': {
    app: 'directory',
    access: 'user',
    readonly: true,
    input: z.strictObject({}),
    output: z.strictObject({ appPasswords: z.array(appPasswordInfo) }),
  },
  'auth.appPasswords.revoke': { app: 'directory', access: 'user', input: z.strictObject({ id: z.string().min(1).max(64) }), output: z.strictObject({}) },
  /** The gateway turns an account name and an app password into the caller; never callable by clients. */
  'auth.appPasswords.resolve': {
    app: 'directory',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ name: z.string().max(64), password: z.string().max(200) }),
    output: z.strictObject({ userId: z.number().int(), name: userName, admin: z.boolean(), session: z.string() }),
  },
} as const satisfies Record<string, OpDef>;
