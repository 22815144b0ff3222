import { connectNode, login, type PodClient } from '@pod/sdk/node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { killableSockets } from './helpers/killable.ts';
import { startTestPod, type TestPod, type TestUser } from './helpers/pod.ts';

/** The model: the recipient's mailbox is exactly the messages sent to them, in order. */
interface Model {
  sent: string[];
}

/**
 * One of the recipient's devices (its own session) as the test sees it: every message it
 * was handed, across all its connections, checked on arrival for order, gaps and repeats.
 */
class Device {
  client: PodClient | undefined;
  private sockets = killableSockets();
  readonly received: Array<{ seq: number; text: string }> = [];
  readonly violations: string[] = [];
  /** Replays at or below this seq are dropped, as a device must after resuming from its stored cursor. */
  private dropUpTo = 0;
  /** What this device acknowledged before the last restart: its stored cursor can be no older. */
  ackedBeforeRestart = 0;
  acked = 0;

  constructor(
    readonly index: number,
    private readonly token: string,
    private readonly url: () => string,
  ) {}

  get last(): number {
    return this.received.at(-1)?.seq ?? 0;
  }

  async connect(fromStoredCursor: boolean): Promise<void> {
    this.sockets = killableSockets();
    this.dropUpTo = fromStoredCursor ? this.last : 0;
    const client = connectNode({
      url: this.url(),
      token: this.token,
      // Without `after` the server replays from the session's stored cursor.
      after: fromStoredCursor ? undefined : this.last,
      WebSocket: this.sockets.WebSocket,
      deliveryReceipts: false,
      requestTimeoutMs: 5000,
    });
    client.onState((state) => {
      if (state !== 'syncing') return; // the welcome just set lastSeq to where the replay starts
      if (client.lastSeq > this.last) this.violations.push(`device ${this.index}: replay starts after ${client.lastSeq}, beyond the ${this.last} it holds`);
      if (fromStoredCursor && client.lastSeq < this.ackedBeforeRestart) this.violations.push(`device ${this.index}: stored cursor ${client.lastSeq} lost the ack of ${this.ackedBeforeRestart}`);
    });
    client.on('im.message', (event) => this.receive(event.seq ?? -1, event.body.text));
    this.client = client;
    await client.connect();
  }

  private receive(seq: number, text: string): void {
    if (seq <= this.dropUpTo) return;
    const expected = this.last + 1;
    if (seq !== expected) this.violations.push(`device ${this.index}: got seq ${seq} after ${this.last}`);
    this.received.push({ seq, text });
  }

  /** Cuts the socket abruptly, as a lost network does; the SDK reconnects by itself. */
  drop(): void {
    this.sockets.kill();
  }

  /** Cuts the socket abruptly and stops the client: the device goes away. */
  disconnect(): void {
    this.sockets.kill();
    this.client?.close();
    this.client = undefined;
  }

  /**
   * Acknowledges everything received, on the socket. A request answered on the same socket
   * afterwards proves the server took the ack, since it handles one socket's frames in order.
   */
  async ack(): Promise<void> {
    const client = this.client;
    if (!client || client.state !== 'live') return;
    const seq = client.lastSeq;
    const socketsBefore = this.sockets.opened();
    this.sockets.send(JSON.stringify({ t: 'ack', seq }));
    await client.request('settings.get', {});
    if (this.sockets.opened() === socketsBefore) this.acked = Math.max(this.acked, seq);
  }

  /** Resolves once this device holds `count` messages; fails with what it has after `ms`. */
  async caughtUp(count: number, ms = 10_000): Promise<void> {
    const client = this.client;
    if (!client || this.last >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`device ${this.index} holds ${this.last} of ${count} messages after ${ms} ms (client ${client.state})`));
      }, ms);
      const stop = client.on('im.message', () => {
        if (this.last < count) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}

interface Real {
  pod: TestPod;
  sender: TestUser;
  recipient: string;
  devices: Device[];
}

type DeliveryCommand = fc.AsyncCommand<Model, Real>;

/** After every step: nothing a device was handed came twice, out of order or after a gap. */
function assertNoViolations(real: Real): void {
  for (const device of real.devices) assert.deepEqual(device.violations, [], `device ${device.index}`);
}

class Connect implements DeliveryCommand {
  constructor(
    readonly device: number,
    readonly fromStoredCursor: boolean,
  ) {}
  check = () => true;
  async run(_model: Model, real: Real): Promise<void> {
    const device = real.devices[this.device]!;
    if (device.client) return;
    await device.connect(this.fromStoredCursor);
    assertNoViolations(real);
  }
  toString = () => `Connect(${this.device}${this.fromStoredCursor ? ', from stored cursor' : ''})`;
}

class Disconnect implements DeliveryCommand {
  constructor(readonly device: number) {}
  check = () => true;
  async run(_model: Model, real: Real): Promise<void> {
    real.devices[this.device]!.disconnect();
    assertNoViolations(real);
  }
  toString = () => `Disconnect(${this.device})`;
}

class Drop implements DeliveryCommand {
  constructor(readonly device: number) {}
  check = () => true;
  async run(_model: Model, real: Real): Promise<void> {
    real.devices[this.device]!.drop();
    assertNoViolations(real);
  }
  toString = () => `Drop(${this.device})`;
}

class Send implements DeliveryCommand {
  constructor(readonly text: string) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const message = await real.sender.op('im.send', { to: real.recipient, text: this.text });
    assert.equal(message.text, this.text);
    model.sent.push(this.text);
    assertNoViolations(real);
  }
  toString = () => `Send(${JSON.stringify(this.text)})`;
}

class Ack implements DeliveryCommand {
  constructor(readonly device: number) {}
  check = () => true;
  async run(_model: Model, real: Real): Promise<void> {
    await real.devices[this.device]!.ack();
    assertNoViolations(real);
  }
  toString = () => `Ack(${this.device})`;
}

class Restart implements DeliveryCommand {
  check = () => true;
  async run(_model: Model, real: Real): Promise<void> {
    for (const device of real.devices) device.ackedBeforeRestart = device.acked;
    await real.pod.restart();
    assertNoViolations(real);
  }
  toString = () => 'Restart';
}

const device = fc.integer({ min: 0, max: 1 });
const connect = fc.tuple(device, fc.boolean()).map(([d, fromCursor]) => new Connect(d, fromCursor));
const send = fc.string({ minLength: 1, maxLength: 20 }).map((text) => new Send(text));
const ack = device.map((d) => new Ack(d));
// Listed twice: connects, sends and acks are what the others act on.
const commands = fc.commands(
  [connect, connect, send, send, ack, ack, device.map((d) => new Disconnect(d)), device.map((d) => new Drop(d)), fc.constant(new Restart())],
  { maxCommands: 30, size: 'max' },
);

describe('mailbox delivery against a model, with two devices, drops and restarts', () => {
  let pod: TestPod;
  let sender: TestUser;
  let run = 0;
  before(async () => {
    pod = await startTestPod();
    sender = await pod.user('sender');
  });
  after(() => pod.close());

  it('hands every device every message exactly once, in seq order, without a gap', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (steps) => {
        const recipient = await pod.user(`recipient-${run++}`, { messagesFrom: 'anyone' });
        const devices = await Promise.all(
          [0, 1].map(async (index) => {
            const { token } = await login(pod.url, recipient.name, recipient.password, `device ${index}`);
            return new Device(index, token, () => pod.url);
          }),
        );
        const real: Real = { pod, sender, recipient: recipient.name, devices };
        const model: Model = { sent: [] };
        try {
          await fc.asyncModelRun(() => ({ model, real }), steps);
          // Finally the server restarts (writing every cursor) and every device comes back,
          // those away from their stored cursor, and must hold exactly the model mailbox.
          await new Restart().run(model, real);
          for (const d of devices) {
            if (!d.client) await d.connect(true);
            await d.caughtUp(model.sent.length, 20_000);
          }
          assertNoViolations(real);
          for (const d of devices) {
            assert.deepEqual(d.received.map((m) => m.seq), model.sent.map((_, i) => i + 1), `device ${d.index} seqs`);
            assert.deepEqual(d.received.map((m) => m.text), model.sent, `device ${d.index} texts`);
          }
        } finally {
          for (const d of devices) d.close();
        }
      }),
      // A run that hangs fails with its commands instead of stalling the suite.
      { numRuns: 40, timeout: 60_000, includeErrorInReport: true },
    );
  });
});
