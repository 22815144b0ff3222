import { PodError } from '@pod/protocol';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../store.ts';
import * as core from './0001_core.ts';
import * as directory from './0002_directory.ts';
import * as presence from './0003_presence.ts';
import * as im from './0004_im.ts';
import * as files from './0005_files.ts';
import * as filesSharing from './0006_files_sharing.ts';
import * as dav from './0007_dav.ts';
import * as skin from './0008_skin.ts';
import * as imAttachments from './0009_im_attachments.ts';
import * as announcements from './0010_announcements.ts';
import * as uploadReceipts from './0011_upload_receipts.ts';
import * as rooms from './0012_rooms.ts';
import * as imConversation from './0013_im_conversation.ts';
import * as messageSearch from './0014_message_search.ts';
import * as eventSubjects from './0015_event_subjects.ts';
import * as roomAttachments from './0016_room_attachments.ts';
import * as blobValues from './0017_blob_values.ts';
import * as uploadStreamedHash from './0018_upload_streamed_hash.ts';

type Step = { up(db: Kysely<unknown>, kind: StoreKind): Promise<void> };

/** One migration set for both dialects, applied in name order. */
const steps: Record<string, Step> = {
  '0001_core': core,
  '0002_directory': directory,
  '0003_presence': presence,
  '0004_im': im,
  '0005_files': files,
  '0006_files_sharing': filesSharing,
  '0007_dav': dav,
  '0008_skin': skin,
  '0009_im_attachments': imAttachments,
  '0010_announcements': announcements,
  '0011_upload_receipts': uploadReceipts,
  '0012_rooms': rooms,
  '0013_im_conversation': imConversation,
  '0014_message_search': messageSearch,
  '0015_event_subjects': eventSubjects,
  '0016_room_attachments': roomAttachments,
  '0017_blob_values': blobValues,
  '0018_upload_streamed_hash': uploadStreamedHash,
};

export async function migrate(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(steps)) migrations[name] = { up: (d) => step.up(d, kind) };
  // On PostgreSQL the migrator looks for its bookkeeping table in every schema unless told
  // which one: another pod's schema (or public) must not count as this one's history.
  const migrationTableSchema = kind === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  if (kind === 'postgres' && !migrationTableSchema) throw new PodError('invalid', 'the database has no current schema: create the schema the URL names (schema=...) first');
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => migrations } });
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (!error) return;
    // The migrator's table check lists every schema's tables; another schema dropped during
    // that listing fails it with 3F000 (no such schema) or 42P01 (no such relation, from
    // pg_get_serial_sequence on a table that was there when the listing began), which says
    // nothing about this one.
    const code = (error as { code?: string }).code;
    if (!(code === '3F000' || code === '42P01') || attempt === 5) throw error;
  }
}
