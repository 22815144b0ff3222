import { roomRole, type RoomRole } from '@pod/protocol';
import { InvalidArgumentError, type Command } from 'commander';
import { signedIn } from '../api.ts';
import { jsonOption, outputFor, table } from '../output.ts';
import { parseCount } from './profile.ts';
import { remotePath } from '../remote.ts';
import { showAttachments, showDirectory, showMessageLine, showMyRooms } from './rooms-format.ts';
import { sendable } from './sendable.ts';

const collect = (value: string, earlier: string[]) => [...earlier, value];

function parseRole(value: string): RoomRole {
  const role = roomRole.safeParse(value);
  if (!role.success) throw new InvalidArgumentError(`a role is ${roomRole.options.join(', ')}.`);
  return role.data;
}

function parseRetention(value: string): number | null {
  if (value === 'keep') return null;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) throw new InvalidArgumentError('expected a whole number of days of at least 1, or keep.');
  return days;
}

/** `pod rooms` and `pod room ...`: chat rooms. A room may be named with or without its `#`. */
export function registerRooms(program: Command): void {
  jsonOption(
    program
      .command('rooms')
      .description('list the rooms you are in, with unread counts and invitations; --public lists the room directory')
      .option('--public', 'the public rooms anyone may join, biggest first')
      .option('--query <text>', 'with --public: rooms whose name or topic contains this'),
  ).action(async (flags: { public?: boolean; query?: string }, command: Command) => {
    const api = signedIn();
    if (flags.public) {
      const { rooms } = await api.call('rooms.directory', flags.query === undefined ? {} : { query: flags.query });
      outputFor(command).result({ rooms }, (view) => showDirectory(view.rooms));
      return;
    }
    outputFor(command).result(await api.call('rooms.list', {}), showMyRooms);
  });

  const room = program.command('room').description('create, join and moderate chat rooms; send and read their messages');

  jsonOption(
    room
      .command('create')
      .description('create a room; you are its owner')
      .argument('<name>')
      .option('--private', 'by invitation only, and not listed in the directory')
      .option('--topic <text>', 'what the room is about')
      .option('--history <which>', '"all": joiners see the whole past (default); "joined": only what is said after they join'),
  ).action(async (name: string, flags: { private?: boolean; topic?: string; history?: string }, command: Command) => {
    const created = await signedIn().call('rooms.create', {
      name,
      kind: flags.private ? 'private' : 'public',
      ...(flags.topic !== undefined ? { topic: flags.topic } : {}),
      ...(flags.history !== undefined ? { history: flags.history as 'all' | 'joined' } : {}),
    });
    outputFor(command).result(created, (r) => `created ${r.kind} room #${r.name}`);
  });

  const simple = [
    ['join', 'rooms.join', 'join a public room (or one you are invited to)', (n: string) => `joined #${n}`],
    ['accept', 'rooms.accept', 'accept your invitation to a room', (n: string) => `joined #${n}`],
    ['decline', 'rooms.decline', 'decline your invitation to a room', (n: string) => `declined the invitation to #${n}`],
    ['leave', 'rooms.leave', 'leave a room (its last owner must hand it over first)', (n: string) => `left #${n}`],
  ] as const;
  for (const [verb, op, description, done] of simple) {
    jsonOption(room.command(verb).description(description).argument('<name>')).action(async (name: string, _flags: object, command: Command) => {
      const answer = await signedIn().call(op, { room: name });
      outputFor(command).result({ room: name.replace(/^#/, ''), done: verb, ...answer }, () => done(name.replace(/^#/, '')));
    });
  }

  jsonOption(room.command('invite').description('invite USER to a room').argument('<name>').argument('<user>')).action(async (name: string, user: string, _flags: object, command: Command) => {
    await signedIn().call('rooms.invite', { room: name, user });
    outputFor(command).result({ room: name.replace(/^#/, ''), invited: user }, () => `invited ${user} to #${name.replace(/^#/, '')}`);
  });

  const moderation = [
    ['kick', 'rooms.kick', 'remove USER from a room (they may come back: rejoin a public room, or be invited again)', 'kicked', true],
    ['ban', 'rooms.ban', 'remove USER from a room and keep them out until unban', 'banned', true],
    ['unban', 'rooms.unban', 'lift USER\'s ban', 'unbanned', false],
    ['mute', 'rooms.mute', 'let USER read but not speak in a room', 'muted', false],
    ['unmute', 'rooms.unmute', 'let USER speak again', 'unmuted', false],
  ] as const;
  for (const [verb, op, description, done, withReason] of moderation) {
    const command = room.command(verb).description(description).argument('<name>').argument('<user>');
    if (withReason) command.option('--reason <text>', 'why, shown to them and the moderators');
    jsonOption(command).action(async (name: string, user: string, flags: { reason?: string }, cmd: Command) => {
      const body = { room: name, user, ...(withReason && flags.reason !== undefined ? { reason: flags.reason } : {}) };
      await signedIn().call(op, body as never);
      outputFor(cmd).result({ room: name.replace(/^#/, ''), user, done }, () => `${done} ${user} in #${name.replace(/^#/, '')}`);
    });
  }

  jsonOption(
    room.command('role').description(`give USER a role in a room: ${roomRole.options.join(', ')}`).argument('<name>').argument('<user>').argument('<role>', 'owner, admin, moderator or member', parseRole),
  ).action(async (name: string, user: string, role: RoomRole, _flags: object, command: Command) => {
    const member = await signedIn().call('rooms.role', { room: name, user, role });
    outputFor(command).result(member, (m) => `${m.name} is now ${m.role} of #${name.replace(/^#/, '')}`);
  });

  jsonOption(room.command('topic').description('change a room\'s topic').argument('<name>').argument('<text...>')).action(async (name: string, words: string[], _flags: object, command: Command) => {
    const updated = await signedIn().call('rooms.update', { room: name, topic: words.join(' ') });
    outputFor(command).result(updated, (r) => `#${r.name}: ${r.topic}`);
  });

  jsonOption(room.command('members').description('who is in a room, with their role and presence').argument('<name>')).action(async (name: string, _flags: object, command: Command) => {
    const answer = await signedIn().call('rooms.members', { room: name });
    outputFor(command).result(answer, (a) => [
      ...table(a.members.map((m) => [m.name, m.role, m.presence, m.muted ? 'muted' : ''])),
      ...(a.banned ?? []).map((b) => `banned: ${b.name} by ${b.by}${b.reason ? ` (${b.reason})` : ''}`),
    ]);
  });

  jsonOption(
    room
      .command('send')
      .description('say something in a room; @name notifies a member, @room (moderators) everyone')
      .argument('<name>')
      .argument('<text...>', 'the message (several words are joined with spaces)')
      .option('--reply <id>', 'answer this message, quoting it')
      .option('--attach <path>', 'attach a file (repeatable): one on this computer is uploaded into --into first, else one of yours in the pod; the room\'s members may read it', collect, [])
      .option('--into <remote-dir>', 'where files from this computer go in your pod', '/Sent'),
  ).action(async (name: string, words: string[], flags: { reply?: string; attach: string[]; into: string }, command: Command) => {
    const api = signedIn();
    const attachments: Array<string | number> = [];
    for (const path of flags.attach) attachments.push(await sendable(api, path, remotePath(flags.into)));
    const sent = await api.call('rooms.send', {
      room: name,
      text: words.join(' '),
      ...(flags.reply !== undefined ? { replyTo: flags.reply } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
    });
    outputFor(command).result(sent, (m) => [`sent to #${m.room} (${m.id})`, ...showAttachments(m)]);
  });

  jsonOption(
    room
      .command('history')
      .description('show a room\'s messages, oldest first, each with its id')
      .argument('<name>')
      .option('--limit <n>', 'the last N messages (1-200, default: the server\'s page size)', parseCount),
  ).action(async (name: string, flags: { limit?: number }, command: Command) => {
    const page = await signedIn().call('rooms.history', flags.limit === undefined ? { room: name } : { room: name, limit: flags.limit });
    outputFor(command).result(page, (p) => {
      if (p.messages.length === 0) return `nothing said in #${name.replace(/^#/, '')} yet`;
      const lines = p.messages.map(showMessageLine);
      if (p.more) lines.unshift('(older messages exist; raise --limit to see more)');
      return lines;
    });
  });

  jsonOption(
    room.command('retention').description('how long a room keeps its messages (owners): N days, or "keep" for ever').argument('<name>').argument('<days>', 'a whole number of days, or keep', parseRetention),
  ).action(async (name: string, days: number | null, _flags: object, command: Command) => {
    const updated = await signedIn().call('rooms.update', { room: name, retentionDays: days });
    outputFor(command).result(updated, (r) => (r.retentionDays === null ? `#${r.name} keeps every message` : `#${r.name} keeps messages for ${r.retentionDays} days`));
  });

  jsonOption(room.command('export').description('print a room\'s whole kept history as JSON (owners)').argument('<name>')).action(async (name: string, _flags: object, command: Command) => {
    const dump = await signedIn().call('rooms.export', { room: name });
    // An export is for machines either way; people get it indented.
    outputFor(command).result(dump, (d) => JSON.stringify(d, null, 2));
  });

  jsonOption(room.command('read').description('mark everything in a room read, on all your devices').argument('<name>')).action(async (name: string, _flags: object, command: Command) => {
    const marker = await signedIn().call('rooms.read', { room: name, order: Number.MAX_SAFE_INTEGER });
    outputFor(command).result(marker, (m) => `#${name.replace(/^#/, '')}: ${m.unread} unread`);
  });
}
