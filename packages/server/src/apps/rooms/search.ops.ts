import type { RoomMessage } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import { queryWords } from '../../store/text-search.repo.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { present } from './messages.repo.ts';
import { searchMessages } from './search.repo.ts';

const DEFAULT_PAGE = 20;

export const searchOps: AppOps<RoomsTables> = {
  'rooms.search': {
    async read(input, request, ctx) {
      const words = queryWords(input.query);
      if (words.length === 0) return { results: [], next: null };
      const limit = input.limit ?? DEFAULT_PAGE;
      const offset = input.offset ?? 0;
      const rows = await searchMessages(ctx.db, { words, userId: request.caller!.userId, from: input.from, room: input.in, before: input.before, after: input.after, limit: limit + 1, offset });
      const page = rows.slice(0, limit);
      const byId = new Map<string, RoomMessage>();
      for (const room of new Set(page.map((row) => row.room_name))) {
        for (const message of await present(ctx.db, page.filter((row) => row.room_name === room), room)) byId.set(message.id, message);
      }
      return { results: page.map((row) => ({ message: byId.get(row.id)!, score: row.score })), next: rows.length > limit ? offset + limit : null };
    },
  },
};
