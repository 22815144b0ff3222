import { z } from 'zod';

/** Account names are the stable public identity of a person: lower case, never renamed. */
export const userName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'a name is 1-32 characters of a-z, 0-9, "_", "." or "-", starting with a letter or digit');

/**
 * The one order of names and group names in every list, on the server and in clients: by
 * UTF-16 code unit, the same in every locale and database collation.
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const password = z
  .string()
  .min(8, 'a password has at least 8 characters')
  .max(1024, 'a password has at most 1024 characters');

export const displayName = z.string().trim().max(64, 'a display name has at most 64 characters');
export const statusText = z.string().trim().max(200, 'a status text has at most 200 characters');
export const groupName = z.string().trim().min(1, 'a group name is not empty').max(64, 'a group name has at most 64 characters');
export const requestId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'a request id is 1-64 characters of A-Z, a-z, 0-9, "_" or "-"');
export const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const isoTime = z.string().datetime({ offset: true });
export const pageLimit = z.number().int().min(1).max(200);

export const presenceStatus = z.enum(['online', 'away', 'busy', 'offline']);
export type PresenceStatus = z.infer<typeof presenceStatus>;

export const userSummary = z.strictObject({
  name: userName,
  displayName: z.string(),
});
export type UserSummary = z.infer<typeof userSummary>;
