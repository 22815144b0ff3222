import { PodError, type Announcement } from '@pod/protocol';
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { signedIn } from '../api.ts';
import { formatTime, jsonOption, outputFor, table } from '../output.ts';

interface AnnounceFlags {
  markdown?: string;
  html?: string;
  list?: boolean;
  remove?: string;
}

/** `pod announce`: administrators tell every user something; the pod application shows it after sign-in. */
export function registerAnnounce(program: Command): void {
  jsonOption(
    program
      .command('announce')
      .description('post an announcement to every user, list announcements, or remove one (posting and removing: administrators)')
      .option('--markdown <file>', 'post the Markdown in FILE ("-": standard input)')
      .option('--html <file>', 'post the HTML in FILE ("-": standard input)')
      .option('--list', 'list announcements, newest first')
      .option('--remove <id>', 'remove announcement ID for everyone')
      .addHelpText(
        'after',
        '\nThe server keeps only safe formatting: scripts, styles, event handlers, images and links other than\n' +
          'http, https and mailto are removed. Users see the announcement after signing in, until they dismiss it.\n\n' +
          'Examples:\n  pod announce --markdown notice.md\n  printf "**Maintenance** tonight at 22:00\\n" | pod announce --markdown -\n  pod announce --list\n  pod announce --remove 3',
      ),
  ).action(async (flags: AnnounceFlags, command: Command) => {
    const chosen = [flags.markdown !== undefined, flags.html !== undefined, flags.list === true, flags.remove !== undefined].filter(Boolean).length;
    // A usage error (exit 2), reported as every other one is.
    if (chosen !== 1) command.error('give one of --markdown FILE, --html FILE, --list or --remove ID', { exitCode: 2 });
    const out = outputFor(command);
    const api = signedIn();
    if (flags.list) {
      const answer = await api.call('announcements.list', { limit: 500 });
      out.result(answer, ({ announcements }) =>
        announcements.length === 0 ? 'no announcements' : table([['ID', 'POSTED', 'BY', 'TEXT'], ...announcements.map((a) => [String(a.id), formatTime(a.postedAt), a.author, announcementExcerpt(a)])]),
      );
    } else if (flags.remove !== undefined) {
      const id = Number(flags.remove);
      if (!Number.isSafeInteger(id) || id < 1) command.error(`--remove takes an announcement id (a number from pod announce --list), not "${flags.remove}"`, { exitCode: 2 });
      await api.call('announcements.remove', { id });
      out.result({ id, removed: true }, () => `removed announcement ${id}`);
    } else {
      const body = flags.markdown !== undefined ? { markdown: await readSource(flags.markdown) } : { html: await readSource(flags.html!) };
      const posted = await api.call('announcements.post', body);
      out.result(posted, (a) => `posted announcement ${a.id} to every user: ${announcementExcerpt(a)}`);
    }
  });
}

async function readSource(file: string): Promise<string> {
  if (file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new PodError('invalid', `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** The announcement's text on one line, at most 60 characters: the server's HTML is well-formed, so dropping its tags leaves the text. */
export function announcementExcerpt(announcement: Pick<Announcement, 'html'>): string {
  const text = announcement.html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ENTITIES[name]!)
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
