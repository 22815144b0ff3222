import { PodError, type FileAttachment } from '@pod/protocol';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownItem } from './access.ts';
import { toEntry } from './entries.ts';
import { upsertShare } from './shares.repo.ts';

/** Files sent with instant messages: the im app asks, the grant is made here. */
export const attachOps: AppOps<FilesTables> = {
  'files.attach': {
    async write(scope, input) {
      // Only one's own files travel: "~me/..." paths and ids of mine, as for sharing.
      const viewer = { userId: input.fromId, name: input.fromName, memberships: async () => [] };
      const attachments: FileAttachment[] = [];
      for (const ref of input.files) {
        const row = await ownItem(scope.tx, viewer, ref, 'attached');
        if (row.kind !== 'file') throw new PodError('invalid', `${typeof ref === 'number' ? `item ${ref}` : ref} is a folder; attach files, or share the folder`);
        // A grant the recipient has already (perhaps with write access) stays as it is: a retry grants nothing twice.
        await upsertShare(
          scope.tx,
          { ownerId: input.fromId, ownerName: input.fromName, nodeId: Number(row.id), kind: 'user', granteeId: input.toId, granteeName: input.toName, access: 'read', at: scope.now },
          true,
        );
        const entry = toEntry(row);
        attachments.push({ id: entry.id, owner: input.fromName, name: entry.name, size: entry.size, type: entry.type, hash: entry.hash ?? '' });
      }
      return { attachments };
    },
  },
};
