import type { z } from 'zod';
import { appPasswordOps } from './app-passwords.ts';
import { authOps } from './auth.ts';
import { directoryOps } from './directory.ts';
import { filesDavOps } from './files-dav.ts';
import { filesOps } from './files.ts';
import { filesUploadOps } from './files-upload.ts';
import { filesSharingOps } from './files-sharing.ts';
import { imOps } from './im.ts';
import { presenceOps } from './presence.ts';
import { roomsOps } from './rooms.ts';
import { messageSearchOps } from './message-search.ts';
import type { OpDef } from './define.ts';

/** Every operation Pod answers, in one registry: name -> owning app, access, schemas. */
export const ops = { ...authOps, ...directoryOps, ...presenceOps, ...imOps, ...filesOps, ...filesUploadOps, ...appPasswordOps, ...filesDavOps, ...filesSharingOps, ...roomsOps, ...messageSearchOps } as const satisfies Record<string, OpDef>;

export type Ops = typeof ops;
export type OpName = keyof Ops;
export type ClientOpName = { [K in OpName]: Ops[K]['access'] extends 'internal' ? never : K }[OpName];
export type OpInput<N extends OpName> = z.input<Ops[N]['input']>;
export type OpOutput<N extends OpName> = z.output<Ops[N]['output']>;

export function findOp(name: string): OpDef | undefined {
  return Object.hasOwn(ops, name) ? (ops as Record<string, OpDef>)[name] : undefined;
}

export type { Access, OpDef } from './define.ts';
