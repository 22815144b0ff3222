import type { Reaction } from '@pod/protocol';

/**
 * Reactions as clients see them, from stored rows in the order people reacted: per message,
 * each emoji once (in order of first use) with who used it.
 */
export function groupReactions(rows: ReadonlyArray<{ message_id: string; emoji: string; user_name: string }>): Map<string, Reaction[]> {
  const out = new Map<string, Reaction[]>();
  for (const row of rows) {
    const list = out.get(row.message_id) ?? [];
    let reaction = list.find((r) => r.emoji === row.emoji);
    if (!reaction) list.push((reaction = { emoji: row.emoji, count: 0, users: [] }));
    reaction.count++;
    reaction.users.push(row.user_name);
    out.set(row.message_id, list);
  }
  return out;
}
