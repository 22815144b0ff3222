import { PodError } from '@pod/protocol';
import { askFiles } from '../ask-files.ts';
import { hasBody } from './body.ts';
import { DavStatus, header, parentOf, stateOf, type Dav } from './context.ts';
import { checkPreconditions } from './preconditions.ts';

/** MKCOL: a folder in an existing folder (409 otherwise); a body (an extended MKCOL) is 415. */
export async function mkcol(dav: Dav): Promise<void> {
  if (await hasBody(dav.request)) throw new DavStatus(415, 'MKCOL takes no body');
  const state = await stateOf(dav, dav.path);
  if (state.entry) throw new DavStatus(405, `${dav.path} exists already`);
  if (!state.parentExists) throw new DavStatus(409, `the folder ${parentOf(dav.path)} does not exist; create it first`);
  await checkPreconditions(dav, new Map([[dav.path, state]]), [{ path: parentOf(dav.path), infinite: false }]);
  await askFiles(dav.deps, dav.caller, 'files.mkdir', { path: dav.path });
  dav.reply.code(201).send();
}

/** DELETE moves the item (a folder with all in it) to the trash, whence it can be restored; its locks go. */
export async function remove(dav: Dav): Promise<void> {
  const depth = header(dav.request, 'depth');
  if (depth !== undefined && depth.toLowerCase() !== 'infinity') throw new PodError('invalid', 'DELETE takes Depth infinity (or none)');
  if (dav.path === '/') throw new DavStatus(403, 'the root folder cannot be deleted');
  const state = await stateOf(dav, dav.path);
  if (!state.entry) throw new PodError('not_found', `no file or folder at ${dav.path}`);
  await checkPreconditions(dav, new Map([[dav.path, state]]), [
    { path: dav.path, infinite: true },
    { path: parentOf(dav.path), infinite: false },
  ]);
  await deleteItem(dav, dav.path);
  dav.reply.code(204).send();
}

export async function deleteItem(dav: Dav, path: string): Promise<void> {
  await askFiles(dav.deps, dav.caller, 'files.delete', { target: path });
  await askFiles(dav.deps, dav.caller, 'files.dav.unlockTree', { path });
}
