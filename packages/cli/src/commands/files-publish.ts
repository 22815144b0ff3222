import { PodError, type OpOutput } from '@pod/protocol';
import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, jsonOption, outputFor, person } from '../output.ts';
import { allPages, remotePath } from '../remote.ts';
import { formatBytes } from '../units.ts';
import { displayName, entryRows } from './files-format.ts';
import { sendable } from './sendable.ts';

/** `pod send-file`, `pod publish`, `pod unpublish`, `pod universe`. */
export function registerPublish(program: Command): void {
  jsonOption(
    program
      .command('send-file')
      .description('send a file to NAME: they may read it, and get an instant message carrying it')
      .argument('<name>', 'the recipient')
      .argument('<path>', 'a file on this computer (uploaded first, into --into) or one of yours in the pod')
      .option('--text <text>', 'the message (default: the file\'s name)')
      .option('--into <remote-dir>', 'where a file from this computer goes in your pod', '/Sent')
      .addHelpText('after', '\nPATH is looked for on this computer first; if there is no such file here, it names a file in the pod.'),
  ).action(async (name: string, path: string, flags: { text?: string; into: string }, command: Command) => {
    const api = signedIn();
    const target = await sendable(api, path, remotePath(flags.into));
    const message = await api.call('files.send', { to: name, target, ...(flags.text === undefined ? {} : { text: flags.text }) });
    outputFor(command).result(message, (m) => {
      const file = m.attachments?.[0];
      return `sent ${file ? `${file.name} (${formatBytes(file.size)})` : String(target)} to ${m.to} at ${formatTime(m.at)}`;
    });
  });

  jsonOption(
    program
      .command('publish')
      .description('publish a file or folder of yours: every user of this pod can read it, and pod universe lists it')
      .argument('<remote>', 'your file or folder'),
  ).action(async (remote: string, _flags: object, command: Command) => {
    const published = await signedIn().call('files.publish', { target: remotePath(remote) });
    outputFor(command).result(published, (p) => `published ${p.path}: every user of this pod can read it (pod unpublish ${p.path} ends that)`);
  });

  jsonOption(program.command('unpublish').description('stop publishing a file or folder of yours').argument('<remote>', 'your file or folder')).action(
    async (remote: string, _flags: object, command: Command) => {
      const path = remotePath(remote);
      const ended = await signedIn().call('files.unpublish', { target: path });
      outputFor(command).result(ended, (e) => (e.removed ? `${path} is no longer published` : `${path} was not published`));
    },
  );

  jsonOption(
    program
      .command('universe')
      .description('the pod universe: the users who published something, with their profiles and published files')
      .argument('[user]', 'only this user, with everything they published'),
  ).action(async (user: string | undefined, _flags: object, command: Command) => {
    const api = signedIn();
    const out = outputFor(command);
    if (user === undefined) {
      const users = await allPages(async (cursor) => {
        const page = await api.call('files.universe', { limit: 100, ...(cursor ? { cursor } : {}) });
        return { items: page.users, next: page.next };
      });
      return out.result({ users }, (u) => (u.users.length === 0 ? 'nobody has published anything yet' : u.users.flatMap((x) => showUser(x))));
    }
    // One user's items come a page at a time; gather them into one answer.
    const pages = await allPages(async (cursor) => {
      const page = await api.call('files.universe', { user, limit: 200, ...(cursor ? { cursor } : {}) });
      return { items: page.users, next: page.next };
    });
    if (pages.length === 0) throw new PodError('not_found', `${user} has published nothing (or there is no such user)`);
    const users = [{ ...pages[0]!, items: pages.flatMap((p) => p.items), more: false }];
    out.result({ users }, (u) => showUser(u.users[0]!));
  });
}

/** The file to send: a local file, uploaded into `into` first, else a path in the pod. */
function showUser(user: OpOutput<'files.universe'>['users'][number]): string[] {
  const about = user.profile.about ? `: ${user.profile.about.split('\n')[0]}` : '';
  const lines = [`${person(user.profile.name, user.profile.displayName)}${about}`];
  lines.push(...entryRows(user.items.map((i) => i.entry), (e, i) => displayName(e, user.items[i]!.path)).map((row) => `  ${row}`));
  if (user.more) lines.push(`  … more: pod universe ${user.profile.name}`);
  return lines;
}
