/** The parent's handle on load-generator processes: fork, one request at a time over IPC, stop. */
import { fork, type ChildProcess } from 'node:child_process';
import type { Command, Reply } from './ipc.ts';
import { stopChild, track } from './processes.ts';

export class Generator {
  private nextRid = 0;
  private readonly waiting = new Map<number, { resolve(body: unknown): void; reject(error: Error): void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const entry = this.waiting.get(reply.rid);
      if (!entry) return;
      this.waiting.delete(reply.rid);
      if (reply.ok) entry.resolve(reply.body);
      else entry.reject(new Error(`generator ${child.pid}: ${reply.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const entry of this.waiting.values()) entry.reject(new Error(`generator ${child.pid} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  static start(): Generator {
    const child = fork(new URL('./loadgen.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Generator(track(child));
  }

  get pid(): number {
    return this.child.pid!;
  }

  request<T>(command: Command, timeoutMs = 600_000): Promise<T> {
    const rid = ++this.nextRid;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(rid);
        reject(new Error(`generator ${this.pid}: no answer to ${command.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(rid, {
        resolve: (body) => {
          clearTimeout(timer);
          resolve(body as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ rid, command });
    });
  }

  async stop(): Promise<void> {
    if (this.child.connected) await this.request({ cmd: 'close' }, 30_000).catch(() => {});
    await stopChild(this.child, 3000);
  }
}
