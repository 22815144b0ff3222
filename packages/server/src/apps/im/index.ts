import { defineApp } from '../../runtime/app.ts';
import type { ImTables } from '../../store/schema.ts';
import { conversationOps } from './conversation.ops.ts';
import { imOps } from './im.ops.ts';
import { searchOps } from './search.ops.ts';

/** 1:1 instant messages: send, history, delivery and read receipts; replies, edits, deletes, reactions, typing; search. */
export const imApp = defineApp<ImTables>({ name: 'im', ops: { ...imOps, ...conversationOps, ...searchOps } });
