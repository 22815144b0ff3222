/**
 * Pod's WebDAV (/dav/) with a plain keep-alive HTTP client, as a mounted drive would use it:
 * HTTP Basic with an app password, PUT and GET of the large file, and the small files one at
 * a time and several at once.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchToFile, forEach, keepAliveAgent, send, sendOk } from './http-client.ts';
import { bigLabel, kib, timed, type Measurement, type Workload } from './measure.ts';

/** Whether the server speaks WebDAV: OPTIONS /dav/ answers a DAV header. */
export async function hasWebDav(server: string): Promise<boolean> {
  const agent = keepAliveAgent(1);
  try {
    const answer = await send(agent, 'OPTIONS', `${server}/dav/`, {});
    return answer.status < 400 && typeof answer.headers.dav === 'string';
  } catch {
    return false;
  } finally {
    agent.destroy();
  }
}

export async function measureWebDav(server: string, authorization: string, w: Workload): Promise<Measurement[]> {
  const agent = keepAliveAgent(w.parallel);
  const headers = { authorization };
  const out: Measurement[] = [];
  const base = `${server}/dav/bench-dav-${w.run}`;
  const big = bigLabel(w.bigBytes);
  const n = w.small.length;
  const size = w.small[0]?.length ?? 0;
  try {
    for (const folder of ['', '/small', '/parallel']) await sendOk(agent, 'MKCOL', `${base}${folder}/`, headers);
    out.push({ section: 'webdav', name: `PUT ${big}`, ref: 'put-big', bytes: w.bigBytes, files: 1, ms: await timed(() => sendOk(agent, 'PUT', `${base}/big.bin`, headers, { file: w.big })) });
    const to = join(w.scratch, 'dav-big');
    out.push({ section: 'webdav', name: `GET ${big}`, ref: 'get-big', bytes: w.bigBytes, files: 1, ms: await timed(() => fetchToFile(agent, `${base}/big.bin`, headers, to)) });
    await rm(to, { force: true });
    const one = await timed(() => forEach(n, 1, (i) => sendOk(agent, 'PUT', `${base}/small/${i}.bin`, headers, w.small[i]!).then(() => {})));
    out.push({ section: 'webdav', name: `PUT ${n} x ${kib(size)}, one at a time`, ref: 'put-small', bytes: n * size, files: n, ms: one });
    // Other bytes than the sequential phase's, or they would be deduplicated away.
    const shifted = w.small.map((b) => Buffer.concat([b.subarray(2), b.subarray(0, 2)]));
    const parallel = await timed(() => forEach(n, w.parallel, (i) => sendOk(agent, 'PUT', `${base}/parallel/${i}.bin`, headers, shifted[i]!).then(() => {})));
    out.push({ section: 'webdav', name: `PUT ${n} x ${kib(size)}, ${w.parallel} at a time`, ref: 'put-small-parallel', bytes: n * size, files: n, ms: parallel });
  } finally {
    agent.destroy();
  }
  return out;
}
