/** `@name` not inside a word or an address (`mail@host` is no mention). */
const MENTION = /(?<![\w@.-])@([a-z0-9][a-z0-9_.-]{0,31})/gi;

/** The names a text mentions, lower case, once each; `room` stands for `@room`. */
export function mentionedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) names.add(match[1]!.toLowerCase().replace(/[.-]+$/, ''));
  return [...names];
}

/**
 * Who a message notifies: members it names (never the sender), and everyone for `@room` when
 * the sender may call the whole room. Answers the mentions to record and the ids to notify.
 */
export function resolveMentions(
  text: string,
  senderId: number,
  mayCallRoom: boolean,
  members: ReadonlyMap<string, number>,
): { mentions: string[]; notify: number[] } {
  const mentions: string[] = [];
  const notify = new Set<number>();
  for (const name of mentionedNames(text)) {
    if (name === 'room' && mayCallRoom) {
      mentions.push('room');
      for (const id of members.values()) if (id !== senderId) notify.add(id);
      continue;
    }
    const id = members.get(name);
    if (id === undefined) continue;
    mentions.push(name);
    if (id !== senderId) notify.add(id);
  }
  return { mentions, notify: [...notify] };
}
