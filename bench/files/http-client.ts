/**
 * Plain HTTP transfers over a keep-alive agent, for the machine's limit and for WebDAV: a PUT
 * from a buffer or streamed from a file, a GET streamed into a file with its SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Agent, request, type IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

async function collect(response: IncomingMessage): Promise<Answer> {
  const pieces: Buffer[] = [];
  for await (const piece of response) pieces.push(piece as Buffer);
  return { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(pieces) };
}

/** One request; `body` is bytes or the path of a file to stream. */
export async function send(agent: Agent, method: string, url: string, headers: Record<string, string>, body?: Buffer | { file: string }): Promise<Answer> {
  const length = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : (await stat(body.file)).size;
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, { method, agent, headers: { ...headers, 'content-length': String(length) } }, (response) => collect(response).then(resolve, reject));
    req.once('error', reject);
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else pipeline(createReadStream(body.file, { highWaterMark: 1024 * 1024 }), req).catch(reject);
  });
}

export async function sendOk(agent: Agent, method: string, url: string, headers: Record<string, string>, body?: Buffer | { file: string }): Promise<Answer> {
  const answer = await send(agent, method, url, headers, body);
  if (answer.status >= 300) throw new Error(`${method} ${url}: HTTP ${answer.status} ${answer.body.toString().slice(0, 300)}`);
  return answer;
}

/** GET into a file, hashing on the way; answers the byte count and SHA-256. */
export function fetchToFile(agent: Agent, url: string, headers: Record<string, string>, to: string): Promise<{ size: number; hash: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent, headers }, (response) => {
      if ((response.statusCode ?? 0) >= 300) {
        collect(response).then((a) => reject(new Error(`GET ${url}: HTTP ${a.status} ${a.body.toString().slice(0, 300)}`)), reject);
        return;
      }
      const digest = createHash('sha256');
      let size = 0;
      const count = new Transform({
        transform(piece: Buffer, _encoding, callback) {
          digest.update(piece);
          size += piece.length;
          callback(null, piece);
        },
      });
      pipeline(response, count, createWriteStream(to, { mode: 0o600 })).then(() => resolve({ size, hash: digest.digest('hex') }), reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/** Runs `work(i)` for i in [0, count) with at most `parallel` at once. */
export async function forEach(count: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}
