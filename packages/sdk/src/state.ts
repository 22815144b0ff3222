import { compareNames, type Announcement, type BuddyList, type ImMessage, type PodEvent, type Reaction } from '@pod/protocol';

/** Applies a buddy-list event to a fetched list, as a client keeps it current without refetching. */
export function applyBuddyEvent(list: BuddyList, event: PodEvent): BuddyList {
  switch (event.type) {
    case 'buddy.entry': {
      const buddies = list.buddies.filter((b) => b.name !== event.body.name);
      if (event.body.entry) buddies.push(event.body.entry);
      buddies.sort((a, b) => compareNames(a.name, b.name));
      return { ...list, buddies };
    }
    case 'buddy.groups':
      return { ...list, groups: event.body.groups };
    case 'buddy.blocked': {
      const blocked = list.blocked.filter((n) => n !== event.body.name);
      if (event.body.blocked) blocked.push(event.body.name);
      blocked.sort(compareNames);
      return { ...list, blocked };
    }
    default:
      return list;
  }
}

/** Applies message, receipt, edit, delete and reaction events to a conversation's messages (oldest first). */
export function applyHistoryEvent(messages: ImMessage[], event: PodEvent, me: string, other: string): ImMessage[] {
  if (event.type === 'im.edited' || event.type === 'im.deleted' || event.type === 'im.reaction') return applyChange(messages, event);
  if (event.type === 'im.message') {
    const m = event.body;
    const inConversation = (m.from === me && m.to === other) || (m.from === other && m.to === me);
    if (!inConversation || messages.some((x) => x.id === m.id)) return messages;
    return [...messages, m].sort((a, b) => a.order - b.order);
  }
  if (event.type === 'im.receipt') {
    const ids = new Set(event.body.ids);
    return messages.map((m) => {
      if (!ids.has(m.id)) return m;
      if (event.body.kind === 'read') return { ...m, readAt: m.readAt ?? event.body.at, deliveredAt: m.deliveredAt ?? event.body.at };
      return { ...m, deliveredAt: m.deliveredAt ?? event.body.at };
    });
  }
  return messages;
}

/** Applies announcement events to a fetched list (newest first), as `announcements.list` would answer now. */
export function applyAnnouncementEvent(list: Announcement[], event: PodEvent): Announcement[] {
  switch (event.type) {
    case 'announcement.posted':
      return [event.body, ...list.filter((a) => a.id !== event.body.id)].sort((a, b) => b.id - a.id);
    case 'announcement.dismissed':
      return list.map((a) => (a.id === event.body.id ? { ...a, dismissed: true } : a));
    case 'announcement.removed':
      return list.filter((a) => a.id !== event.body.id);
    default:
      return list;
  }
}

type Change = Extract<PodEvent, { type: 'im.edited' | 'im.deleted' | 'im.reaction' }>;

function applyChange(messages: ImMessage[], event: Change): ImMessage[] {
  const { id } = event.body;
  return messages.map((m) => {
    const quote = m.replyTo?.id === id ? quoteAfter(m.replyTo, event) : m.replyTo;
    const quoted = quote === m.replyTo ? m : { ...m, replyTo: quote! };
    if (m.id !== id) return quoted;
    if (event.type === 'im.edited') return { ...quoted, text: event.body.text, editedAt: event.body.editedAt };
    if (event.type === 'im.deleted') {
      const { attachments: _a, reactions: _r, ...rest } = quoted;
      return { ...rest, text: '', deletedAt: event.body.at };
    }
    const reactions = applyReaction(quoted.reactions ?? [], event.body.emoji, event.body.user, event.body.added);
    const { reactions: _old, ...rest } = quoted;
    return reactions.length > 0 ? { ...rest, reactions } : rest;
  });
}

function quoteAfter(quote: NonNullable<ImMessage['replyTo']>, event: Change): ImMessage['replyTo'] {
  if (event.type === 'im.edited') return { ...quote, text: event.body.text };
  if (event.type === 'im.deleted') return { ...quote, text: '', deleted: true };
  return quote;
}

/** One reaction added or taken back, as the server counts them: per emoji, who in the order they reacted. */
export function applyReaction(reactions: Reaction[], emoji: string, user: string, added: boolean): Reaction[] {
  const next = reactions.map((r) => ({ ...r, users: [...r.users] }));
  let reaction = next.find((r) => r.emoji === emoji);
  if (added) {
    if (!reaction) next.push((reaction = { emoji, count: 0, users: [] }));
    if (!reaction.users.includes(user)) reaction.users.push(user);
  } else if (reaction) {
    reaction.users = reaction.users.filter((u) => u !== user);
  }
  for (const r of next) r.count = r.users.length;
  return next.filter((r) => r.count > 0);
}
