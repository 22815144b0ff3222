import { PodError } from '@pod/protocol';
import { callOp, login } from '@pod/sdk/node';
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { signedIn } from '../api.ts';
import { configDir, normalizeServer, readConfig, writeConfig } from '../config.ts';
import { jsonOption, outputFor, person } from '../output.ts';
import { readPassword } from '../stdin.ts';

/** `pod login`, `pod logout`, `pod whoami`: the session kept in $POD_CONFIG_DIR/config.json. */
export function registerAuth(program: Command): void {
  jsonOption(
    program
      .command('login')
      .description('sign in and keep the session token in $POD_CONFIG_DIR/config.json (mode 0600)')
      .option('--server <url>', 'the server, for example http://localhost:8080 [default: the last one used, else http://localhost:8080]')
      .requiredOption('--user <name>', 'account name')
      .requiredOption('--password-stdin', 'read the password from standard input'),
  ).action(async (flags: { server?: string; user: string }, command: Command) => {
    const out = outputFor(command);
    const previous = readConfig();
    const server = normalizeServer(flags.server ?? previous.server ?? 'http://localhost:8080');
    const password = await readPassword();
    const answer = await login(server, flags.user, password, `pod CLI on ${hostname()}`.slice(0, 100));
    writeConfig({ server, token: answer.token, user: answer.user.name });
    // The session this login replaces is of no further use: end it (best effort).
    if (previous.token && previous.server) await callOp(previous.server, previous.token, 'auth.logout', {}).catch(() => {});
    out.result({ server, user: answer.user, session: answer.session }, (a) => `signed in as ${person(a.user.name, a.user.displayName)}${a.user.admin ? ' (administrator)' : ''} on ${a.server}`);
  });

  jsonOption(program.command('logout').description('end this session on the server and forget its token')).action(async (_flags: object, command: Command) => {
    const out = outputFor(command);
    const config = readConfig();
    if (!config.token || !config.server) {
      out.result({ server: config.server ?? null, user: config.user ?? null, signedOut: false }, () => 'not signed in');
      return;
    }
    let warning: string | undefined;
    try {
      await callOp(config.server, config.token, 'auth.logout', {});
    } catch (error) {
      // An already revoked session is as good as ended; anything else is worth saying.
      if (!(error instanceof PodError && error.code === 'unauthorized')) {
        warning = `the server could not be told (${error instanceof PodError ? `${error.code}: ` : ''}${(error as Error).message}); the session stays valid there until it expires or is revoked`;
      }
    }
    writeConfig({ server: config.server }, configDir());
    if (warning) out.note(`warning: ${warning}`);
    out.result({ server: config.server, user: config.user ?? null, signedOut: true }, (r) => `signed out${r.user ? ` ${r.user}` : ''} from ${r.server}`);
  });

  jsonOption(program.command('whoami').description('show who is signed in, and where')).action(async (_flags: object, command: Command) => {
    const api = signedIn();
    const answer = await api.call('auth.whoami', {});
    outputFor(command).result({ server: api.session.server, user: answer.user, session: answer.session }, (a) =>
      `${person(a.user.name, a.user.displayName)}${a.user.admin ? ' (administrator)' : ''} on ${a.server}`,
    );
  });
}
