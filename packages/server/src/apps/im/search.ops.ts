import type { AppOps } from '../../runtime/app.ts';
import { queryWords } from '../../store/text-search.repo.ts';
import type { ImTables } from '../../store/schema.ts';
import { present } from './im.repo.ts';
import { searchMessages } from './search.repo.ts';

const DEFAULT_PAGE = 20;

export const searchOps: AppOps<ImTables> = {
  'im.search': {
    async read(input, request, ctx) {
      const words = queryWords(input.query);
      if (words.length === 0) return { results: [], next: null };
      const limit = input.limit ?? DEFAULT_PAGE;
      const offset = input.offset ?? 0;
      const caller = request.caller!;
      const rows = await searchMessages(ctx.db, { words, userId: caller.userId, me: caller.name, from: input.from, with: input.in, before: input.before, after: input.after, limit: limit + 1, offset });
      const page = rows.slice(0, limit);
      const messages = await present(ctx.db, page);
      return { results: page.map((row, i) => ({ message: messages[i]!, score: row.score })), next: rows.length > limit ? offset + limit : null };
    },
  },
};
