import { PodError, type ErrorBody, type OpInput, type OpName, type OpOutput } from '@pod/protocol';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../messenger/messenger.ts';
import type { GatewayDeps } from './deps.ts';

/** Asks the files app on the caller's behalf (or on no one's: links, damaged chunks); its refusal arrives as the same PodError. */
export async function askFiles<N extends OpName>(deps: GatewayDeps, caller: Caller | undefined, op: N, body: OpInput<N>): Promise<OpOutput<N>> {
  const response = await deps.messenger.request('files', { id: randomUUID(), op, body, ...(caller ? { caller } : {}) });
  if (!response.ok) throw PodError.fromBody(response.error as ErrorBody);
  return response.body as OpOutput<N>;
}
