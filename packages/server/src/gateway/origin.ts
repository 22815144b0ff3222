import type { IncomingHttpHeaders } from 'node:http';

/**
 * A browser's WebSocket must come from one of the server's own origins: the one it was
 * reached at (same host) or one configured with --origins. Clients that send no Origin
 * (the CLI, the SDK in Node) authenticate by token alone.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
