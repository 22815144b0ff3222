import { PodError, type Profile } from '@pod/protocol';
import { InvalidArgumentError, type Command } from 'commander';
import { signedIn } from '../api.ts';
import { searchMessages, type SearchFlags } from './search-messages.ts';
import { jsonOption, outputFor, table } from '../output.ts';

/** `pod profile` and `pod search`: the directory of people. */
export function registerProfile(program: Command): void {
  jsonOption(
    program
      .command('profile')
      .description('show your profile (or NAME\'s), or change yours with the options')
      .argument('[name]', 'whose profile to show; yours by default')
      .option('--display-name <text>', 'your name as people see it (at most 64 characters; "" clears it)')
      .option('--about <text>', 'a few words about you (at most 4000 characters)'),
  ).action(async (name: string | undefined, flags: { displayName?: string; about?: string }, command: Command) => {
    const api = signedIn();
    const changes = { ...(flags.displayName !== undefined && { displayName: flags.displayName }), ...(flags.about !== undefined && { about: flags.about }) };
    const changing = Object.keys(changes).length > 0;
    if (changing && name !== undefined && name !== api.session.user) throw new PodError('forbidden', 'you can change only your own profile; drop the name');
    const profile = changing ? await api.call('profile.update', changes) : await api.call('profile.get', name === undefined ? {} : { name });
    outputFor(command).result(profile, showProfile);
  });

  jsonOption(
    program
      .command('search')
      .description('find people by name, display name or profile text; with --messages, messages you can read')
      .argument('<query>', 'words to look for (case-insensitive)')
      .option('--limit <n>', 'at most this many results (1-200)', parseCount)
      .option('--messages', 'search the text of messages in your rooms and 1:1 conversations, best match first')
      .option('--in <where>', 'with --messages: only in #ROOM, or in the room or 1:1 conversation named so')
      .option('--from <user>', 'with --messages: only messages USER sent')
      .option('--after <date>', 'with --messages: only messages sent on or after this day (YYYY-MM-DD, local time) or time (ISO 8601)', parseWhen)
      .option('--before <date>', 'with --messages: only messages sent before this day or time', parseWhen),
  ).action(async (query: string, flags: SearchFlags & { messages?: boolean }, command: Command) => {
    if (flags.messages) return searchMessages(query, flags, command);
    const answer = await signedIn().call('directory.search', flags.limit === undefined ? { query } : { query, limit: flags.limit });
    outputFor(command).result(answer, ({ users, next }) => {
      if (users.length === 0) return `nobody matches "${query}"`;
      const lines = table(users.map((u) => [u.name, u.displayName || '-', firstLine(u.statusText || u.about)]));
      if (next !== undefined) lines.push(`(more results: narrow the query or raise --limit)`);
      return lines;
    });
  });
}

export function showProfile(profile: Profile): string[] {
  return table([
    ['name', profile.name],
    ['display name', profile.displayName || '-'],
    ['status', profile.statusText || '-'],
    ['about', profile.about || '-'],
  ]);
}

/** A positive whole number option such as --limit. */
/** A day (local midnight) or an ISO time, as the ISO time the server takes. */
function parseWhen(value: string): string {
  const day = /^(\d{4})-(\d\d)-(\d\d)$/.exec(value);
  const when = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : new Date(value);
  if (Number.isNaN(when.getTime())) throw new InvalidArgumentError('expected a day (YYYY-MM-DD) or an ISO 8601 time.');
  return when.toISOString();
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
