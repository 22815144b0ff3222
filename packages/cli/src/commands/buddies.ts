import type { BuddyEntry, PresenceEntry } from '@pod/protocol';
import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { jsonOption, outputFor, person, table } from '../output.ts';

/** A buddy-list row with the buddy's presence (null until the buddy request is accepted). */
export type BuddyWithPresence = BuddyEntry & { presence: { status: PresenceEntry['status']; text: string } | null };

export interface BuddiesView {
  buddies: BuddyWithPresence[];
  groups: string[];
  blocked: string[];
}

/** `pod buddies` and its subcommands: the buddy list, requests, blocking. */
export function registerBuddies(program: Command): void {
  const buddies = jsonOption(
    program
      .command('buddies')
      .description('show your buddy list with presence; manage it with the subcommands')
      .addHelpText('after', '\nWithout a subcommand: the list, grouped, with each buddy\'s presence and your pending requests.'),
  ).action(async (_flags: object, command: Command) => {
    const api = signedIn();
    const [list, presence] = await Promise.all([api.call('buddies.list', {}), api.call('presence.list', {})]);
    const byName = new Map(presence.presence.map((p) => [p.name, p]));
    const view: BuddiesView = {
      buddies: list.buddies.map((entry) => {
        const seen = entry.state === 'buddy' ? byName.get(entry.name) : undefined;
        return { ...entry, presence: entry.state === 'buddy' ? { status: seen?.status ?? 'offline', text: seen?.text ?? '' } : null };
      }),
      groups: list.groups,
      blocked: list.blocked,
    };
    outputFor(command).result(view, showBuddies);
  });

  jsonOption(
    buddies
      .command('add')
      .description('ask NAME to be your buddy; presence is shared once they accept')
      .argument('<name>')
      .option('--group <group>', 'the group to put them in'),
  ).action(async (name: string, flags: { group?: string }, command: Command) => {
    const entry = await signedIn().call('buddies.add', flags.group === undefined ? { name } : { name, group: flags.group });
    outputFor(command).result(entry, (e) =>
      e.state === 'buddy' ? `${e.name} is now your buddy (group ${e.group})` : `asked ${e.name} to be your buddy (group ${e.group}); waiting for them to accept`,
    );
  });

  jsonOption(
    buddies
      .command('accept')
      .description('accept NAME\'s buddy request')
      .argument('<name>')
      .option('--group <group>', 'the group to put them in'),
  ).action(async (name: string, flags: { group?: string }, command: Command) => {
    const entry = await signedIn().call('buddies.accept', flags.group === undefined ? { name } : { name, group: flags.group });
    outputFor(command).result(entry, (e) => `${e.name} is now your buddy (group ${e.group})`);
  });

  const simple = [
    ['decline', 'buddies.decline', 'decline NAME\'s buddy request', (n: string) => `declined ${n}'s buddy request`],
    ['remove', 'buddies.remove', 'remove NAME from your buddies (or withdraw your request)', (n: string) => `removed ${n} from your buddies`],
    ['block', 'buddies.block', 'block NAME: their requests and messages never reach you', (n: string) => `blocked ${n}`],
    ['unblock', 'buddies.unblock', 'unblock NAME', (n: string) => `unblocked ${n}`],
  ] as const;
  for (const [verb, op, description, done] of simple) {
    jsonOption(buddies.command(verb).description(description).argument('<name>')).action(async (name: string, _flags: object, command: Command) => {
      await signedIn().call(op, { name });
      outputFor(command).result({ name, done: verb }, () => done(name));
    });
  }
}

export function showBuddies(view: BuddiesView): string[] {
  const lines: string[] = [];
  const accepted = view.buddies.filter((b) => b.state !== 'incoming');
  const groups = [...new Set([...view.groups, ...accepted.map((b) => b.group)])];
  for (const group of groups) {
    const members = accepted.filter((b) => b.group === group);
    if (members.length === 0) continue;
    lines.push(group);
    lines.push(
      ...table(
        members.map((b) =>
          b.presence ? ['  ' + person(b.name, b.displayName), b.presence.status, b.presence.text] : ['  ' + person(b.name, b.displayName), 'asked', 'waiting for them to accept'],
        ),
      ),
    );
  }
  const incoming = view.buddies.filter((b) => b.state === 'incoming');
  if (incoming.length > 0) {
    lines.push('Requests to you');
    for (const b of incoming) lines.push(`  ${person(b.name, b.displayName)}: pod buddies accept ${b.name}, or decline`);
  }
  if (view.blocked.length > 0) lines.push(`Blocked: ${view.blocked.join(', ')}`);
  return lines.length > 0 ? lines : ['no buddies yet; ask someone with pod buddies add NAME'];
}
