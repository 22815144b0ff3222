/**
 * The baseline: a bare `ws` router with no product logic. It authenticates nothing (the hello
 * token, or the HTTP bearer token, is taken as the user's name), writes each message once to
 * SQLite (WAL, synchronous=FULL, one transaction per batch collected in an event-loop turn)
 * and only then forwards it and answers the sender. It speaks just enough of Pod for the
 * benchmarks' clients: frames hello, req im.send (to the recipient's sockets), ack, ping; and
 * `POST /v1/op/rooms.send` (bench/rooms), fanned out as a room.message event to every
 * connected socket, as if everyone connected were a member of every room.
 * Usage: node --import tsx bench/im/baseline-router.ts --data DIR --port N
 */
import Database from 'better-sqlite3';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' } } });
if (!values.data || !values.port) throw new Error('usage: baseline-router.ts --data DIR --port N');

const db = new Database(join(values.data, 'baseline.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`create table if not exists messages (
  id integer primary key, msg_id text not null, sender text not null, recipient text not null, text text not null, at text not null)`);
const insert = db.prepare('insert into messages (msg_id, sender, recipient, text, at) values (?, ?, ?, ?, ?)');

interface Pending {
  msgId: string;
  from: string;
  /** The recipient, or the room. */
  to: string;
  text: string;
  at: string;
  /** After the commit: forward, then answer the sender. */
  deliver(): void;
}
const commit = db.transaction((batch: Pending[]) => {
  for (const m of batch) insert.run(m.msgId, m.from, m.to, m.text, m.at);
});

const sockets = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();
const roomOrders = new Map<string, number>();
let batch: Pending[] = [];
let scheduled = false;
let nextId = 0;

/** Commit counters, logged every 5 s while busy (batch sizes and commit times explain the ceiling). */
const stats = { commits: 0, messages: 0, commitMs: 0, maxCommitMs: 0 };
setInterval(() => {
  if (stats.commits === 0) return;
  console.log(JSON.stringify({ at: new Date().toISOString(), ...stats, avgBatch: stats.messages / stats.commits, avgCommitMs: stats.commitMs / stats.commits }));
  Object.assign(stats, { commits: 0, messages: 0, commitMs: 0, maxCommitMs: 0 });
}, 5000).unref();

function flush(): void {
  scheduled = false;
  const items = batch;
  batch = [];
  const started = performance.now();
  commit(items);
  const ms = performance.now() - started;
  stats.commits++;
  stats.messages += items.length;
  stats.commitMs += ms;
  stats.maxCommitMs = Math.max(stats.maxCommitMs, ms);
  for (const m of items) m.deliver();
}

function enqueue(m: Pending): void {
  batch.push(m);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

const nextSeq = (user: string) => {
  const seq = (seqs.get(user) ?? 0) + 1;
  seqs.set(user, seq);
  return seq;
};

function imMessage(socket: WebSocket, requestId: string, from: string, to: string, text: string): Pending {
  const m: Pending = {
    msgId: `b${++nextId}`,
    from,
    to,
    text,
    at: new Date().toISOString(),
    deliver() {
      const frame = `{"t":"ev","seq":${nextSeq(to)},"type":"im.message","body":${JSON.stringify({ id: m.msgId, from, to, text, at: m.at })}}`;
      for (const recipient of sockets.get(to) ?? []) recipient.send(frame);
      socket.send(`{"t":"res","id":${JSON.stringify(requestId)},"ok":true,"body":{"id":"${m.msgId}"}}`);
    },
  };
  return m;
}

/** A room message as Pod's room.message event carries it, to every connected user (each with its own seq). */
function roomMessage(response: ServerResponse, from: string, room: string, text: string): Pending {
  const m: Pending = {
    msgId: `b${++nextId}`,
    from,
    to: room,
    text,
    at: new Date().toISOString(),
    deliver() {
      const order = (roomOrders.get(room) ?? 0) + 1;
      roomOrders.set(room, order);
      const body = JSON.stringify({ id: m.msgId, room, from, text, at: m.at, order, replyTo: null, editedAt: null, deletedAt: null, mentions: [], reactions: [] });
      for (const [user, set] of sockets) {
        if (set.size === 0) continue;
        const frame = `{"t":"ev","seq":${nextSeq(user)},"type":"room.message","body":${body}}`;
        for (const socket of set) socket.send(frame);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    },
  };
  return m;
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 256 * 1024 });
wss.on('connection', (socket: WebSocket) => {
  let user: string | undefined;
  socket.on('message', (data) => {
    let frame: { t?: string; token?: string; id?: string; op?: string; body?: { to?: string; text?: string } };
    try {
      frame = JSON.parse(String(data));
    } catch {
      socket.send('{"t":"res","id":null,"ok":false,"error":{"code":"invalid","message":"not JSON"}}');
      return;
    }
    if (frame.t === 'req' && user && frame.op === 'im.send' && frame.body?.to && frame.body.text !== undefined) {
      enqueue(imMessage(socket, frame.id ?? '', user, frame.body.to, frame.body.text));
    } else if (frame.t === 'ping') {
      socket.send('{"t":"pong"}');
    } else if (frame.t === 'hello' && frame.token && !user) {
      user = frame.token;
      let set = sockets.get(user);
      if (!set) sockets.set(user, (set = new Set()));
      set.add(socket);
      const head = seqs.get(user) ?? 0;
      socket.send(JSON.stringify({ t: 'welcome', user, session: 'baseline', head, from: head, heartbeatMs: 25_000 }));
      socket.send(`{"t":"synced","seq":${head}}`);
    } else if (frame.t !== 'ack') {
      socket.send(`{"t":"res","id":${JSON.stringify(frame.id ?? null)},"ok":false,"error":{"code":"invalid","message":"unsupported frame"}}`);
    }
  });
  socket.on('close', () => {
    if (user) sockets.get(user)?.delete(socket);
  });
  socket.on('error', () => socket.terminate());
});

const server = createServer((request, response) => {
  const user = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (request.method === 'POST' && request.url === '/v1/op/rooms.send' && user) {
    let text = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      let body: { room?: string; text?: string };
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
      if (body.room === undefined || body.text === undefined) response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"code":"invalid","message":"room and text"}}');
      else enqueue(roomMessage(response, user, body.room, body.text));
    });
    return;
  }
  response.writeHead(request.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: 'ok', kind: 'baseline' }));
});
server.on('upgrade', (request, socket, head) => {
  if (request.url !== '/v1/ws') return socket.destroy();
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(Number(values.port), '127.0.0.1', () => console.log(`baseline router on http://127.0.0.1:${values.port}`));

const stop = () => {
  server.close();
  db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
