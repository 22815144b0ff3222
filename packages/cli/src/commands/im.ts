import type { ImMessage } from '@pod/protocol';
import type { Command } from 'commander';
import { signedIn } from '../api.ts';
import { formatTime, jsonOption, outputFor } from '../output.ts';
import { parseCount } from './profile.ts';

/** `pod send` and `pod messages`: instant messages. */
export function registerIm(program: Command): void {
  jsonOption(
    program
      .command('send')
      .description('send NAME an instant message')
      .argument('<name>', 'the recipient')
      .argument('<text...>', 'the message (several words are joined with spaces)')
      .option('--reply <id>', 'answer this message of your conversation, quoting it'),
  ).action(async (name: string, words: string[], flags: { reply?: string }, command: Command) => {
    const message = await signedIn().call('im.send', { to: name, text: words.join(' '), ...(flags.reply !== undefined ? { replyTo: flags.reply } : {}) });
    outputFor(command).result(message, (m) => `sent to ${m.to} at ${formatTime(m.at)}`);
  });

  jsonOption(
    program
      .command('messages')
      .description('show your conversation with NAME, oldest first')
      .argument('<name>', 'the other person')
      .option('--limit <n>', 'the last N messages (1-200, default: the server\'s page size)', parseCount),
  ).action(async (name: string, flags: { limit?: number }, command: Command) => {
    const api = signedIn();
    const page = await api.call('im.history', flags.limit === undefined ? { with: name } : { with: name, limit: flags.limit });
    const messages = [...page.messages].sort((a, b) => a.order - b.order);
    outputFor(command).result({ messages, more: page.more }, (p) => {
      if (p.messages.length === 0) return `no messages with ${name} yet`;
      const lines = p.messages.map((m) => showMessage(m, api.session.user));
      if (p.more) lines.unshift('(older messages exist; raise --limit to see more)');
      return lines;
    });
  });
}

export function showMessage(m: ImMessage, me: string): string {
  const marks = m.from === me ? (m.readAt ? ' (read)' : m.deliveredAt ? ' (delivered)' : '') : '';
  const reply = m.replyTo ? ` (re ${m.replyTo.from}: ${m.replyTo.deleted ? '(deleted)' : m.replyTo.text.slice(0, 40)})` : '';
  const text = m.deletedAt ? '(deleted)' : `${m.text}${m.editedAt ? ' (edited)' : ''}`;
  const reactions = m.reactions ? `  ${m.reactions.map((r) => `${r.emoji} ${r.count}`).join(' ')}` : '';
  return `[${formatTime(m.at)}] ${m.from}${reply}: ${text}${marks}${reactions}`;
}
