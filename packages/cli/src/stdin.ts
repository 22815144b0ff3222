import { PodError } from '@pod/protocol';

/**
 * Reads a password for `--password-stdin`. Piped: everything on stdin, less one trailing
 * newline (`\n` or `\r\n`), so `echo "$PASSWORD" | pod login ...` sends exactly $PASSWORD.
 * At a terminal: one line typed without echo.
 */
export async function readPassword(prompt = 'Password: '): Promise<string> {
  const text = process.stdin.isTTY ? await readHiddenLine(prompt) : stripOneNewline(await readAll());
  if (text.length === 0) throw new PodError('invalid', 'no password on standard input; pipe it in, for example: printf \'%s\\n\' "$PASSWORD" | pod ...');
  return text;
}

export function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function readHiddenLine(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let line = '';
    const finish = (error?: PodError) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new PodError('invalid', 'interrupted'));
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else line += char;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
