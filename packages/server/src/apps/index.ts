import type { AnyAppServer } from '../runtime/app.ts';
import { announcementsApp } from './announcements/index.ts';
import { directoryApp } from './directory/index.ts';
import { filesApp } from './files/index.ts';
import { imApp } from './im/index.ts';
import { appNames } from './names.ts';
import { presenceApp } from './presence/index.ts';
import { roomsApp } from './rooms/index.ts';

/** Every application server, in one explicit registry. */
export const apps: readonly AnyAppServer[] = [directoryApp, presenceApp, imApp, filesApp, announcementsApp, roomsApp];

if (apps.map((app) => app.name).join() !== appNames.join()) throw new Error('apps/names.ts must list every application server of apps/index.ts');
