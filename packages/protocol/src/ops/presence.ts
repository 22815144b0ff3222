import { z } from 'zod';
import { presenceStatus, statusText, userName } from '../common.ts';
import type { OpDef } from './define.ts';

export const presenceEntry = z.strictObject({ name: userName, status: presenceStatus, text: z.string() });
export type PresenceEntry = z.infer<typeof presenceEntry>;

const deviceRef = z.strictObject({ userId: z.number().int(), session: z.string().max(64) });
const gateway = z.string().max(100);

export const presenceOps = {
  /**
   * Choose what buddies see while any of my devices is connected; `offline` hides me. The text
   * replaces the previous one (omitted: none). Answers what buddies now see of me.
   */
  'presence.set': { app: 'presence', access: 'user', input: z.strictObject({ status: presenceStatus, text: statusText.default('') }), output: presenceEntry },
  /** My buddies' presence (and my own). Never anyone else's. */
  'presence.list': { app: 'presence', access: 'user', readonly: true, input: z.strictObject({}), output: z.strictObject({ presence: z.array(presenceEntry) }) },
  /** What others see of these users now (offline for unknown ids), for apps that show people (room members). */
  'presence.statuses': {
    app: 'presence',
    access: 'internal',
    readonly: true,
    input: z.strictObject({ ids: z.array(z.number().int()).max(100_000) }),
    output: z.strictObject({ statuses: z.array(z.strictObject({ id: z.number().int(), status: presenceStatus })) }),
  },
  /** A gateway holds a device's first socket. */
  'presence.connect': { app: 'presence', access: 'internal', input: deviceRef.extend({ gateway }), output: z.strictObject({}) },
  /**
   * A device's last socket on `gateway` closed. A gateway that no longer holds the device
   * (it reconnected elsewhere first) changes nothing.
   */
  'presence.disconnect': { app: 'presence', access: 'internal', input: deviceRef.extend({ gateway }), output: z.strictObject({}) },
  /** A gateway's periodic word that these devices are still connected to it. */
  'presence.refresh': {
    app: 'presence',
    access: 'internal',
    input: z.strictObject({ gateway, devices: z.array(deviceRef).max(100_000) }),
    output: z.strictObject({}),
  },
} as const satisfies Record<string, OpDef>;
