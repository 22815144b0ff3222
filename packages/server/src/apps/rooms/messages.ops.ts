import { PodError, type FileAttachment, type RoomMessage } from '@pod/protocol';
import type { AppOps, RequestInfo, WriteScope } from '../../runtime/app.ts';
import type { RoomsTables } from '../../store/schema.ts';
import { newMessageId } from '../message-id.ts';
import { joined, messageSeat, rank, seatIn, unmuted } from './access.ts';
import { resolveMentions } from './mentions.ts';
import { messageSubject, retractDeleted } from './retraction.ts';
import { deleteMessage, earlierTexts, editMessage, findMessage, findMessages, historyRows, insertMessages, lastOrd, present, retentionCutoff, setReaction, toQuote, unreadCounts, type NewMessage } from './messages.repo.ts';
import { findRoomsByName, joinedIds, joinedMembers, setReadOrd, type MemberRow, type RoomRow } from './rooms.repo.ts';

const DEFAULT_PAGE = 50;

/** The files a message carries, already readable by the room's members (files.attach). */
type Prepared = { attachments: FileAttachment[] } | undefined;
type SendRequest = { input: { room: string; text: string; replyTo?: string | undefined }; request: RequestInfo & { prepared: Prepared } };

/**
 * Stores messages set-wise: the rooms, their members and the answered messages are read once
 * for the whole group, the messages inserted in one statement. Each message is stored once and
 * every member's mailbox gets a pointer to it; the sender has read up to it.
 */
async function sendMessages(scope: WriteScope<RoomsTables>, requests: readonly SendRequest[]): Promise<RoomMessage[]> {
  const rooms = await findRoomsByName(scope.tx, [...new Set(requests.map((r) => r.input.room))]);
  const members = new Map<number, Map<number, MemberRow>>();
  for (const row of await joinedMembers(scope.tx, [...rooms.values()].map((room) => Number(room.id)))) {
    const list = members.get(Number(row.room_id)) ?? new Map<number, MemberRow>();
    list.set(Number(row.user_id), row);
    members.set(Number(row.room_id), list);
  }
  const answered = await findMessages(scope.tx, requests.flatMap((r) => (r.input.replyTo ? [r.input.replyTo] : [])));
  const planned: Array<{ room: RoomRow; message: NewMessage; audience: number[]; notify: number[]; quote: RoomMessage['replyTo'] }> = [];
  for (const { input, request } of requests) {
    const caller = request.caller!;
    const room = rooms.get(input.room);
    const inRoom = room ? members.get(Number(room.id)) : undefined;
    const me = inRoom?.get(caller.userId);
    // Not a member: the seat says why, as the caller may know it.
    if (!room || !inRoom || !me) throw joinedError(await seatIn(scope.tx, input.room, caller.userId));
    unmuted({ room, me }, me);
    const reply = input.replyTo ? answered.get(input.replyTo) : undefined;
    if (input.replyTo && (!reply || reply.room_id !== room.id || Number(reply.ord) < Number(me.since_ord))) throw new PodError('not_found', `no message ${input.replyTo} in #${room.name}`);
    const names = new Map([...inRoom.values()].map((m) => [m.user_name, Number(m.user_id)]));
    const { mentions, notify } = resolveMentions(input.text, caller.userId, rank(me.role) >= rank('moderator'), names);
    planned.push({
      room,
      message: {
        id: newMessageId(),
        roomId: Number(room.id),
        senderId: caller.userId,
        senderName: caller.name,
        text: input.text,
        at: scope.now,
        replyTo: input.replyTo ?? null,
        mentions,
        attachments: request.prepared?.attachments,
      },
      audience: [...inRoom.keys()],
      notify,
      quote: reply ? toQuote(reply) : null,
    });
  }
  const orders = await insertMessages(scope.tx, planned.map((p) => p.message));
  const sent: RoomMessage[] = [];
  for (const { room, message, audience, notify, quote } of planned) {
    const order = orders.get(message.id)!;
    const body: RoomMessage = {
      id: message.id,
      room: room.name,
      from: message.senderName,
      text: message.text,
      at: message.at,
      order,
      replyTo: quote,
      editedAt: null,
      deletedAt: null,
      mentions: message.mentions,
      reactions: [],
      ...(message.attachments ? { attachments: message.attachments } : {}),
    };
    await setReadOrd(scope.tx, message.roomId, message.senderId, order);
    const about = { subject: messageSubject(message.id) };
    await scope.emit(audience, 'room.message', body, about);
    if (notify.length > 0) await scope.emit(notify, 'room.mention', { room: room.name, id: message.id, from: message.senderName, text: message.text }, about);
    sent.push(body);
  }
  return sent;
}

function joinedError(seat: Awaited<ReturnType<typeof seatIn>>): PodError {
  try {
    joined(seat);
  } catch (error) {
    if (error instanceof PodError) return error;
    throw error;
  }
  return new PodError('conflict', `your membership of #${seat.room.name} changed meanwhile; try again`);
}

async function presentOne(scope: WriteScope<RoomsTables>, id: string, roomName: string): Promise<RoomMessage> {
  return (await present(scope.tx, [(await findMessage(scope.tx, id))!], roomName))[0]!;
}

export const messageOps: AppOps<RoomsTables> = {
  'rooms.send': {
    /**
     * Only a member who may speak attaches: the files app then grants the room (its members
     * as they are at any later time) read access to the sender's files, before the message is
     * stored, so a message never points at a file its readers cannot open. The grant is
     * idempotent and a retry finds its answer in the request log, so nothing happens twice.
     */
    async prepare(input, request, ctx): Promise<Prepared> {
      if (!input.attachments) return undefined;
      const caller = request.caller!;
      const seat = await seatIn(ctx.db, input.room, caller.userId);
      unmuted(seat, joined(seat));
      const to = { kind: 'room' as const, id: Number(seat.room.id), name: seat.room.name };
      return ctx.call('files.attach', { fromId: caller.userId, fromName: caller.name, to, files: input.attachments });
    },
    async write(scope, input, request) {
      return (await sendMessages(scope, [{ input, request }]))[0]!;
    },
    writeMany: sendMessages,
  },
  'rooms.history': {
    async read(input, request, ctx) {
      const seat = await seatIn(ctx.db, input.room, request.caller!.userId);
      const me = joined(seat);
      const { rows, more } = await historyRows(ctx.db, Number(seat.room.id), Number(me.since_ord), input.before, input.limit ?? DEFAULT_PAGE, retentionCutoff(seat.room, Date.now()));
      return { messages: await present(ctx.db, rows, seat.room.name), more };
    },
  },
  'rooms.edit': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const { room, me, message } = await messageSeat(scope.tx, input.id, caller.userId);
      if (Number(message.sender_id) !== caller.userId) throw new PodError('forbidden', 'only its author may edit a message');
      if (message.deleted_at) throw new PodError('conflict', 'the message was deleted');
      unmuted({ room, me }, me);
      const inRoom = await joinedMembers(scope.tx, [Number(room.id)]);
      const names = new Map(inRoom.map((m) => [m.user_name, Number(m.user_id)]));
      const { mentions, notify } = resolveMentions(input.text, caller.userId, rank(me.role) >= rank('moderator'), names);
      const row = await editMessage(scope.tx, message, input.text, mentions, scope.now);
      const about = { subject: messageSubject(row.id) };
      await scope.emit(inRoom.map((m) => Number(m.user_id)), 'room.edited', { room: room.name, id: row.id, text: row.text, editedAt: row.edited_at!, mentions }, about);
      // Only people the edit newly names are notified; the others were when it was first sent.
      const before = new Set(JSON.parse(message.mentions) as string[]);
      const nameOf = new Map([...names].map(([name, id]) => [id, name]));
      const fresh = before.has('room') ? [] : notify.filter((id) => !before.has(nameOf.get(id)!));
      if (fresh.length > 0) await scope.emit(fresh, 'room.mention', { room: room.name, id: row.id, from: caller.name, text: row.text }, about);
      return presentOne(scope, row.id, room.name);
    },
  },
  'rooms.delete': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const { room, me, message } = await messageSeat(scope.tx, input.id, caller.userId);
      if (Number(message.sender_id) !== caller.userId && rank(me.role) < rank('moderator')) throw new PodError('forbidden', `only its author or a moderator of #${room.name} may delete a message`);
      if (message.deleted_at) return {};
      await deleteMessage(scope.tx, message.id, caller.name, scope.now);
      await retractDeleted(scope, message.id, room.name);
      await scope.emit(await joinedIds(scope.tx, Number(room.id)), 'room.deleted', { room: room.name, id: message.id, order: Number(message.ord), from: message.sender_name, by: caller.name, at: scope.now });
      return {};
    },
  },
  'rooms.edits': {
    async read(input, request, ctx) {
      const { room, me } = await messageSeat(ctx.db, input.id, request.caller!.userId);
      if (rank(me.role) < rank('moderator')) throw new PodError('forbidden', `only a moderator or above of #${room.name} may see earlier texts`);
      return { edits: await earlierTexts(ctx.db, input.id) };
    },
  },
  'rooms.react': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const { room, me, message } = await messageSeat(scope.tx, input.id, caller.userId);
      if (message.deleted_at) throw new PodError('conflict', 'the message was deleted');
      unmuted({ room, me }, me);
      const added = !input.remove;
      if (await setReaction(scope.tx, { messageId: message.id, userId: caller.userId, userName: caller.name, emoji: input.emoji, at: scope.now }, added)) {
        await scope.emit(await joinedIds(scope.tx, Number(room.id)), 'room.reaction', { room: room.name, id: message.id, emoji: input.emoji, user: caller.name, added });
      }
      return presentOne(scope, message.id, room.name);
    },
  },
  'rooms.typing': {
    async read(input, request, ctx) {
      const caller = request.caller!;
      const seat = await seatIn(ctx.db, input.room, caller.userId);
      unmuted(seat, joined(seat));
      const others = (await joinedIds(ctx.db, Number(seat.room.id))).filter((id) => id !== caller.userId);
      ctx.push(others, 'room.typing', { room: seat.room.name, name: caller.name });
      return {};
    },
  },
  'rooms.read': {
    async write(scope, input, request) {
      const caller = request.caller!;
      const seat = await seatIn(scope.tx, input.room, caller.userId);
      const me = joined(seat);
      const roomId = Number(seat.room.id);
      const target = Math.min(input.order, await lastOrd(scope.tx, roomId));
      if (target <= Number(me.read_ord)) {
        return { readOrder: Number(me.read_ord), unread: (await unreadCounts(scope.tx, caller.userId, [roomId])).get(roomId) ?? 0 };
      }
      await setReadOrd(scope.tx, roomId, caller.userId, target);
      const unread = (await unreadCounts(scope.tx, caller.userId, [roomId])).get(roomId) ?? 0;
      await scope.emit([caller.userId], 'room.read', { room: seat.room.name, readOrder: target, unread });
      return { readOrder: target, unread };
    },
  },
};
