import type { AppOps } from '../../runtime/app.ts';
import type { PresenceTables } from '../../store/schema.ts';
import { effectivePresence, findAudience, settle, type Audience } from './announce.ts';
import { chooseStatus, connectDevice, disconnectDevice, readPresence, refreshDevices, touchStatus, unknownDevices } from './presence.repo.ts';

/**
 * Presence of users: chosen by them, shown to their accepted buddies while a device is live.
 * Gateways report devices (connect, disconnect, periodic refresh); each write decides what
 * others now see and pushes it after the commit. The sweep (sweep.ts) expires devices.
 */
export const presenceOps: AppOps<PresenceTables> = {
  'presence.set': {
    prepare: (_input, request, ctx) => findAudience(ctx, request.caller!.userId),
    async write(scope, input, request, ctx) {
      const caller = request.caller!;
      await touchStatus(scope.tx, [caller.userId]);
      await chooseStatus(scope.tx, caller.userId, { status: input.status, text: input.text });
      const shown = await settle(scope, ctx, caller.userId, request.prepared as Audience | undefined);
      return { name: caller.name, ...shown };
    },
  },
  'presence.list': {
    async read(_input, request, ctx) {
      const caller = request.caller!;
      // Buddies are mutual, so the users who may see me are the users I may see.
      const { watchers } = await ctx.call('directory.watchers', { userId: caller.userId });
      const states = await readPresence(ctx.db, [caller.userId, ...watchers.map((w) => w.id)], Date.now());
      const buddies = [...watchers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        presence: [{ id: caller.userId, name: caller.name }, ...buddies].map(({ id, name }) => ({ name, ...effectivePresence(states.get(id)) })),
      };
    },
  },
  'presence.statuses': {
    async read(input, _request, ctx) {
      const states = await readPresence(ctx.db, input.ids, Date.now());
      return { statuses: input.ids.map((id) => ({ id, status: effectivePresence(states.get(id)).status })) };
    },
  },
  'presence.connect': {
    prepare: (input, _request, ctx) => findAudience(ctx, input.userId),
    async write(scope, input, request, ctx) {
      await touchStatus(scope.tx, [input.userId]);
      await connectDevice(scope.tx, input, input.gateway, Date.parse(scope.now) + ctx.settings.presenceLeaseMs);
      await settle(scope, ctx, input.userId, request.prepared as Audience | undefined);
      return {};
    },
  },
  'presence.disconnect': {
    prepare: (input, _request, ctx) => findAudience(ctx, input.userId),
    async write(scope, input, request, ctx) {
      await touchStatus(scope.tx, [input.userId]);
      // Not deleted: the device counts as online through the grace, so a quick reconnect does not flap.
      await disconnectDevice(scope.tx, input, input.gateway, Date.parse(scope.now) + ctx.settings.presenceGraceMs);
      await settle(scope, ctx, input.userId, request.prepared as Audience | undefined);
      return {};
    },
  },
  'presence.refresh': {
    async write(scope, input, _request, ctx) {
      // A device presence does not know of is back online; its user is left unannounced for the sweep.
      const unknown = await unknownDevices(scope.tx, input.gateway, input.devices);
      await touchStatus(scope.tx, unknown.map((d) => d.userId));
      await refreshDevices(scope.tx, input.gateway, input.devices, Date.parse(scope.now) + ctx.settings.presenceLeaseMs);
      return {};
    },
  },
};
