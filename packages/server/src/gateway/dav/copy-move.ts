import { isBelow, PodError } from '@pod/protocol';
import { askFiles } from '../ask-files.ts';
import { deleteItem } from './collections.ts';
import { DavStatus, header, nameOf, parentOf, pathOfUrl, stateOf, type Dav } from './context.ts';
import type { Change } from './preconditions.ts';
import { checkPreconditions } from './preconditions.ts';

/**
 * COPY and MOVE (RFC 4918, sections 9.8 and 9.9) to the Destination, with Overwrite (T by
 * default: an item in the way goes to the trash first) and Depth (COPY of a folder at depth 0
 * makes an empty folder; MOVE is always infinity). Copies share their chunks: no bytes move.
 */
export async function copyOrMove(dav: Dav, move: boolean): Promise<void> {
  const destinationHeader = header(dav.request, 'destination');
  if (destinationHeader === undefined) throw new PodError('invalid', `${move ? 'MOVE' : 'COPY'} needs a Destination header`);
  const destination = pathOfUrl(destinationHeader);
  const overwriteHeader = (header(dav.request, 'overwrite') ?? 'T').trim().toUpperCase();
  if (overwriteHeader !== 'T' && overwriteHeader !== 'F') throw new PodError('invalid', 'Overwrite is T or F');
  const depth = (header(dav.request, 'depth') ?? 'infinity').toLowerCase();
  if (depth !== 'infinity' && (move || depth !== '0')) throw new PodError('invalid', move ? 'MOVE takes Depth infinity (or none)' : 'COPY takes Depth 0 or infinity');
  if (dav.path === '/') throw new DavStatus(403, `the root folder cannot be ${move ? 'moved' : 'copied'}`);
  if (destination === dav.path) throw new DavStatus(403, 'the source and the destination are the same');
  const [source, target] = await Promise.all([stateOf(dav, dav.path), stateOf(dav, destination)]);
  if (!source.entry) throw new PodError('not_found', `no file or folder at ${dav.path}`);
  if (source.entry.kind === 'folder' && isBelow(destination, dav.path)) throw new DavStatus(403, 'a folder cannot be copied or moved into itself');
  if (!target.parentExists && !target.entry) throw new DavStatus(409, `the folder ${parentOf(destination)} does not exist`);
  if (target.entry && overwriteHeader === 'F') throw new DavStatus(412, `${destination} exists and Overwrite is F`);
  const changes: Change[] = [
    { path: destination, infinite: true },
    { path: parentOf(destination), infinite: false },
  ];
  if (move) changes.push({ path: dav.path, infinite: true }, { path: parentOf(dav.path), infinite: false });
  await checkPreconditions(dav, new Map([[dav.path, source], [destination, target]]), changes);
  if (target.entry) await deleteItem(dav, destination);
  const to = parentOf(destination);
  const name = nameOf(destination);
  if (move) {
    await askFiles(dav.deps, dav.caller, 'files.move', { target: dav.path, to, name });
    await askFiles(dav.deps, dav.caller, 'files.dav.unlockTree', { path: dav.path });
  } else if (source.entry.kind === 'folder' && depth === '0') {
    await askFiles(dav.deps, dav.caller, 'files.mkdir', { path: destination });
  } else {
    await askFiles(dav.deps, dav.caller, 'files.copy', { target: dav.path, to, name });
  }
  dav.reply.code(target.entry ? 204 : 201).send();
}
