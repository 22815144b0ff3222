import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { WebSocketFactory } from '@pod/sdk/node';

/** Debian's haproxy package (the version the deployment guide is written for) puts it here. */
export const HAPROXY = '/usr/sbin/haproxy';

/** The shipped configuration that deploy/haproxy and docs/deployment.md describe. */
export const SHIPPED_CONFIG = new URL('../../../../deploy/haproxy/haproxy.cfg', import.meta.url);

export function requireHaproxy(): void {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is missing: this test runs the real HAProxy; install Debian's package with: apt-get install haproxy`);
}

/** `haproxy -c`: whether a configuration parses, with what HAProxy printed about it. */
export function checkConfig(path: string, env: Record<string, string>): { ok: boolean; output: string } {
  const result = spawnSync(HAPROXY, ['-c', '-f', path], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** A self-signed certificate for localhost, as the single PEM file HAProxy's `crt` takes. */
export function selfSignedCertificate(dir: string): { pemFile: string; certificate: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr}`);
  const certificate = readFileSync(certFile, 'utf8');
  const pemFile = join(dir, 'pod.pem');
  writeFileSync(pemFile, certificate + readFileSync(keyFile, 'utf8'));
  return { pemFile, certificate };
}

export interface TestAddresses {
  httpPort: number;
  httpsPort: number;
  statsPort: number;
  statsSocket: string;
  /** Where each server name of the shipped file (gateway1, apps1, ...) listens in the test. */
  servers: Record<string, string>;
}

/**
 * The shipped configuration with only what differs on a test machine replaced: listening
 * addresses, server addresses, the stats socket, logs to stderr, and the process settings
 * that need root and a system user (chroot, user, group, daemon). Health checks, timeouts,
 * balancing and TLS stay as shipped. Each replacement must match, so a change to the shipped
 * file that this would silently miss fails here instead.
 */
export function deriveTestConfig(shipped: string, addresses: TestAddresses): string {
  const replacements: Array<[RegExp, string]> = [
    [/^ {4}bind :80$/m, `    bind 127.0.0.1:${addresses.httpPort}`],
    [/^ {4}bind :443 /m, `    bind 127.0.0.1:${addresses.httpsPort} `],
    [/^ {4}bind 127\.0\.0\.1:8404$/m, `    bind 127.0.0.1:${addresses.statsPort}`],
    [/\/run\/haproxy\/admin\.sock/, addresses.statsSocket],
    [/^ {4}log \/dev\/log local0$/m, '    log stderr format raw local0'],
    [/^ {4}chroot .*\n/m, ''],
    [/^ {4}user haproxy\n/m, ''],
    [/^ {4}group haproxy\n/m, ''],
    [/^ {4}daemon\n/m, ''],
    ...Object.entries(addresses.servers).map(([name, address]): [RegExp, string] => [new RegExp(`^( {4}server ${name}) ${name}:8080`, 'm'), `$1 ${address}`]),
  ];
  let config = shipped;
  for (const [pattern, replacement] of replacements) {
    if (!pattern.test(config)) throw new Error(`deploy/haproxy/haproxy.cfg has no ${pattern}: update deriveTestConfig with the shipped file`);
    config = config.replace(pattern, replacement);
  }
  return config;
}

export interface RunningHaproxy {
  process: ChildProcess;
  /** What HAProxy wrote to stderr so far (its alerts and request logs), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export function startHaproxy(configFile: string, env: Record<string, string>): RunningHaproxy {
  // -db: stay in the foreground, so the test owns the process and sees it exit.
  const child = spawn(HAPROXY, ['-db', '-f', configFile], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    process: child,
    output: () => output,
    stop: () => stopProcess(child),
  };
}

/** Stops a child with SIGTERM and waits for it to exit. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface ServerState {
  /** UP, DOWN, MAINT, or a transition such as "UP 1/2". */
  status: string;
  /** Sessions open on this server now: proxied HTTP requests and WebSockets. */
  current: number;
}

/** Each server's state, keyed "backend/server", from `show stat` on HAProxy's stats socket. */
export function serverStates(statsSocket: string): Promise<Map<string, ServerState>> {
  return new Promise((resolve, reject) => {
    const socket = connect(statsSocket);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const [header, ...rows] = text.trim().split('\n');
      const columns = (header ?? '').replace(/^# /, '').split(',');
      const column = (name: string) => columns.indexOf(name);
      const states = new Map<string, ServerState>();
      for (const row of rows) {
        const cells = row.split(',');
        const server = cells[column('svname')];
        if (server === 'FRONTEND' || server === 'BACKEND') continue;
        states.set(`${cells[column('pxname')]}/${server}`, { status: cells[column('status')] ?? '', current: Number(cells[column('scur')]) });
      }
      resolve(states);
    });
    socket.end('show stat\n');
  });
}


/**
 * A fetch for the SDK's HTTP calls that trusts `certificate`, on node:https: Node 20's global
 * fetch cannot be given a CA without undici, which Pod does not depend on. Each request has
 * its own connection, so none lingers on a gateway as a session after its answer.
 */
export function fetchTrusting(certificate: string): typeof fetch {
  return ((input: string | URL, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const headers = { ...(init.headers as Record<string, string> | undefined), connection: 'close' };
      const outgoing = request(String(input), { method: init.method ?? 'GET', headers, ca: certificate, agent: false }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode ?? 500 })));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(init.body as string | undefined);
    })) as typeof fetch;
}

/** A WebSocket class for the SDK that trusts `certificate` and counts the sockets it opens. */
export function webSocketsTrusting(certificate: string): { WebSocket: WebSocketFactory; opened(): number } {
  let opened = 0;
  class TrustingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { ca: certificate });
      opened++;
    }
  }
  return { WebSocket: TrustingWebSocket as unknown as WebSocketFactory, opened: () => opened };
}

/** Polls `condition` until it holds, failing with `what` (and `detail()`) after `ms`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}${detail() ? `\n${detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
