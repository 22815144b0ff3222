/** Pod through its SDK: uploadFile and downloadFile against a running server, as a client would. */
import { downloadFile, uploadFile, type UploadResult } from '@pod/sdk/node';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { forEach } from './http-client.ts';
import { bigLabel, kib, mib, timed, type Measurement, type Workload } from './measure.ts';

export async function measurePod(server: string, token: string, w: Workload, log: (line: string) => void): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const big = bigLabel(w.bigBytes);
  const dir = `/bench-${w.run}`;
  const bigPath = `${dir}/big.bin`;
  const upload = async (path: string, source: string | Buffer): Promise<UploadResult & { ms: number }> => {
    const start = performance.now();
    const result = await uploadFile({ server, token, path, source });
    return { ...result, ms: performance.now() - start };
  };
  const bigUpload = async (name: string, source: string) => {
    const result = await upload(bigPath, source);
    out.push({ section: 'pod', name, ref: 'put-big', bytes: w.bigBytes, files: 1, ms: result.ms, bytesSent: result.bytesSent });
    return result;
  };

  await bigUpload(`upload ${big}`, w.big);
  const to = join(w.scratch, 'pod-big');
  out.push({ section: 'pod', name: `download ${big}`, ref: 'get-big', bytes: w.bigBytes, files: 1, ms: await timed(() => downloadFile({ server, token, target: bigPath, to, cacheDir: false })) });
  await rm(to, { force: true });
  await bigUpload(`upload the same ${big} again`, w.big);
  const edited = await bigUpload(`upload it with 1 MiB changed`, w.edited);
  log(`    pod, 1 MiB changed: ${edited.chunksSent} of ${edited.chunks} chunks sent (${mib(edited.bytesSent)})`);

  const n = w.small.length;
  const smalls = `${n} x ${kib(w.small[0]?.length ?? 0)}`;
  const smallUploads = async (name: string, folder: string, contents: Buffer[], parallel: number, ref: Measurement['ref']) => {
    let sent = 0;
    const ms = await timed(() =>
      forEach(n, parallel, async (i) => {
        const { bytesSent } = await upload(`${dir}/${folder}/${i}.bin`, contents[i]!);
        sent += bytesSent;
      }),
    );
    out.push({ section: 'pod', name, ref, bytes: n * (contents[0]?.length ?? 0), files: n, ms, bytesSent: sent });
  };
  await smallUploads(`upload ${smalls}, one at a time`, 'small', w.small, 1, 'put-small');
  // Other bytes than the sequential phase's, or they would be deduplicated away.
  const shifted = w.small.map((b) => Buffer.concat([b.subarray(1), b.subarray(0, 1)]));
  await smallUploads(`upload ${smalls}, ${w.parallel} at a time`, 'parallel', shifted, w.parallel, 'put-small-parallel');
  const downloadMs = await timed(() =>
    forEach(n, 1, async (i) => {
      const target = join(w.scratch, `pod-small-${i}`);
      await downloadFile({ server, token, target: `${dir}/small/${i}.bin`, to: target, cacheDir: false });
      await rm(target, { force: true });
    }),
  );
  out.push({ section: 'pod', name: `download ${smalls}, one at a time`, ref: 'get-small', bytes: n * (w.small[0]?.length ?? 0), files: n, ms: downloadMs });
  return out;
}
