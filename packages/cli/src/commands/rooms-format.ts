import type { MyRoom, PodEvent, Room, RoomInvitation, RoomMessage } from '@pod/protocol';
import { formatTime, table } from '../output.ts';
import { formatBytes } from '../units.ts';

type RoomEvent = Extract<PodEvent, { type: `room.${string}` }>;

export function showMessageLine(m: RoomMessage): string {
  if (m.deletedAt) return `[${formatTime(m.at)}] ${m.from}: (deleted)  ${m.id}`;
  const reply = m.replyTo ? ` (re ${m.replyTo.from}: ${m.replyTo.deleted ? '(deleted)' : excerpt(m.replyTo.text)})` : '';
  const edited = m.editedAt ? ' (edited)' : '';
  const reactions = m.reactions.length > 0 ? `  ${m.reactions.map((r) => `${r.emoji} ${r.count}`).join(' ')}` : '';
  return [`[${formatTime(m.at)}] ${m.from}${reply}: ${m.text}${edited}${reactions}  ${m.id}`, ...showAttachments(m)].join('\n');
}

/** One line per attached file, with what `pod download` takes to fetch it. */
export function showAttachments(m: Pick<RoomMessage, 'attachments'>): string[] {
  return (m.attachments ?? []).map((a) => `  attached: ${a.name} (${formatBytes(a.size)}) from ${a.owner}, id ${a.id}`);
}

function excerpt(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

export function showMyRooms(view: { rooms: MyRoom[]; invitations: RoomInvitation[] }): string[] {
  const lines = table(view.rooms.map((r) => [`#${r.name}`, r.unread > 0 ? `${r.unread} unread` : '', r.role === 'member' ? '' : r.role, r.kind === 'private' ? 'private' : '', r.topic]));
  for (const i of view.invitations) lines.push(`invited to #${i.room} by ${i.by}: pod room accept ${i.room}`);
  return lines.length > 0 ? lines : ['you are in no room yet; see pod rooms --public, or pod room create NAME'];
}

export function showDirectory(rooms: Room[]): string[] {
  if (rooms.length === 0) return ['no public rooms yet; create one with pod room create NAME'];
  return table(rooms.map((r) => [`#${r.name}`, `${r.members} ${r.members === 1 ? 'member' : 'members'}`, r.topic]));
}

/** One readable line per room event, for pod listen. */
export function showRoomEvent(event: RoomEvent, me: string): string {
  switch (event.type) {
    case 'room.message':
      return `#${event.body.room} ${showMessageLine(event.body)}`;
    // Edits and mentions of a message deleted since keep no text (no edit can be empty).
    case 'room.edited':
      return `#${event.body.room} message ${event.body.id} edited: ${event.body.text || '(deleted)'}`;
    case 'room.deleted':
      return `#${event.body.room} ${event.body.by} deleted a message of ${event.body.from} (${event.body.id})`;
    case 'room.expired': {
      const { room, ids } = event.body;
      const which = ids.length <= 3 ? ` (${ids.join(', ')})` : '';
      return `#${room} ${ids.length === 1 ? 'a message' : `${ids.length} messages`} expired under the room's retention setting${which}`;
    }
    case 'room.reaction':
      return `#${event.body.room} ${event.body.user} ${event.body.added ? 'reacted' : 'took back'} ${event.body.emoji} on ${event.body.id}`;
    case 'room.member': {
      const { room, name, change, by, reason } = event.body;
      const who = name === me ? 'you' : name;
      const why = reason ? `: ${reason}` : '';
      const byWhom = by && by !== name ? ` by ${by}` : '';
      const said: Record<typeof change, string> = {
        joined: `${who} joined`,
        left: `${who} left`,
        kicked: `${who} ${name === me ? 'were' : 'was'} kicked${byWhom}${why}`,
        banned: `${who} ${name === me ? 'were' : 'was'} banned${byWhom}${why}`,
        unbanned: `${who} may come back${byWhom}`,
        role: `${who} ${name === me ? 'are' : 'is'} now ${event.body.member?.role ?? 'member'}${byWhom}`,
        muted: `${who} ${name === me ? 'were' : 'was'} muted${byWhom}`,
        unmuted: `${who} may speak again${byWhom}`,
      };
      return `#${room} ${said[change]}`;
    }
    case 'room.updated':
      return `#${event.body.name} is now ${event.body.kind}; topic: ${event.body.topic || '(none)'}`;
    case 'room.invitation': {
      const { invitation, state } = event.body;
      return state === 'pending' ? `${invitation.by} invited you to #${invitation.room}: pod room accept ${invitation.room}` : `your invitation to #${invitation.room} is closed`;
    }
    case 'room.read':
      return `#${event.body.room}: ${event.body.unread} unread`;
    case 'room.mention':
      return `#${event.body.room} ${event.body.from} mentioned you: ${event.body.text || '(deleted)'}`;
    case 'room.presence':
      return `${event.body.name} is ${event.body.status}`;
    case 'room.typing':
      return `#${event.body.room} ${event.body.name} is typing`;
  }
}
