import { PodError, type FileLink, type OpOutput, type Share } from '@pod/protocol';
import { InvalidArgumentError, type Command } from 'commander';
import { signedIn, type Api } from '../api.ts';
import { formatTime, jsonOption, outputFor, table } from '../output.ts';
import { readPassword } from '../stdin.ts';
import { allPages, remotePath } from '../remote.ts';
import { formatBytes, parseDuration } from '../units.ts';
import { displayName } from './files-format.ts';

interface ShareFlags {
  with?: string[];
  group?: string;
  write?: boolean;
  link?: boolean;
  passwordStdin?: boolean;
  expires?: number;
}

interface UnshareFlags {
  with?: string[];
  group?: string;
  room?: string;
  all?: boolean;
  link?: number;
}

/** `pod share`, `pod unshare`, `pod shared`: grants to people and groups, and links. */
export function registerShare(program: Command): void {
  jsonOption(
    program
      .command('share')
      .description('share a file or folder of yours with people or a buddy group, or make a link to it; without options, show who it is shared with')
      .argument('<remote>', 'your file or folder, such as /docs')
      .option('--with <names>', 'user names, separated by commas', parseNames)
      .option('--group <group>', 'every buddy in this group of yours (as the group is at each access)')
      .option('--write', 'let them change it too (upload, rename, delete); read-only by default')
      .option('--link', 'make a link anyone holding it can read, without an account')
      .option('--password-stdin', 'with --link: a password the reader must give, read from stdin')
      .option('--expires <span>', 'with --link: it stops working after this long (30m, 12h, 7d, 2w)', parseDuration)
      .addHelpText('after', '\nA share of a folder covers everything in it. Sharing again with someone changes their access.\nEnd a share with pod unshare; pod share REMOTE alone lists its shares and links.'),
  ).action(async (remote: string, flags: ShareFlags, command: Command) => {
    const api = signedIn();
    const out = outputFor(command);
    const target = remotePath(remote);
    const grant = flags.with !== undefined || flags.group !== undefined;
    if (flags.link && grant) throw new PodError('invalid', 'share with people (--with, --group) or make a link (--link), one at a time');
    if (!flags.link && (flags.passwordStdin || flags.expires !== undefined)) throw new PodError('invalid', '--password-stdin and --expires are for a link: add --link');
    if (!flags.link && !grant && flags.write) throw new PodError('invalid', '--write needs someone to share with: --with NAME[,NAME] or --group GROUP');
    if (flags.link) {
      const password = flags.passwordStdin ? await readPassword('Link password: ') : undefined;
      const answer = await api.call('files.link.create', { target, ...(password === undefined ? {} : { password }), ...(flags.expires === undefined ? {} : { expiresIn: flags.expires }) });
      // The server answers the link's path on itself; a person needs the whole URL to pass on.
      const made = { ...answer, url: /^https?:\/\//.test(answer.url) ? answer.url : `${api.session.server}${answer.url}` };
      return out.result(made, (m) => [
        m.url,
        `anyone with this link can read ${m.link.item.path}${m.link.hasPassword ? ' (with the password)' : ''}${m.link.expiresAt ? ` until ${formatTime(m.link.expiresAt)}` : ''}`,
        `end it with: pod unshare ${m.link.item.path} --link ${m.link.id}`,
      ]);
    }
    if (!grant) return out.result(await api.call('files.shares', { target }), (s) => showShares(target, s));
    const shared = await api.call('files.share', {
      target,
      ...(flags.with === undefined ? {} : { with: flags.with }),
      ...(flags.group === undefined ? {} : { group: flags.group }),
      access: flags.write ? 'write' : 'read',
    });
    out.result(shared, (s) => `shared ${s.shares[0]?.item.path ?? target} with ${s.shares.map((x) => `${who(x)} (${x.access})`).join(', ')}`);
  });

  jsonOption(
    program
      .command('unshare')
      .description('end shares of a file or folder of yours: with people, a group, everyone it is shared with, or one link')
      .argument('<remote>', 'your file or folder')
      .option('--with <names>', 'user names, separated by commas', parseNames)
      .option('--group <group>', 'a buddy group of yours')
      .option('--room <room>', 'a room you attached it in: its members no longer read it')
      .option('--all', 'everyone it is shared with (links and publishing stay)')
      .option('--link <id>', 'the link with this id (pod share REMOTE lists them)', parseLinkId),
  ).action(async (remote: string, flags: UnshareFlags, command: Command) => {
    const api = signedIn();
    const out = outputFor(command);
    const target = remotePath(remote);
    if (flags.link !== undefined) {
      if (flags.with !== undefined || flags.group !== undefined || flags.room !== undefined || flags.all) throw new PodError('invalid', 'end a link (--link ID) or shares (--with, --group, --room, --all), one at a time');
      await ownLink(api, target, flags.link);
      const revoked = await api.call('files.link.revoke', { id: flags.link });
      return out.result(revoked, () => `link ${flags.link} to ${target} no longer works`);
    }
    if (flags.with === undefined && flags.group === undefined && flags.room === undefined && !flags.all) throw new PodError('invalid', 'name whose share to end: --with NAME[,NAME], --group GROUP, --room ROOM, --all, or --link ID');
    const ended = await api.call('files.unshare', {
      target,
      ...(flags.with === undefined ? {} : { with: flags.with }),
      ...(flags.group === undefined ? {} : { group: flags.group }),
      ...(flags.room === undefined ? {} : { room: flags.room.replace(/^#/, '') }),
      ...(flags.all ? { all: true as const } : {}),
    });
    out.result(ended, (e) => (e.removed === 0 ? `${target} was not shared that way` : `ended ${e.removed} ${e.removed === 1 ? 'share' : 'shares'} of ${target}`));
  });

  jsonOption(program.command('shared').description('list what others shared with you, newest first')).action(async (_flags: object, command: Command) => {
    const api = signedIn();
    const items = await allPages((cursor) => api.call('files.shared', { limit: 200, ...(cursor ? { cursor } : {}) }));
    outputFor(command).result({ items }, (s) => {
      if (s.items.length === 0) return 'nothing is shared with you yet';
      return table(
        s.items.map((i) => [
          i.entry.kind === 'folder' ? '-' : formatBytes(i.entry.size),
          formatTime(i.sharedAt),
          i.access,
          i.via === 'group' ? `via ${i.group ?? 'a group'}` : i.via === 'room' ? `via #${i.room ?? 'a room'}` : 'direct',
          displayName(i.entry, i.path),
        ]),
      );
    });
  });
}

/** A link id given with a path must be a link to that item: unshare never ends a link the person did not mean. */
async function ownLink(api: Api, target: string, id: number): Promise<void> {
  const { links } = await api.call('files.shares', { target });
  if (!links.some((l) => l.id === id)) throw new PodError('not_found', `${target} has no link ${id}; pod share ${target} lists its links`);
}

function who(share: Share): string {
  if (share.grantee.kind === 'group') return `group ${share.grantee.name}`;
  return share.grantee.kind === 'room' ? `room #${share.grantee.name}` : share.grantee.name;
}

export function showShares(target: string, s: OpOutput<'files.shares'>): string[] {
  const lines: string[] = [];
  if (s.shares.length === 0 && s.links.length === 0 && !s.published) return [`${target} is not shared`];
  if (s.shares.length > 0) lines.push(...table(s.shares.map((x) => [who(x), x.access, `since ${formatTime(x.createdAt)}`])));
  for (const link of s.links) lines.push(showLink(link));
  if (s.published) lines.push('published: every user of this pod can read it');
  return lines;
}

function showLink(link: FileLink): string {
  const expiry = link.expiresAt === null ? 'no expiry' : new Date(link.expiresAt) <= new Date() ? `expired ${formatTime(link.expiresAt)}` : `until ${formatTime(link.expiresAt)}`;
  return `link ${link.id}: ${link.hasPassword ? 'with a password' : 'no password'}, ${expiry}, made ${formatTime(link.createdAt)}`;
}

function parseNames(value: string): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected user names separated by commas, such as bob,carol.');
  return names;
}

function parseLinkId(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a link id (a whole number; pod share REMOTE lists them).');
  return n;
}
