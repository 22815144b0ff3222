import type { ImMessage, RoomMessage } from '@pod/protocol';
import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, outputFor } from '../output.ts';

type Hit = { message: RoomMessage | ImMessage; score: number };

/**
 * `pod search --messages`: rooms and 1:1 conversations are searched by their own application
 * servers; the pages are merged best first. `--in #room` asks rooms only.
 */
export async function searchMessages(query: string, flags: { limit?: number; in?: string; from?: string }, command: Command): Promise<void> {
  const api = signedIn();
  const common = { query, ...(flags.from !== undefined ? { from: flags.from } : {}), ...(flags.limit !== undefined ? { limit: flags.limit } : {}) };
  const inRoom = flags.in?.startsWith('#');
  const where = flags.in?.replace(/^#/, '');
  const [rooms, direct] = await Promise.all([
    api.call('rooms.search', where === undefined ? common : { ...common, in: where }),
    inRoom ? undefined : api.call('im.search', where === undefined ? common : { ...common, in: where }),
  ]);
  const results: Hit[] = [...rooms.results, ...(direct?.results ?? [])].sort((a, b) => b.score - a.score).slice(0, flags.limit ?? 20);
  outputFor(command).result({ results }, ({ results: hits }) => {
    if (hits.length === 0) return `no message matches "${query}"`;
    return hits.map(({ message: m }) => `${'room' in m ? `#${m.room}` : `${m.from} -> ${m.to}`} [${formatTime(m.at)}] ${m.from}: ${m.text}  ${m.id}`);
  });
}
