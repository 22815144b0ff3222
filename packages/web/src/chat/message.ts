import type { FileAttachment, Reaction, ReplyQuote } from '@pod/protocol';

/**
 * What the timeline shows of a message: a 1:1 message and a room message both fit (the first
 * leaves absent what the second sets to null).
 */
export interface ChatMessage {
  id: string;
  from: string;
  text: string;
  at: string;
  order: number;
  replyTo?: ReplyQuote | null;
  editedAt?: string | null;
  deletedAt?: string | null;
  reactions?: Reaction[];
  attachments?: FileAttachment[];
}

/** Adds a message I sent to the list unless its event got there first. */
export function withSent<T extends ChatMessage>(list: T[], sent: T): T[] {
  return list.some((m) => m.id === sent.id) ? list : [...list, sent].sort((a, b) => a.order - b.order);
}

/** Puts a page of older history (in any order) before the list, leaving out what it already has. */
export function withOlder<T extends ChatMessage>(list: T[], page: readonly T[]): T[] {
  const older = page.slice().sort((a, b) => a.order - b.order);
  return [...older.filter((m) => !list.some((x) => x.id === m.id)), ...list];
}

/** Replaces a message with the server's answer about it (an edit, a reaction). */
export function withChanged<T extends ChatMessage>(list: T[], changed: T): T[] {
  return list.map((m) => (m.id === changed.id ? changed : m));
}

/** `@name` not inside a word or an address, as the rooms server reads mentions. */
const MENTION = /(?<![\w@.-])@([a-z0-9][a-z0-9_.-]{0,31})/gi;

/** Splits text around @names so they can be marked, as text nodes, never as HTML. */
export function mentionParts(text: string): { text: string; mention?: string }[] {
  const parts: { text: string; mention?: string }[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const name = match[1]!.replace(/[.-]+$/, '');
    const end = match.index + name.length + 1;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: text.slice(match.index, end), mention: name.toLowerCase() });
    last = end;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
