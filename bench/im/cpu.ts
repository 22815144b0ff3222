/**
 * CPU time by group of processes, from one scan of /proc per second: a group may hold
 * processes that are not the benchmark's children (PostgreSQL backends, nats-server), and a
 * process that starts or ends inside the window counts for the part of it that it lived.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CLOCK_TICKS, machineBusyTicks } from './processes.ts';
import { median } from './stats.ts';

interface ProcInfo {
  ppid: number;
  /** utime + stime, clock ticks. */
  ticks: number;
  comm: string;
}

/** Every process on the machine at one moment. */
export class Snapshot {
  private children?: Map<number, number[]>;

  private constructor(readonly procs: Map<number, ProcInfo>) {}

  static take(): Snapshot {
    const procs = new Map<number, ProcInfo>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const text = readFileSync(`/proc/${name}/stat`, 'utf8');
        const close = text.lastIndexOf(')');
        const fields = text.slice(close + 2).split(' ');
        procs.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), comm: text.slice(text.indexOf('(') + 1, close) });
      } catch {
        // exited meanwhile
      }
    }
    return new Snapshot(procs);
  }

  /** The process and its descendants that exist now. */
  tree(root: number): number[] {
    if (!this.procs.has(root)) return [];
    if (!this.children) {
      this.children = new Map();
      for (const [pid, p] of this.procs) {
        const list = this.children.get(p.ppid);
        if (list) list.push(pid);
        else this.children.set(p.ppid, [pid]);
      }
    }
    const out = [root];
    for (let i = 0; i < out.length; i++) out.push(...(this.children.get(out[i]!) ?? []));
    return out;
  }

  byComm(comm: string): number[] {
    return [...this.procs].filter(([, p]) => p.comm === comm).map(([pid]) => pid);
  }
}

export interface CpuGroup {
  name: string;
  /** Its processes in a snapshot (asked once a second; the union over the window counts). */
  pids(snapshot: Snapshot): number[];
}

export const treeGroup = (name: string, root: number): CpuGroup => ({ name, pids: (s) => s.tree(root) });

export interface GroupCpu {
  seconds: number;
  /** CPU seconds per group over the window, and what the rest of the machine used (this benchmark's own processes left out). */
  cpuSeconds: Record<string, number>;
  otherSeconds: number;
  /** Per-second samples per group, then 'other', in % of one core. */
  samples: number[][];
}

/** Samples the groups once a second from construction to `stop()`. */
export class GroupSampler {
  private readonly first: Snapshot;
  private readonly latest = new Map<number, number>();
  private readonly members: Array<Set<number>>;
  private readonly samples: number[][];
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private readonly machineStart = machineBusyTicks();
  private lastAt = this.startedAt;
  private lastMachine = this.machineStart;
  private ourTicks = 0;

  constructor(private readonly groups: CpuGroup[]) {
    this.first = Snapshot.take();
    this.members = groups.map(() => new Set());
    this.samples = [...groups, null].map(() => []);
    this.observe(this.first);
    this.timer = setInterval(() => this.sample(), 1000);
  }

  /** Ticks at the start of the window: a process born after it started from 0. */
  private base(pid: number): number {
    return this.first.procs.get(pid)?.ticks ?? 0;
  }

  /** Records the snapshot's ticks; answers each group's ticks since the previous one, then the ticks of everything counted (groups and this benchmark). */
  private observe(snapshot: Snapshot): { perGroup: number[]; counted: number } {
    const counted = new Set(snapshot.tree(process.pid));
    const delta = (pid: number) => {
      const now = snapshot.procs.get(pid)?.ticks;
      if (now === undefined) return 0;
      return now - (this.latest.get(pid) ?? this.base(pid));
    };
    const perGroup = this.groups.map((group, i) => {
      let ticks = 0;
      for (const pid of group.pids(snapshot)) {
        this.members[i]!.add(pid);
        counted.add(pid);
        ticks += delta(pid);
      }
      return ticks;
    });
    let total = 0;
    for (const pid of counted) total += delta(pid);
    for (const pid of counted) {
      const ticks = snapshot.procs.get(pid)?.ticks;
      if (ticks !== undefined) this.latest.set(pid, ticks);
    }
    this.ourTicks += total;
    return { perGroup, counted: total };
  }

  private sample(): void {
    const now = performance.now();
    const machine = machineBusyTicks();
    const { perGroup, counted } = this.observe(Snapshot.take());
    const seconds = (now - this.lastAt) / 1000;
    const pct = (ticks: number) => Math.max(0, (ticks / CLOCK_TICKS / seconds) * 100);
    perGroup.forEach((t, i) => this.samples[i]!.push(pct(t)));
    this.samples.at(-1)!.push(pct(machine - this.lastMachine - counted));
    this.lastAt = now;
    this.lastMachine = machine;
  }

  stop(): GroupCpu {
    clearInterval(this.timer);
    this.sample();
    const cpuSeconds: Record<string, number> = {};
    this.groups.forEach((group, i) => {
      let ticks = 0;
      for (const pid of this.members[i]!) ticks += (this.latest.get(pid) ?? this.base(pid)) - this.base(pid);
      cpuSeconds[group.name] = (cpuSeconds[group.name] ?? 0) + ticks / CLOCK_TICKS;
    });
    return {
      seconds: (performance.now() - this.startedAt) / 1000,
      cpuSeconds,
      otherSeconds: Math.max(0, (this.lastMachine - this.machineStart - this.ourTicks) / CLOCK_TICKS),
      samples: this.samples,
    };
  }
}

/** Element-wise sum of several groups' per-second series, then its median. */
export function medianOfSum(series: number[][]): number {
  if (series.length === 0) return 0;
  const length = Math.min(...series.map((s) => s.length));
  return median(Array.from({ length }, (_, i) => series.reduce((a, s) => a + s[i]!, 0)));
}
