/**
 * The machine's limit: a bare node:http server that takes a PUT as a stream into a file, with
 * its SHA-256 computed on the way and fdatasync before the answer (what any server that keeps
 * files must do at the least), and serves GET from the file. Its own process, as Pod is.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' } } });
const dir = values.data!;
const fileOf = (url: string) => join(dir, encodeURIComponent(url.slice(1)));

const server = createServer(async (request, response) => {
  try {
    if (request.url === '/healthz') return void response.end('ok');
    if (request.method === 'PUT') {
      const handle = await open(fileOf(request.url!), 'w', 0o600);
      const digest = createHash('sha256');
      let position = 0;
      try {
        for await (const piece of request as AsyncIterable<Buffer>) {
          digest.update(piece);
          await handle.write(piece, 0, piece.length, position);
          position += piece.length;
        }
        await handle.datasync();
      } finally {
        await handle.close();
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ size: position, hash: digest.digest('hex') }));
    }
    if (request.method === 'GET') {
      const path = fileOf(request.url!);
      const { size } = await stat(path);
      response.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
      return void createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(response);
    }
    response.writeHead(405).end();
  } catch (error) {
    response.writeHead(500).end((error as Error).message);
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
