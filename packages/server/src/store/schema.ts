import type { Generated } from 'kysely';

/** Tables of the messenger's client mailboxes and the runtime; apps never read them. */
export interface CoreTables {
  /** `subject`: what the event is about, for retracting it (see WriteScope.retractEvents). */
  events: { id: Generated<number>; type: string; body: string; created_at: string; subject: string | null };
  mailbox: { user_id: number; seq: number; event_id: number };
  mailbox_heads: { user_id: number; last_seq: number };
  cursors: { session: string; user_id: number; acked_seq: number; updated_at: string };
  requests: { user_id: number; id: string; op: string; answer: string; created_at: string };
}

export interface DirectoryTables {
  users: {
    id: Generated<number>;
    name: string;
    password_hash: string;
    admin: number;
    disabled: number;
    display_name: string;
    status_text: string;
    about: string;
    messages_from: string;
    created_at: string;
    skin: string | null;
  };
  sessions: { id: string; user_id: number; token_hash: string; device: string; created_at: string; last_seen_at: string; revoked_at: string | null };
  buddies: { owner_id: number; other_id: number; group_name: string; state: string; created_at: string };
  buddy_groups: { owner_id: number; name: string };
  blocks: { owner_id: number; blocked_id: number };
  login_failures: { id: Generated<number>; key: string; at: number };
  app_passwords: { id: string; user_id: number; secret_hash: string; label: string; created_at: string; last_used_at: string | null };
}

export interface PresenceTables {
  /** A gateway's hold on a device: online until `expires_at` (ms); `connected` 0 once the gateway let it go. */
  presence_devices: { user_id: number; session: string; gateway: string; expires_at: number; connected: number };
  /**
   * The chosen status, and the effective one last pushed to watchers. `revision` grows with
   * every change to the user's presence inputs; `dirty` 1 means the change is not announced yet.
   */
  presence_status: { user_id: number; status: string; text: string; announced_status: string; announced_text: string; revision: number; dirty: number };
}

export interface ImTables {
  im_messages: {
    ord: Generated<number>;
    id: string;
    conv: string;
    sender_id: number;
    recipient_id: number;
    sender_name: string;
    recipient_name: string;
    text: string;
    at: string;
    delivered_at: string | null;
    read_at: string | null;
    /** JSON array of FileAttachment, or null. */
    attachments: string | null;
    reply_to: string | null;
    edited_at: string | null;
    deleted_at: string | null;
  };
  im_reactions: { id: Generated<number>; message_id: string; user_id: number; user_name: string; emoji: string; at: string };
}

export interface FilesTables {
  /** Items of the root folder have parent_id 0; `trash_root` is set on every item of a trashed subtree, `trashed_at` on its top. */
  files_nodes: {
    id: Generated<number>;
    user_id: number;
    parent_id: number;
    name: string;
    kind: 'file' | 'folder';
    size: number;
    content_type: string;
    hash: string | null;
    version_id: number | null;
    created_at: string;
    modified_at: string;
    trashed_at: string | null;
    trash_root: number | null;
  };
  files_versions: { id: Generated<number>; node_id: number; user_id: number; size: number; hash: string; manifest: string; chunk_count: number; created_at: string };
  files_version_chunks: { version_id: number; idx: number; hash: string; size: number; byte_start: number };
  /**
   * `refs`: manifest rows naming the chunk; `touched_at` (ms): last stored; `state`: 'present',
   * 'damaged' (its stored bytes failed their hash: to be sent again) or 'deleting' (being collected).
   */
  files_chunks: { hash: string; size: number; stored_size: number; refs: number; touched_at: number; state: 'present' | 'damaged' | 'deleting' };
  files_chunk_owners: { user_id: number; hash: string };
  files_uploads: {
    id: string;
    user_id: number;
    path: string;
    size: number;
    hash: string;
    chunk_count: number;
    content_type: string | null;
    overwrite: number;
    nonce: string;
    /** Keys the proofs chunk PUTs answer (see receiptFor); never leaves the server. */
    receipt_key: string;
    /** The SHA-256 of the chunks as the gateway stored them, when one batch carried the whole manifest in order (files.upload.streamed). */
    streamed_hash: string | null;
    created_at: string;
    expires_at: number;
  };
  files_upload_chunks: { upload_id: string; idx: number; hash: string; size: number; byte_start: number };
  files_usage: { user_id: number; logical_bytes: number };
  /** `grantee_kind` 'user' (grantee_id), 'group' (grantee_name, of the owner's buddy groups), 'room' (grantee_id, its members; from attachments) or 'public' (published). */
  files_shares: {
    id: Generated<number>;
    owner_id: number;
    owner_name: string;
    node_id: number;
    grantee_kind: 'user' | 'group' | 'room' | 'public';
    grantee_id: number;
    grantee_name: string;
    access: 'read' | 'write';
    created_at: string;
  };
  files_links: { id: Generated<number>; owner_id: number; node_id: number; token_hash: string; password_hash: string | null; expires_at: string | null; created_at: string };
  /** `depth` 0 or -1 (infinity); `expires_at` in ms. */
  files_dav_locks: { token: string; user_id: number; path: string; depth: number; scope: 'exclusive' | 'shared'; owner: string; timeout_seconds: number; expires_at: number };
  files_dav_props: { user_id: number; node_id: number; ns: string; name: string; value: string };
}

export interface AnnouncementTables {
  /** `format` 'markdown' or 'html': how `source` was written; `html` is what clients render, sanitised when posted. */
  announcements: { id: Generated<number>; author_id: number; author_name: string; format: 'markdown' | 'html'; source: string; html: string; posted_at: string };
  announcement_dismissals: { user_id: number; announcement_id: number; dismissed_at: string };
}

export interface RoomsTables {
  rooms: { id: Generated<number>; name: string; topic: string; kind: string; history: string; retention_days: number; created_by: string; created_at: string };
  /** `state`: joined, invited, left, kicked or banned; a member sees messages from `since_ord` on and has read up to `read_ord`. */
  room_members: {
    room_id: number;
    user_id: number;
    user_name: string;
    role: string;
    state: string;
    muted: number;
    since_ord: number;
    read_ord: number;
    joined_at: string;
    changed_by: string | null;
    reason: string;
    changed_at: string;
  };
  room_messages: {
    ord: Generated<number>;
    id: string;
    room_id: number;
    sender_id: number;
    sender_name: string;
    text: string;
    at: string;
    reply_to: string | null;
    /** JSON array of the names mentioned. */
    mentions: string;
    edited_at: string | null;
    deleted_at: string | null;
    deleted_by: string | null;
    /** JSON array of FileAttachment, or null. */
    attachments: string | null;
  };
  room_message_edits: { id: Generated<number>; message_id: string; text: string; at: string };
  room_reactions: { id: Generated<number>; message_id: string; user_id: number; user_name: string; emoji: string; at: string };
}

/** The blob store's small values (see MAX_INLINE_FILE_BYTES), encoded as the blob drivers store theirs. */
export interface BlobTables {
  blob_values: { hash: string; value: Uint8Array };
}

export type Database = CoreTables & DirectoryTables & PresenceTables & ImTables & FilesTables & AnnouncementTables & RoomsTables & BlobTables;
