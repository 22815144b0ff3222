import type { MyRoom, PodEvent, PresenceStatus, RoomInvitation, RoomMember, RoomMessage } from '@pod/protocol';
import { applyReaction } from './state.ts';

/** Applies room events to a fetched page of a room's history (oldest first), as a client keeps it current. */
export function applyRoomHistoryEvent(messages: RoomMessage[], event: PodEvent, room: string): RoomMessage[] {
  if (!event.type.startsWith('room.') || (event.body as { room?: unknown }).room !== room) return messages;
  switch (event.type) {
    case 'room.message': {
      if (messages.some((m) => m.id === event.body.id)) return messages;
      return [...messages, event.body].sort((a, b) => a.order - b.order);
    }
    case 'room.edited': {
      const { id, text, editedAt, mentions } = event.body;
      return messages.map((m) => {
        const quoted = m.replyTo?.id === id ? { ...m, replyTo: { ...m.replyTo, text } } : m;
        return quoted.id === id ? { ...quoted, text, editedAt, mentions } : quoted;
      });
    }
    case 'room.deleted': {
      const { id, at } = event.body;
      return messages.map((m) => {
        const quoted = m.replyTo?.id === id ? { ...m, replyTo: { ...m.replyTo, text: '', deleted: true } } : m;
        if (quoted.id !== id) return quoted;
        const { attachments: _gone, ...rest } = quoted;
        return { ...rest, text: '', deletedAt: at, mentions: [], reactions: [] };
      });
    }
    case 'room.reaction': {
      const { id, emoji, user, added } = event.body;
      return messages.map((m) => (m.id === id ? { ...m, reactions: applyReaction(m.reactions, emoji, user, added) } : m));
    }
    case 'room.expired': {
      // As history answers once they expired: gone, and so are quotes of them.
      const ids = new Set(event.body.ids);
      return messages.filter((m) => !ids.has(m.id)).map((m) => (m.replyTo && ids.has(m.replyTo.id) ? { ...m, replyTo: null } : m));
    }
    default:
      return messages;
  }
}

/** Applies membership events to a room's fetched member list (in joining order). */
export function applyRoomMembersEvent(members: RoomMember[], event: PodEvent, room: string): RoomMember[] {
  if (event.type !== 'room.member' || event.body.room !== room) return members;
  const { name, member } = event.body;
  const others = members.filter((m) => m.name !== name);
  if (!member) return others;
  const at = members.findIndex((m) => m.name === name);
  if (at >= 0) return members.map((m) => (m.name === name ? member : m));
  return [...others, member].sort((a, b) => (a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Applies live presence to a member list that carries it (as rooms.members answers). */
export function applyRoomPresenceEvent<T extends RoomMember & { presence: PresenceStatus }>(members: T[], event: PodEvent): T[] {
  if (event.type !== 'room.presence') return members;
  return members.map((m) => (m.name === event.body.name ? { ...m, presence: event.body.status } : m));
}

export interface MyRooms {
  rooms: MyRoom[];
  invitations: RoomInvitation[];
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Applies room events to my fetched room list, unread counts included, as `rooms.list` would answer now. */
export function applyMyRoomsEvent(list: MyRooms, event: PodEvent, me: string): MyRooms {
  const change = (name: string, fn: (room: MyRoom) => MyRoom): MyRooms => ({ ...list, rooms: list.rooms.map((r) => (r.name === name ? fn(r) : r)) });
  switch (event.type) {
    case 'room.member': {
      const { room, name, members, mine } = event.body;
      if (name !== me) return change(room, (r) => ({ ...r, members }));
      const rooms = list.rooms.filter((r) => r.name !== room);
      return { ...list, rooms: mine ? [...rooms, mine].sort(byName) : rooms };
    }
    case 'room.updated': {
      const { name, topic, kind, history, retentionDays, members } = event.body;
      return change(name, (r) => ({ ...r, topic, kind, history, retentionDays, members }));
    }
    case 'room.message': {
      const m = event.body;
      if (m.from === me) return change(m.room, (r) => ({ ...r, readOrder: Math.max(r.readOrder, m.order), unread: 0 }));
      return change(m.room, (r) => (m.order > r.readOrder ? { ...r, unread: r.unread + 1 } : r));
    }
    case 'room.deleted': {
      const { room, order, from } = event.body;
      return change(room, (r) => (from !== me && order > r.readOrder ? { ...r, unread: r.unread - 1 } : r));
    }
    case 'room.read':
      return change(event.body.room, (r) => ({ ...r, readOrder: event.body.readOrder, unread: event.body.unread }));
    // Counts stay: in a replayed mailbox the message's own event became a room.expired too and
    // counted nothing; a member who counted it unread gets a room.read with the new count.
    case 'room.expired':
      return list;
    case 'room.invitation': {
      const { invitation, state } = event.body;
      const invitations = list.invitations.filter((i) => i.room !== invitation.room);
      if (state === 'pending') invitations.push(invitation);
      return { ...list, invitations: invitations.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0)) };
    }
    default:
      return list;
  }
}
