import type { AppSettings } from '../../runtime/app.ts';
import type { NodeRow } from './entries.ts';
import { updateNode } from './nodes.repo.ts';
import type { Scope } from './tree.ts';
import { deleteVersions, versionsBeyond } from './versions.repo.ts';

/**
 * Makes `versionId` the file's current version and deletes the earliest versions beyond the
 * pod's `filesVersions` earlier ones: their references go, and their bytes leave the usage.
 */
export async function makeCurrent(
  scope: Scope,
  settings: AppSettings,
  file: NodeRow,
  version: { id: number; size: number; hash: string; contentType: string },
): Promise<NodeRow> {
  const updated = await updateNode(scope.tx, Number(file.id), {
    version_id: version.id,
    size: version.size,
    hash: version.hash,
    content_type: version.contentType,
    modified_at: scope.now,
  });
  const beyond = await versionsBeyond(scope.tx, Number(file.id), version.id, settings.filesVersions);
  await deleteVersions(scope.tx, beyond, Date.parse(scope.now));
  return updated;
}
