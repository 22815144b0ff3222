import { PodError } from '@pod/protocol';
import { uploadFile } from '@pod/sdk/node';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Api } from '../api.ts';
import { joinRemote, remotePath } from '../remote.ts';

/**
 * A file to send or attach: a file on this computer is uploaded into `into` first and named by
 * its id; anything else names a file in the pod.
 */
export async function sendable(api: Api, path: string, into: string): Promise<string | number> {
  const local = resolve(path);
  const info = await stat(local).catch(() => undefined);
  if (info?.isDirectory()) throw new PodError('invalid', `${path} is a folder; send files one by one, or share the folder with pod share`);
  if (!info) return remotePath(path);
  const { session } = api;
  const uploaded = await uploadFile({ server: session.server, token: session.token, path: joinRemote(into, basename(local)), source: local });
  return uploaded.entry.id;
}
