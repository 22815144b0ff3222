import { PodError } from '@pod/protocol';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `pod login` remembers: where the server is, the session token, and who it belongs to. */
export interface CliConfig {
  server?: string;
  token?: string;
  user?: string;
}

/** A signed-in config: every field present. */
export interface Session {
  server: string;
  token: string;
  user: string;
}

/** `$POD_CONFIG_DIR`, or `~/.config/pod`; one directory per person driving Pod from this machine. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_CONFIG_DIR || join(homedir(), '.config', 'pod');
}

export function configPath(dir: string = configDir()): string {
  return join(dir, 'config.json');
}

export function readConfig(dir: string = configDir()): CliConfig {
  const file = configPath(dir);
  if (!existsSync(file)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new PodError('invalid', `${file} is not valid JSON; fix it, or delete it and run pod login again`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PodError('invalid', `${file} does not hold a JSON object; delete it and run pod login again`);
  const { server, token, user } = json as Record<string, unknown>;
  const config: CliConfig = {};
  if (typeof server === 'string') config.server = server;
  if (typeof token === 'string') config.token = token;
  if (typeof user === 'string') config.user = user;
  return config;
}

/** Writes the config readable by its owner only (0600, in a 0700 directory), replacing it atomically. */
export function writeConfig(config: CliConfig, dir: string = configDir()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = configPath(dir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** The signed-in session, or `unauthorized` with how to sign in. */
export function requireSession(config: CliConfig): Session {
  if (!config.server || !config.token || !config.user) {
    throw new PodError('unauthorized', 'not signed in: run pod login --server URL --user NAME --password-stdin');
  }
  return { server: config.server, token: config.token, user: config.user };
}

/** Accepts http(s)://host[:port][/path][/], answers it without the trailing slash. */
export function normalizeServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PodError('invalid', `--server must be a URL such as http://localhost:8080, not "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new PodError('invalid', `--server must start with http:// or https://, not "${parsed.protocol}"`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
