import { defineApp } from '../../runtime/app.ts';
import type { DirectoryTables } from '../../store/schema.ts';
import { authOps } from './auth.ops.ts';
import { buddiesOps } from './buddies.ops.ts';
import { messagingOps } from './messaging.ops.ts';
import { profileOps } from './profile.ops.ts';
import { settingsOps } from './settings.ops.ts';
import { sharingOps } from './sharing.ops.ts';

/** Accounts, sessions, profiles, search, buddy lists with groups, blocking. */
export const directoryApp = defineApp<DirectoryTables>({
  name: 'directory',
  ops: { ...authOps, ...profileOps, ...buddiesOps, ...messagingOps, ...settingsOps, ...sharingOps },
});
