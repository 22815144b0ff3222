/** The machine's limit, through the bare server (bare-server.ts) over a keep-alive client. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchToFile, forEach, keepAliveAgent, sendOk } from './http-client.ts';
import { bigLabel, kib, timed, type Measurement, type Workload } from './measure.ts';

export async function measureLimit(url: string, w: Workload): Promise<Measurement[]> {
  const agent = keepAliveAgent(w.parallel);
  const big = bigLabel(w.bigBytes);
  const n = w.small.length;
  const smalls = `${n} x ${kib(w.small[0]?.length ?? 0)}`;
  const bytes = n * (w.small[0]?.length ?? 0);
  const to = join(w.scratch, 'limit');
  const m = (name: string, ref: Measurement['ref'], ms: number, files = n): Measurement => ({ section: 'limit', name, ref, bytes: files === 1 ? w.bigBytes : bytes, files, ms });
  try {
    const out = [m(`PUT ${big}`, 'put-big', await timed(() => sendOk(agent, 'PUT', `${url}/big-${w.run}`, {}, { file: w.big })), 1)];
    out.push(m(`GET ${big}`, 'get-big', await timed(() => fetchToFile(agent, `${url}/big-${w.run}`, {}, to)), 1));
    await rm(to, { force: true });
    out.push(m(`PUT ${smalls}, one at a time`, 'put-small', await timed(() => forEach(n, 1, (i) => sendOk(agent, 'PUT', `${url}/small-${w.run}-${i}`, {}, w.small[i]!).then(() => {})))));
    out.push(m(`PUT ${smalls}, ${w.parallel} at a time`, 'put-small-parallel', await timed(() => forEach(n, w.parallel, (i) => sendOk(agent, 'PUT', `${url}/small-p-${w.run}-${i}`, {}, w.small[i]!).then(() => {})))));
    out.push(m(`GET ${smalls}, one at a time`, 'get-small', await timed(() => forEach(n, 1, (i) => fetchToFile(agent, `${url}/small-${w.run}-${i}`, {}, `${to}-${i}`).then(() => rm(`${to}-${i}`))))));
    return out;
  } finally {
    agent.destroy();
  }
}
