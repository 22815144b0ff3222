import { compareNames, type Announcement, type BuddyList, type ImMessage, type PodEvent } from '@pod/protocol';

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

/** Applies message and receipt events to a conversation's messages (oldest first). */
export function applyHistoryEvent(messages: ImMessage[], event: PodEvent, me: string, other: string): ImMessage[] {
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
