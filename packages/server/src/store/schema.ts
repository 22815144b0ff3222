import type { Generated } from 'kysely';

/** Tables of the messenger's client mailboxes and the runtime; apps never read them. */
export interface CoreTables {
  events: { id: Generated<number>; type: string; body: string; created_at: string };
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
  };
  sessions: { id: string; user_id: number; token_hash: string; device: string; created_at: string; last_seen_at: string; revoked_at: string | null };
  buddies: { owner_id: number; other_id: number; group_name: string; state: string; created_at: string };
  buddy_groups: { owner_id: number; name: string };
  blocks: { owner_id: number; blocked_id: number };
  login_failures: { id: Generated<number>; key: string; at: number };
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
  };
}

export type Database = CoreTables & DirectoryTables & PresenceTables & ImTables;
