import { PodError, type PodEvent } from '@pod/protocol';
import { connectNode } from '@pod/sdk/node';
import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, jsonOption, outputFor } from '../output.ts';
import { announcementExcerpt } from './announce.ts';
import { showPresence } from './presence.ts';
import { showRoomEvent } from './rooms-format.ts';

const CONNECT_TIMEOUT_MS = 15_000;

/** `pod listen`: the event stream, one line per event, until interrupted. */
export function registerListen(program: Command): void {
  jsonOption(
    program
      .command('listen')
      .description('print each event as it arrives (messages, receipts, buddy changes, presence, rooms) until interrupted')
      .option('--resume', 'first print what arrived since the last pod listen of this login stopped')
      .addHelpText('after', '\nWith --json: one JSON object per line, {"seq"?, "type", "body"}; presence events carry no seq.'),
  ).action(async (flags: { resume?: boolean }, command: Command) => {
    const out = outputFor(command);
    const api = signedIn();
    // Over HTTP first: an unreachable server or an ended session fails fast with its code.
    const { user } = await api.call('auth.whoami', {});
    // Without --resume, start at the mailbox head: the server never replays beyond it.
    const client = connectNode({ url: api.session.server, token: api.session.token, ...(flags.resume ? {} : { after: Number.MAX_SAFE_INTEGER }) });
    const stopped = watchSignals();
    const ended = new Promise<PodError | undefined>((resolve) => client.onState((state, detail) => state === 'closed' && resolve(detail)));
    let wasLive = false;
    client.onState((state) => {
      if (state === 'connecting' && wasLive) out.note('connection lost; reconnecting');
      if (state === 'live') {
        if (wasLive) out.note('reconnected');
        wasLive = true;
      }
    });
    const printing = (async () => {
      for await (const event of client.events()) out.stream(event, (e) => showEvent(e, user.name));
    })();
    await withTimeout(client.connect(), CONNECT_TIMEOUT_MS, () => client.close());
    out.note(`listening as ${user.name} on ${api.session.server}; Ctrl-C to stop`);
    const signal = await Promise.race([stopped, ended]);
    client.close();
    await printing;
    if (signal instanceof PodError) throw signal;
  });
}

/** Resolves on SIGINT or SIGTERM; the caller then closes the client, which flushes its last acknowledgement. */
function watchSignals(): Promise<'signal'> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve('signal');
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new PodError('unavailable', `no connection to the server's WebSocket within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One readable line per event. */
export function showEvent(event: PodEvent, me: string): string {
  switch (event.type) {
    case 'im.message': {
      const m = event.body;
      return m.from === me ? `[${formatTime(m.at)}] to ${m.to}: ${m.text}` : `[${formatTime(m.at)}] ${m.from}: ${m.text}`;
    }
    case 'im.receipt': {
      const { by, kind, ids } = event.body;
      return `${by} ${kind === 'read' ? 'read' : 'received'} ${ids.length === 1 ? 'your message' : `${ids.length} of your messages`}`;
    }
    case 'im.edited':
      return `${event.body.from} edited message ${event.body.id}: ${event.body.text}`;
    case 'im.deleted':
      return `${event.body.from} deleted message ${event.body.id}`;
    case 'im.reaction':
      return `${event.body.user} ${event.body.added ? 'reacted' : 'took back'} ${event.body.emoji} on ${event.body.id}`;
    case 'im.typing':
      return `${event.body.from} is typing`;
    case 'buddy.entry': {
      const { name, entry } = event.body;
      if (entry === null) return `${name} is no longer on your buddy list`;
      if (entry.state === 'incoming') return `${name} wants to be your buddy: pod buddies accept ${name}, or decline`;
      if (entry.state === 'outgoing') return `asked ${name} to be your buddy (group ${entry.group})`;
      return `${name} is your buddy (group ${entry.group})`;
    }
    case 'buddy.groups':
      return `your buddy groups: ${event.body.groups.join(', ') || '(none)'}`;
    case 'buddy.blocked':
      return `${event.body.blocked ? 'blocked' : 'unblocked'} ${event.body.name}`;
    case 'presence':
      return showPresence(event.body);
    case 'files.changed': {
      const { entries, removed } = event.body;
      const changed = entries.map((entry) => `${entry.name}${entry.trashedAt ? ' (in the trash)' : ''}`);
      return `your files changed: ${[...changed, ...(removed.length ? [`${removed.length} deleted for good`] : [])].join(', ')}`;
    }
    case 'announcement.posted':
      return `announcement ${event.body.id} from ${event.body.author}: ${announcementExcerpt(event.body)}`;
    case 'announcement.dismissed':
      return `you dismissed announcement ${event.body.id}`;
    case 'announcement.removed':
      return `announcement ${event.body.id} was removed`;
    default:
      return showRoomEvent(event, me);
  }
}
