import type { WebSocketFactory } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import pg from 'pg';
import WebSocket from 'ws';
import { pollUntil } from './processes.ts';

/** A message a test sent, as the sender knows it; `text` is unique to it (it carries the request id). */
export interface SentMessage {
  requestId: string;
  from: string;
  to: string;
  text: string;
  /** The id in the answer, once the sender got one. */
  messageId?: string;
}

type Received = { kind: 'welcome'; from: number } | { kind: 'event'; seq: number; type: string; body: string };

/** What one device (one client, across all its sockets) received from the gateways, frame by frame. */
export interface DeviceLog {
  user: string;
  label: string;
  received: Received[];
  /** How often the client sent each request id: more than once is the SDK retrying. */
  requests: Map<string, number>;
}

/**
 * A WebSocket class for the SDK that logs every welcome and stored event the server sends,
 * below the SDK, which drops a repeated seq silently: a server that sent one twice shows here.
 */
export function recordDevice(user: string, label = user): { WebSocket: WebSocketFactory; log: DeviceLog } {
  const log: DeviceLog = { user, label, received: [], requests: new Map() };
  class RecordingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      const send = this.send.bind(this);
      this.send = ((data: unknown, ...rest: unknown[]) => {
        const frame = typeof data === 'string' && data.startsWith('{"t":"req"') ? (JSON.parse(data) as { id: string }) : undefined;
        if (frame) log.requests.set(frame.id, (log.requests.get(frame.id) ?? 0) + 1);
        return (send as (...args: unknown[]) => void)(data, ...rest);
      }) as WebSocket['send'];
      this.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { t: string; from?: number; seq?: number; type?: string; body?: unknown };
        if (frame.t === 'welcome') log.received.push({ kind: 'welcome', from: frame.from! });
        else if (frame.t === 'ev' && frame.seq !== undefined) log.received.push({ kind: 'event', seq: frame.seq, type: frame.type!, body: JSON.stringify(frame.body) });
      });
    }
  }
  return { WebSocket: RecordingWebSocket as unknown as WebSocketFactory, log };
}

export interface DeviceReport {
  label: string;
  events: number;
  /** Seqs skipped between two events the device received. */
  gaps: number;
  /** Events whose seq the device had already received. */
  duplicates: number;
  /** Events whose type or body differ from the mailbox entry of that seq. */
  mismatched: number;
  /** Mailbox entries after the last event the device received (none once it is live and settled). */
  behind: number;
  /** Requests the SDK sent again under the same id (no answer in time, or a new socket). */
  resends: number;
}

export interface DeliveryReport {
  sent: number;
  deliveredOnce: number;
  lost: number;
  duplicated: number;
  /** Messages whose copy in the sender's own mailbox is missing or repeated. */
  echoMismatches: number;
  /** Messages stored with an id other than the one their sender was answered. */
  wrongId: number;
  /** im.message entries in these users' mailboxes that no sent message accounts for. */
  unexpected: number;
  users: number;
  mailboxEntries: number;
  /** Missing seqs in the users' mailboxes (each must hold 1..head). */
  mailboxGaps: number;
  liveGaps: number;
  liveDuplicates: number;
  liveMismatched: number;
  liveBehind: number;
  requestResends: number;
  devices: DeviceReport[];
}

interface MailboxEntry {
  seq: number;
  type: string;
  body: string;
}

async function readMailboxes(databaseUrl: string): Promise<{ mailboxes: Map<string, MailboxEntry[]>; heads: Map<string, number> }> {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`set search_path to ${client.escapeIdentifier(schema)}`);
    // One snapshot for entries and heads, or a commit between the two reads looks like a gap.
    await client.query('begin transaction isolation level repeatable read read only');
    const rows = await client.query<{ name: string; seq: string; type: string; body: string }>(
      'select u.name, m.seq, e.type, e.body from mailbox m join events e on e.id = m.event_id join users u on u.id = m.user_id order by m.user_id, m.seq',
    );
    const headRows = await client.query<{ name: string; last_seq: string }>('select u.name, h.last_seq from mailbox_heads h join users u on u.id = h.user_id');
    await client.query('commit');
    const mailboxes = new Map<string, MailboxEntry[]>();
    for (const row of rows.rows) {
      const entries = mailboxes.get(row.name) ?? [];
      // Re-serialised, so it compares with what a device received whatever the stored spacing.
      entries.push({ seq: Number(row.seq), type: row.type, body: JSON.stringify(JSON.parse(row.body)) });
      mailboxes.set(row.name, entries);
    }
    return { mailboxes, heads: new Map(headRows.rows.map((row) => [row.name, Number(row.last_seq)])) };
  } finally {
    await client.end();
  }
}

/** Requests the device sent more than once under one id. */
export function resendsOf(log: DeviceLog): number {
  let resends = 0;
  for (const times of log.requests.values()) resends += times - 1;
  return resends;
}

function lastSeq(log: DeviceLog): number {
  for (let i = log.received.length - 1; i >= 0; i--) {
    const entry = log.received[i]!;
    if (entry.kind === 'event') return entry.seq;
  }
  return 0;
}

function checkDevice(log: DeviceLog, mailbox: MailboxEntry[], head: number): DeviceReport {
  const report: DeviceReport = { label: log.label, events: 0, gaps: 0, duplicates: 0, mismatched: 0, behind: 0, resends: resendsOf(log) };
  const bySeq = new Map(mailbox.map((entry) => [entry.seq, entry]));
  let expected: number | undefined;
  for (const entry of log.received) {
    // Only the first welcome sets where the device starts; a resume must go on from where it was.
    if (entry.kind === 'welcome') {
      expected ??= entry.from + 1;
      continue;
    }
    report.events++;
    expected ??= entry.seq;
    if (entry.seq < expected) report.duplicates++;
    else {
      report.gaps += entry.seq - expected;
      expected = entry.seq + 1;
    }
    const stored = bySeq.get(entry.seq);
    if (!stored || stored.type !== entry.type || stored.body !== entry.body) report.mismatched++;
  }
  report.behind = Math.max(0, head - ((expected ?? 1) - 1));
  return report;
}

/**
 * Reads every mailbox straight from the store and classes each sent message as delivered once,
 * lost or duplicated (by its text, in its recipient's mailbox), checks that each mailbox holds
 * seqs 1..head, and that each device received its mailbox without gap or repeat. First waits up
 * to `settleMs` for the store to go quiet (trailing writes such as delivery receipts) and the
 * devices to reach their mailbox heads, so events still on their way are not counted as missing.
 */
export async function checkDelivery(databaseUrl: string, sent: readonly SentMessage[], devices: readonly DeviceLog[], settleMs = 10_000): Promise<DeliveryReport> {
  let store = await readMailboxes(databaseUrl);
  let previousHeads = '';
  const settled = async () => {
    store = await readMailboxes(databaseUrl);
    const heads = JSON.stringify([...store.heads].sort());
    const quiet = heads === previousHeads;
    previousHeads = heads;
    return quiet && devices.every((log) => lastSeq(log) >= (store.heads.get(log.user) ?? 0));
  };
  await pollUntil('devices to reach their mailbox heads', settled, settleMs, 250).catch(() => {});
  const { mailboxes, heads } = store;

  const copies = new Map<string, string[]>();
  for (const [owner, entries] of mailboxes) {
    for (const entry of entries) {
      if (entry.type !== 'im.message') continue;
      const body = JSON.parse(entry.body) as { id: string; from: string; text: string };
      const key = `${owner}\n${body.from}\n${body.text}`;
      copies.set(key, [...(copies.get(key) ?? []), body.id]);
    }
  }
  const report: DeliveryReport = {
    sent: sent.length,
    deliveredOnce: 0,
    lost: 0,
    duplicated: 0,
    echoMismatches: 0,
    wrongId: 0,
    unexpected: 0,
    users: mailboxes.size,
    mailboxEntries: 0,
    mailboxGaps: 0,
    liveGaps: 0,
    liveDuplicates: 0,
    liveMismatched: 0,
    liveBehind: 0,
    requestResends: 0,
    devices: [],
  };
  let accounted = 0;
  for (const message of sent) {
    const inbox = copies.get(`${message.to}\n${message.from}\n${message.text}`) ?? [];
    const echo = copies.get(`${message.from}\n${message.from}\n${message.text}`) ?? [];
    accounted += inbox.length + echo.length;
    if (inbox.length === 0) report.lost++;
    else if (inbox.length === 1) report.deliveredOnce++;
    else report.duplicated++;
    if (echo.length !== 1) report.echoMismatches++;
    if (message.messageId !== undefined && inbox.some((id) => id !== message.messageId)) report.wrongId++;
  }
  report.unexpected = [...copies.values()].reduce((sum, ids) => sum + ids.length, 0) - accounted;

  for (const [owner, entries] of mailboxes) {
    report.mailboxEntries += entries.length;
    const head = heads.get(owner) ?? 0;
    const seqs = new Set(entries.map((entry) => entry.seq));
    const top = entries.reduce((max, entry) => Math.max(max, entry.seq), head);
    for (let seq = 1; seq <= top; seq++) if (!seqs.has(seq)) report.mailboxGaps++;
  }
  for (const log of devices) {
    const device = checkDevice(log, mailboxes.get(log.user) ?? [], heads.get(log.user) ?? 0);
    report.devices.push(device);
    report.liveGaps += device.gaps;
    report.liveDuplicates += device.duplicates;
    report.liveMismatched += device.mismatched;
    report.liveBehind += device.behind;
    report.requestResends += device.resends;
  }
  return report;
}

/** One line of totals, then a line per device that saw anything wrong. */
export function formatReport(title: string, report: DeliveryReport): string {
  const { devices, ...totals } = report;
  const lines = [`${title}: ${Object.entries(totals).map(([key, value]) => `${key}=${value}`).join(' ')} devices=${devices.length}`];
  for (const d of devices) {
    if (d.gaps || d.duplicates || d.mismatched || d.behind) lines.push(`  ${d.label}: events=${d.events} gaps=${d.gaps} duplicates=${d.duplicates} mismatched=${d.mismatched} behind=${d.behind}`);
  }
  return lines.join('\n');
}

/** Every sent message stored once for its recipient and its sender, every mailbox and device without gap or repeat. */
export function assertDeliveredOnce(report: DeliveryReport): void {
  assert.equal(report.deliveredOnce, report.sent, 'every message in its recipient\'s mailbox exactly once');
  assert.deepEqual(
    { lost: report.lost, duplicated: report.duplicated, echoMismatches: report.echoMismatches, wrongId: report.wrongId, unexpected: report.unexpected, mailboxGaps: report.mailboxGaps },
    { lost: 0, duplicated: 0, echoMismatches: 0, wrongId: 0, unexpected: 0, mailboxGaps: 0 },
  );
  assert.deepEqual(
    { liveGaps: report.liveGaps, liveDuplicates: report.liveDuplicates, liveMismatched: report.liveMismatched, liveBehind: report.liveBehind },
    { liveGaps: 0, liveDuplicates: 0, liveMismatched: 0, liveBehind: 0 },
    'what each device received live (behind: in the mailbox but never sent to the device)',
  );
}
