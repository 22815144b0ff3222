import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, jsonOption, outputFor, table } from '../output.ts';

/** `pod app-password ...`: per-device passwords for WebDAV mounts and other non-interactive clients. */
export function registerAppPasswords(program: Command): void {
  const group = program.command('app-password').description('passwords for WebDAV and other clients that cannot sign in themselves (one per device)');

  jsonOption(
    group
      .command('create')
      .description('make an app password; it is shown once: use it with your account name at <server>/dav/')
      .argument('<label>', 'what it is for, such as "laptop rclone"'),
  ).action(async (label: string, _flags: object, command: Command) => {
    const api = signedIn();
    const created = await api.call('auth.appPasswords.create', { label });
    outputFor(command).result(
      created,
      (c) => `${c.password}\n\napp password ${c.id} ("${c.label}"): shown this once. Use it with your account name for WebDAV at ${api.session.server}/dav/\nRevoke it with: pod app-password revoke ${c.id}`,
    );
  });

  jsonOption(group.command('list').description('your app passwords (never their secrets)')).action(async (_flags: object, command: Command) => {
    const answer = await signedIn().call('auth.appPasswords.list', {});
    outputFor(command).result(answer, ({ appPasswords }) =>
      appPasswords.length === 0
        ? 'no app passwords; make one with pod app-password create LABEL'
        : table([['ID', 'LABEL', 'CREATED', 'LAST USED'], ...appPasswords.map((p) => [p.id, p.label, formatTime(p.createdAt), p.lastUsedAt ? formatTime(p.lastUsedAt) : 'never'])]),
    );
  });

  jsonOption(group.command('revoke').description('revoke an app password: clients using it are refused at once').argument('<id>')).action(
    async (id: string, _flags: object, command: Command) => {
      await signedIn().call('auth.appPasswords.revoke', { id });
      outputFor(command).result({ id, revoked: true }, () => `revoked app password ${id}`);
    },
  );
}
