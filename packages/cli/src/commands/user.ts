import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, jsonOption, outputFor, table } from '../output.ts';
import { readPassword } from '../stdin.ts';

/** `pod user ...`: create accounts on the server's data, and administer them over the API. */
export function registerUser(program: Command): void {
  const user = program.command('user').description('create and administer accounts');

  jsonOption(
    user
      .command('create')
      .description('create an account directly in the data directory, whether the server runs or not')
      .argument('<name>', 'account name: 1-32 characters of a-z, 0-9, "_", "." or "-"')
      .requiredOption('--password-stdin', 'read the password from standard input (at least 8 characters)')
      .option('--admin', 'make the account an administrator')
      .option('--data <dir>', 'data directory of the server [env POD_DATA, default ./data]')
      .option('--database-url <url>', 'store of the server [env POD_DATABASE_URL, default sqlite:<data>/pod.db]'),
  ).action(async (name: string, flags: { admin?: boolean; data?: string; databaseUrl?: string }, command: Command) => {
    const out = outputFor(command);
    const password = await readPassword();
    const { createUserOffline, resolveConfig } = await import('@pod/server');
    const config = resolveConfig({ data: flags.data, databaseUrl: flags.databaseUrl });
    const created = await createUserOffline(config.databaseUrl, { name, password, admin: flags.admin === true });
    out.result(created, (c) => `created ${c.admin ? 'administrator' : 'user'} ${c.name}; sign in with pod login --server URL --user ${c.name} --password-stdin`);
  });

  jsonOption(user.command('list').description('list every account (administrators)')).action(async (_flags: object, command: Command) => {
    const out = outputFor(command);
    const answer = await signedIn().call('user.list', {});
    out.result(answer, ({ users }) =>
      users.length === 0
        ? 'no accounts'
        : table([
            ['NAME', 'DISPLAY NAME', 'ROLE', 'STATE', 'CREATED'],
            ...users.map((u) => [u.name, u.displayName || '-', u.admin ? 'admin' : 'user', u.disabled ? 'disabled' : 'active', formatTime(u.createdAt)]),
          ]),
    );
  });

  jsonOption(user.command('disable').description('disable an account and end its sessions at once (administrators)').argument('<name>')).action(
    async (name: string, _flags: object, command: Command) => {
      await signedIn().call('user.disable', { name });
      outputFor(command).result({ name, disabled: true }, () => `disabled ${name}; their sessions have ended`);
    },
  );

  jsonOption(user.command('enable').description('enable a disabled account (administrators)').argument('<name>')).action(
    async (name: string, _flags: object, command: Command) => {
      await signedIn().call('user.enable', { name });
      outputFor(command).result({ name, disabled: false }, () => `enabled ${name}; they can sign in again`);
    },
  );

  jsonOption(
    user
      .command('reset-password')
      .description('set a new password for an account (administrators)')
      .argument('<name>')
      .requiredOption('--password-stdin', 'read the new password from standard input (at least 8 characters)'),
  ).action(async (name: string, _flags: object, command: Command) => {
    const api = signedIn();
    const password = await readPassword('New password: ');
    await api.call('user.resetPassword', { name, password });
    outputFor(command).result({ name, passwordReset: true }, () => `set a new password for ${name}`);
  });
}
