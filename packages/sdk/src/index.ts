export { PodClient, type PodClientOptions, type ConnectionState, type WebSocketLike, type WebSocketFactory } from './client.ts';
export { callOp, login, toPodError, type LoginAnswer, type HttpOptions } from './http.ts';
export { applyBuddyEvent, applyHistoryEvent } from './state.ts';
export { PodError } from '@pod/protocol';
export type { PodEvent, EventType, OpName, OpInput, OpOutput, ClientOpName, BuddyList, ImMessage, PresenceEntry, Profile } from '@pod/protocol';
