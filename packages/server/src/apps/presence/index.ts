import { defineApp } from '../../runtime/app.ts';
import type { PresenceTables } from '../../store/schema.ts';
import { presenceOps } from './presence.ops.ts';
import { PresenceSweeper } from './sweep.ts';

/** online/away/busy/offline with a text, per device with heartbeat expiry, pushed to buddies. */
export const presenceApp = defineApp<PresenceTables>({
  name: 'presence',
  ops: presenceOps,
  start: (ctx) => new PresenceSweeper(ctx).start(),
});
