import { searchMessages as search, type MessageSearch } from '@pod/sdk/node';
import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, outputFor } from '../output.ts';

export interface SearchFlags {
  limit?: number;
  in?: string;
  from?: string;
  after?: string;
  before?: string;
}

/** `--in #room`: that room; `--in NAME`: the room named so, and the conversation with NAME. */
function where(given: string): MessageSearch['in'] {
  return given.startsWith('#') ? { room: given.slice(1) } : { name: given };
}

/** `pod search --messages`: the best matches among the messages of my rooms and 1:1 conversations. */
export async function searchMessages(query: string, flags: SearchFlags, command: Command): Promise<void> {
  const api = signedIn();
  const limit = flags.limit ?? 20;
  const { hits } = await search((op, body) => api.call(op, body), api.session.user, {
    query,
    limit,
    ...(flags.from !== undefined ? { from: flags.from } : {}),
    ...(flags.in !== undefined ? { in: where(flags.in) } : {}),
    ...(flags.after !== undefined ? { after: flags.after } : {}),
    ...(flags.before !== undefined ? { before: flags.before } : {}),
  });
  const results = hits.slice(0, limit).map(({ message, score }) => ({ message, score }));
  outputFor(command).result({ results }, ({ results: found }) => {
    if (found.length === 0) return `no message matches "${query}"`;
    return found.map(({ message: m }) => `${'room' in m ? `#${m.room}` : `${m.from} -> ${m.to}`} [${formatTime(m.at)}] ${m.from}: ${m.text}  ${m.id}`);
  });
}
