/**
 * `npm run bench -- rooms`: a 1,000-member room with 200 members connected, messages sent at
 * stepped rates; an offline member catching up on 10,000 messages; search over a million
 * stored messages. Embedded profile (SQLite, in-process messenger), the pod in a process of
 * its own. A table on stdout, JSON under bench/results/.
 */
import { callOp, connectNode, type PodClient, type RoomMessage } from '@pod/sdk/node';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMembers, createRoom, SEARCH_QUERIES, seedMessages, withStore, type Member } from './seed.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;

const HELP = `npm run bench -- rooms [flags]
  --members N          members of the big room (default 1000)
  --connected N        of them connected over WebSockets (default 200)
  --rates LIST         offered sends per second, one step each (default 10,25,50,100)
  --step SECONDS       length of each step (default 10)
  --catchup N          messages an offline member catches up on (default 10000)
  --search-messages N  stored messages searched (default 1000000)
  --searches N         searches timed (default 200)
  --out FILE           JSON there instead of bench/results/rooms-<time>.json`;

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const round = (n: number) => Math.round(n * 10) / 10;
const log = (text: string) => process.stderr.write(`${text}\n`);

async function startServer(data: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/im/pod-server.ts'), '--data', data, '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const match = /pod listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`the pod exited (${code}) before listening`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Step {
  offered: number;
  acceptedPerSecond: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
}

/** Sends at `rate` per second for `seconds`, spread over the senders; times every delivery to the connected members. */
async function step(url: string, senders: Member[], rate: number, seconds: number, receipts: Map<string, number[]>, connected: number): Promise<Step> {
  const started = new Map<string, number>();
  const answers: Array<Promise<unknown>> = [];
  let failed = 0;
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const text = `r${rate}-${i}`;
    started.set(text, performance.now());
    answers.push(callOp(url, senders[i % senders.length]!.token, 'rooms.send', { room: 'bench', text }).catch(() => failed++));
  }
  await Promise.all(answers);
  const sendSeconds = (performance.now() - t0) / 1000;
  // Every delivery, or what arrived within 15 s of the last send.
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline && [...started.keys()].some((text) => (receipts.get(text)?.length ?? 0) < connected)) await new Promise((resolve) => setTimeout(resolve, 50));
  const latencies: number[] = [];
  let last = t0;
  for (const [text, at] of started) {
    for (const received of receipts.get(text) ?? []) {
      latencies.push(received - at);
      last = Math.max(last, received);
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    offered: rate,
    acceptedPerSecond: round((total - failed) / sendSeconds),
    deliveriesPerSecond: round(latencies.length / ((last - t0) / 1000)),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    failed,
  };
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      members: { type: 'string', default: '1000' },
      connected: { type: 'string', default: '200' },
      rates: { type: 'string', default: '10,25,50,100' },
      step: { type: 'string', default: '10' },
      catchup: { type: 'string', default: '10000' },
      'search-messages': { type: 'string', default: '1000000' },
      searches: { type: 'string', default: '200' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const o = {
    members: Number(values.members),
    connected: Number(values.connected),
    rates: values.rates!.split(',').map(Number),
    step: Number(values.step),
    catchup: Number(values.catchup),
    searchMessages: Number(values['search-messages']),
    searches: Number(values.searches),
  };
  const work = mkdtempSync(join(tmpdir(), 'pod-bench-rooms-'));
  const databaseUrl = `sqlite:${join(work, 'pod.db')}`;
  const clients: PodClient[] = [];
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    log(`rooms benchmark: ${o.members} members, ${o.connected} connected; seeding in ${work}`);
    const seeded = await withStore(databaseUrl, async (db) => {
      const members = await createMembers(db, 'm', o.members);
      await createRoom(db, 'bench', members);
      const [sender, offline, searcher] = await createMembers(db, 'x', 3);
      await createRoom(db, 'catchup', [sender!, offline!]);
      const archive = await createRoom(db, 'archive', [searcher!]);
      const t = performance.now();
      await seedMessages(db, archive, searcher!, o.searchMessages, (done) => process.stderr.write(`\r  stored ${done} messages for search`));
      log(` (${round((performance.now() - t) / 1000)} s)`);
      return { members, sender: sender!, offline: offline!, searcher: searcher! };
    });
    server = await startServer(work);
    const { url } = server;

    const receipts = new Map<string, number[]>();
    const listeners = seeded.members.slice(1, 1 + o.connected);
    await pool(listeners, 20, async (member) => {
      const client = connectNode({ url, token: member.token, requestTimeoutMs: 30_000 });
      client.on('room.message', (event) => {
        const list = receipts.get((event.body as RoomMessage).text);
        if (list) list.push(performance.now());
        else receipts.set((event.body as RoomMessage).text, [performance.now()]);
      });
      clients.push(client);
      await client.connect();
    });
    log(`  ${clients.length} members connected`);
    const senders = seeded.members.slice(1 + o.connected, 1 + o.connected + 4);
    const steps: Step[] = [];
    for (const rate of o.rates) {
      const result = await step(url, senders, rate, o.step, receipts, clients.length);
      steps.push(result);
      log(`  ${rate}/s offered: ${result.acceptedPerSecond}/s accepted, ${result.deliveriesPerSecond} deliveries/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
    }
    for (const client of clients.splice(0)) client.close();

    const sendStart = performance.now();
    await pool(Array.from({ length: o.catchup }, (_, i) => i), 32, (i) => callOp(url, seeded.sender.token, 'rooms.send', { room: 'catchup', text: `catch ${i}` }));
    const sendSeconds = (performance.now() - sendStart) / 1000;
    const catchStart = performance.now();
    const offline = connectNode({ url, token: seeded.offline.token, requestTimeoutMs: 30_000 });
    let got = 0;
    const done = new Promise<void>((resolve) => offline.on('room.message', () => ++got === o.catchup && resolve()));
    await offline.connect();
    await done;
    const catchupSeconds = (performance.now() - catchStart) / 1000;
    offline.close();
    log(`  offline member caught up on ${o.catchup} messages in ${round(catchupSeconds)} s (sent at ${round(o.catchup / sendSeconds)}/s)`);

    const latencies: number[] = [];
    let found = 0;
    for (let i = 0; i < o.searches; i++) {
      const t = performance.now();
      const page = await callOp(url, seeded.searcher.token, 'rooms.search', { query: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!, limit: 20 });
      latencies.push(performance.now() - t);
      found += page.results.length;
    }
    latencies.sort((a, b) => a - b);
    const search = { storedMessages: o.searchMessages, searches: o.searches, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), meanResults: round(found / o.searches) };
    log(`  search over ${o.searchMessages} messages: p50 ${search.p50Ms} ms, p99 ${search.p99Ms} ms`);

    const result = { benchmark: 'rooms', profile: 'embedded', at: new Date().toISOString(), options: o, steps, catchup: { messages: o.catchup, seconds: round(catchupSeconds), messagesPerSecond: round(o.catchup / catchupSeconds), sendRate: round(o.catchup / sendSeconds) }, search };
    console.log('\noffered/s  accepted/s  deliveries/s  p50 ms  p99 ms  failed');
    for (const s of steps) console.log(`${String(s.offered).padStart(9)}  ${String(s.acceptedPerSecond).padStart(10)}  ${String(s.deliveriesPerSecond).padStart(12)}  ${String(s.p50Ms).padStart(6)}  ${String(s.p99Ms).padStart(6)}  ${s.failed}`);
    console.log(`catch-up: ${o.catchup} messages in ${result.catchup.seconds} s (${result.catchup.messagesPerSecond}/s)`);
    console.log(`search over ${o.searchMessages} messages: p50 ${search.p50Ms} ms, p99 ${search.p99Ms} ms (${search.meanResults} results per page on average)`);
    const out = values.out ?? join(repoRoot, 'bench/results', `rooms-${result.at.replace(/[:.]/g, '-')}.json`);
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`JSON: ${out}`);
    return 0;
  } finally {
    for (const client of clients) client.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
