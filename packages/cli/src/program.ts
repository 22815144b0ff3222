import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerAnnounce } from './commands/announce.ts';
import { registerAppPasswords } from './commands/app-passwords.ts';
import { registerAuth } from './commands/auth.ts';
import { registerBuddies } from './commands/buddies.ts';
import { registerConversation } from './commands/conversation.ts';
import { registerDownload } from './commands/files-download.ts';
import { registerFileInfo } from './commands/files-info.ts';
import { registerPublish } from './commands/files-publish.ts';
import { registerShare } from './commands/files-share.ts';
import { registerTrash } from './commands/files-trash.ts';
import { registerFileTree } from './commands/files-tree.ts';
import { registerUpload } from './commands/files-upload.ts';
import { registerIm } from './commands/im.ts';
import { registerListen } from './commands/listen.ts';
import { registerPresence } from './commands/presence.ts';
import { registerProfile } from './commands/profile.ts';
import { registerRooms } from './commands/rooms.ts';
import { registerServe } from './commands/serve.ts';
import { registerUser } from './commands/user.ts';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The whole `pod` command tree. Commands registered after configuration inherit it. */
export function buildProgram(): Command {
  const program = new Command('pod')
    .description('Pod: a self-hosted communications server. Run it with pod serve; use it with the other commands.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`error invalid: ${text.replace(/^error: /, '')}`) })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nThe signed-in session lives in $POD_CONFIG_DIR/config.json (default ~/.config/pod).\n' +
        'Every command takes --json. Exit status: 0 on success, 1 with "error <code>: <message>"\n' +
        'on stderr when an operation fails, 2 for a usage error.',
    );
  registerServe(program);
  registerUser(program);
  registerAuth(program);
  registerProfile(program);
  registerBuddies(program);
  registerPresence(program);
  registerIm(program);
  registerRooms(program);
  registerConversation(program);
  registerListen(program);
  registerUpload(program);
  registerDownload(program);
  registerFileTree(program);
  registerTrash(program);
  registerFileInfo(program);
  registerShare(program);
  registerPublish(program);
  registerAppPasswords(program);
  registerAnnounce(program);
  return program;
}
