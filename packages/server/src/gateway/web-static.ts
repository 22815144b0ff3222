import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendError } from './http.ts';

/** Where `npm run build` in packages/web leaves the pod application. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * No inline script or style element anywhere; the socket may go only to this server. Styles
 * set through the CSSOM (skins' custom properties) are not inline styles and stay allowed.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('Content-Security-Policy', contentSecurityPolicy(request.headers.host));
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
}

/**
 * Serves the built pod application at `/` and its landing page at `/welcome`: hashed assets
 * cached for a year, pages (and the service worker, which must be re-checked) never cached,
 * and any other page path answered with index.html so the application's own routes survive a
 * reload. Answers false when no build is there, so the caller can keep the plain status page.
 */
export function registerWebApp(app: FastifyInstance, root: string): boolean {
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) return false;
  const sendFile = (request: FastifyRequest, reply: FastifyReply, path: string) => {
    securityHeaders(request, reply);
    const immutable = path.startsWith(join(root, 'assets') + sep);
    reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.type(TYPES[extname(path)] ?? 'application/octet-stream').send(readFileSync(path));
  };
  const fileFor = (urlPath: string): string | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    const path = normalize(join(root, decoded));
    if (!path.startsWith(root + sep)) return undefined;
    return existsSync(path) && statSync(path).isFile() ? path : undefined;
  };
  app.get('/', (request, reply) => sendFile(request, reply, indexPath));
  // The public landing page with the FAQ, for visitors who have not signed in: static HTML, no script.
  const welcomePath = join(root, 'welcome.html');
  app.get('/welcome', (request, reply) => sendFile(request, reply, existsSync(welcomePath) ? welcomePath : indexPath));
  app.get('/*', (request, reply) => {
    const urlPath = request.url.split('?')[0]!;
    const file = fileFor(urlPath);
    if (file) return sendFile(request, reply, file);
    // A missing asset is a 404, not the page: a stale hashed name must not run HTML as script.
    if (urlPath.startsWith('/v1/')) return sendError(reply, { code: 'not_found', message: `no route GET ${urlPath}` });
    if (urlPath.startsWith('/assets/') || extname(urlPath) !== '') {
      return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    }
    return sendFile(request, reply, indexPath);
  });
  return true;
}
