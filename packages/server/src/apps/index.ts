import type { AnyAppServer } from '../runtime/app.ts';
import { directoryApp } from './directory/index.ts';
import { imApp } from './im/index.ts';
import { presenceApp } from './presence/index.ts';

/** Every application server, in one explicit registry. */
export const apps: readonly AnyAppServer[] = [directoryApp, presenceApp, imApp];
