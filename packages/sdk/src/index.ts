export { PodClient, type PodClientOptions, type ConnectionState, type WebSocketLike, type WebSocketFactory } from './client.ts';
export { callOp, login, toPodError, type LoginAnswer, type HttpOptions } from './http.ts';
export { applyAnnouncementEvent, applyBuddyEvent, applyHistoryEvent } from './state.ts';
export { FIRST_SEARCH_PAGE, searchMessages, type MessageHit, type MessageSearch, type SearchCall, type SearchCursor } from './message-search.ts';
export { applyMyRoomsEvent, applyRoomHistoryEvent, applyRoomMembersEvent, applyRoomPresenceEvent, type MyRooms } from './rooms-state.ts';
export { Chunker, chunkAll, chunkStream, CHUNK_AVG, CHUNK_MAX, CHUNK_MIN, type Chunk, type ChunkerOptions, type ChunkStream, type FileDigest, type Sha256, type Sha256Factory } from './files/chunker.ts';
export { uploadBlob, type BrowserUploadOptions, type BrowserUploadProgress, type CallOp } from './files/upload-browser.ts';
export { PodError } from '@pod/protocol';
export type { Announcement, PodEvent, EventType, OpName, OpInput, OpOutput, ClientOpName, BuddyList, ImMessage, PresenceEntry, Profile, FileEntry, FileVersion, FileRef, MyRoom, Room, RoomKind, RoomMember, RoomMessage, RoomInvitation } from '@pod/protocol';
