import { PodError, presenceStatus, type PresenceEntry } from '@pod/protocol';
import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { jsonOption, outputFor } from '../output.ts';

/** `pod presence`: show or choose what your buddies see. */
export function registerPresence(program: Command): void {
  jsonOption(
    program
      .command('presence')
      .description('show your presence, or set it: online, away, busy or offline (offline hides you)')
      .argument('[status]', 'online, away, busy or offline')
      .option('--text <text>', 'a status text your buddies see beside it (at most 200 characters)'),
  ).action(async (status: string | undefined, flags: { text?: string }, command: Command) => {
    const api = signedIn();
    const out = outputFor(command);
    if (status === undefined) {
      if (flags.text !== undefined) throw new PodError('invalid', 'give a status with --text, for example: pod presence away --text "at lunch"');
      const { presence } = await api.call('presence.list', {});
      const mine = presence.find((p) => p.name === api.session.user) ?? { name: api.session.user, status: 'offline', text: '' };
      out.result(mine, showPresence);
      return;
    }
    const parsed = presenceStatus.safeParse(status);
    if (!parsed.success) throw new PodError('invalid', `a status is online, away, busy or offline, not "${status}"`);
    const entry = await api.call('presence.set', flags.text === undefined ? { status: parsed.data } : { status: parsed.data, text: flags.text });
    out.result(entry, (e) =>
      // The answer is what buddies see now: offline while none of my devices is connected.
      e.status === parsed.data ? showPresence(e) : `${showPresence(e)} (buddies will see ${parsed.data} while one of your devices is connected, such as pod listen)`,
    );
  });
}

export function showPresence(entry: PresenceEntry): string {
  return `${entry.name} is ${entry.status}${entry.text ? `: ${entry.text}` : ''}`;
}
