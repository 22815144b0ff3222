import { z } from 'zod';
import { presenceStatus, statusText, userName } from '../common.ts';
import type { OpDef } from './define.ts';

export const presenceEntry = z.strictObject({ name: userName, status: presenceStatus, text: z.string() });
export type PresenceEntry = z.infer<typeof presenceEntry>;

const deviceRef = z.strictObject({ userId: z.number().int(), session: z.string().max(64) });

export const presenceOps = {
  /** Choose what buddies see while any of my devices is connected; `offline` hides me. */
  'presence.set': { app: 'presence', access: 'user', input: z.strictObject({ status: presenceStatus, text: statusText.optional() }), output: presenceEntry },
  /** My buddies' presence (and my own). Never anyone else's. */
  'presence.list': { app: 'presence', access: 'user', readonly: true, input: z.strictObject({}), output: z.strictObject({ presence: z.array(presenceEntry) }) },
  'presence.connect': { app: 'presence', access: 'internal', input: deviceRef.extend({ gateway: z.string().max(100) }), output: z.strictObject({}) },
  'presence.disconnect': { app: 'presence', access: 'internal', input: deviceRef, output: z.strictObject({}) },
  /** A gateway's periodic word that these devices are still connected to it. */
  'presence.refresh': {
    app: 'presence',
    access: 'internal',
    input: z.strictObject({ gateway: z.string().max(100), devices: z.array(deviceRef).max(100_000) }),
    output: z.strictObject({}),
  },
} as const satisfies Record<string, OpDef>;
