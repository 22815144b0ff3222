import { PodError, type FileAttachment } from '@pod/protocol';
import type { AppOps, RequestInfo } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownItem } from './access.ts';
import { toEntry } from './entries.ts';
import { upsertShare } from './shares.repo.ts';
import { membershipsFor, NO_MEMBERSHIPS, type Memberships } from './viewer.ts';

/** Files sent with instant and room messages: the im and rooms apps ask, the grant is made here. */
export const attachOps: AppOps<FilesTables> = {
  'files.attach': {
    // What the sender may see but does not own is refused as not theirs, not as unknown.
    prepare: (input, _request, ctx) => membershipsFor(ctx, input.fromId, input.files),
    async write(scope, input, request: RequestInfo & { prepared: Memberships | undefined }) {
      // Only one's own files travel: "~me/..." paths and ids of mine, as for sharing.
      const known = request.prepared ?? NO_MEMBERSHIPS;
      const viewer = { userId: input.fromId, name: input.fromName, memberships: async () => known };
      const attachments: FileAttachment[] = [];
      for (const ref of input.files) {
        const row = await ownItem(scope.tx, viewer, ref, 'attached');
        if (row.kind !== 'file') throw new PodError('invalid', `${typeof ref === 'number' ? `item ${ref}` : ref} is a folder; attach files, or share the folder`);
        // A grant the recipient has already (perhaps with write access) stays as it is: a retry grants nothing twice.
        await upsertShare(
          scope.tx,
          { ownerId: input.fromId, ownerName: input.fromName, nodeId: Number(row.id), kind: input.to.kind, granteeId: input.to.id, granteeName: input.to.name, access: 'read', at: scope.now },
          true,
        );
        const entry = toEntry(row);
        attachments.push({ id: entry.id, owner: input.fromName, name: entry.name, size: entry.size, type: entry.type, hash: entry.hash ?? '' });
      }
      return { attachments };
    },
  },
};
