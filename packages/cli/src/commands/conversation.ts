import { PodError, type ImMessage, type RoomMessage } from '@pod/protocol';
import type { Command } from 'commander';
import { signedIn, type Api } from '../api.ts';
import { jsonOption, outputFor } from '../output.ts';

/**
 * A message id names a room message or a 1:1 one; the two live in different application
 * servers, which never tell each other's ids apart, so the room's is asked first.
 */
async function eitherKind<T>(room: () => Promise<T>, oneToOne: () => Promise<T>): Promise<T> {
  try {
    return await room();
  } catch (error) {
    if (!(error instanceof PodError) || error.code !== 'not_found') throw error;
    return oneToOne();
  }
}

function summary(m: RoomMessage | ImMessage): string {
  const where = 'room' in m ? `#${m.room}` : `${m.from} -> ${m.to}`;
  const reactions = (m.reactions ?? []).map((r) => `${r.emoji} ${r.count}`).join(' ');
  return `${where} ${m.id}: ${m.deletedAt ? '(deleted)' : m.text}${m.editedAt ? ' (edited)' : ''}${reactions ? `  ${reactions}` : ''}`;
}

function react(api: Api, conversation: string, id: string, emoji: string, remove: boolean): Promise<RoomMessage | ImMessage> {
  return conversation.startsWith('#') ? api.call('rooms.react', { id, emoji, remove }) : api.call('im.react', { id, emoji, remove });
}

/** `pod react`, `pod edit`, `pod delete`: the same for messages in rooms and in 1:1 conversations. */
export function registerConversation(program: Command): void {
  jsonOption(
    program
      .command('react')
      .description('react to a message with any emoji; CONVERSATION is #room or the other person\'s name')
      .argument('<conversation>')
      .argument('<message-id>')
      .argument('<emoji>')
      .option('--remove', 'take the reaction back'),
  ).action(async (conversation: string, id: string, emoji: string, flags: { remove?: boolean }, command: Command) => {
    const message = await react(signedIn(), conversation, id, emoji, flags.remove === true);
    outputFor(command).result(message, summary);
  });

  jsonOption(program.command('edit').description('change the text of a message of yours (rooms and 1:1)').argument('<message-id>').argument('<text...>')).action(
    async (id: string, words: string[], _flags: object, command: Command) => {
      const api = signedIn();
      const text = words.join(' ');
      const message = await eitherKind<RoomMessage | ImMessage>(() => api.call('rooms.edit', { id, text }), () => api.call('im.edit', { id, text }));
      outputFor(command).result(message, summary);
    },
  );

  jsonOption(program.command('delete').description('delete a message for everyone: your own, or any in a room you moderate').argument('<message-id>')).action(
    async (id: string, _flags: object, command: Command) => {
      const api = signedIn();
      await eitherKind(() => api.call('rooms.delete', { id }), () => api.call('im.delete', { id }));
      outputFor(command).result({ id, deleted: true }, () => `deleted ${id}`);
    },
  );
}
