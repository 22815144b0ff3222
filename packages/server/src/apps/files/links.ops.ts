import { Algorithm, hash, verify } from '@node-rs/argon2';
import { pathNames, PodError } from '@pod/protocol';
import { createHash, randomBytes } from 'node:crypto';
import type { AppOps } from '../../runtime/app.ts';
import type { FilesTables } from '../../store/schema.ts';
import { ownItem, pathsOf, walkPath } from './access.ts';
import { contentPage } from './content.ops.ts';
import { decodeCursor, encodeCursor, isNameCursor, toEntry } from './entries.ts';
import { checkLinkGuessAllowed, noteWrongLinkPassword } from './link-guesses.ts';
import { deleteLink, insertLink, linkByTokenHash, linksOf, toLink } from './links.repo.ts';
import { listChildren, nodeById, nodesByIdsAnyOwner } from './nodes.repo.ts';
import { prepareMemberships, readViewer, writeViewer, type Memberships } from './viewer.ts';

/** argon2id at OWASP's minimum (as account passwords): a link password is a password like any other. */
const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const DEFAULT_PAGE = 100;
const isIdCursor = (value: unknown): value is [number] => Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0]);

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Unknown and revoked tokens are told apart from nothing: both were never (or are no longer) links. */
const noLink = () => new PodError('not_found', 'no such link: it may have been revoked, or mistyped');

/** Links: anyone holding the token reads the item (and, for a folder, what is inside it), with no account. */
export const linkOps: AppOps<FilesTables> = {
  'files.link.create': {
    async prepare(input, request, ctx) {
      // Hashing is slow on purpose, so it runs before the transaction, not inside it.
      return { passwordHash: input.password === undefined ? null : await hash(input.password, ARGON2), memberships: await prepareMemberships(ctx, request, [input.target]) };
    },
    async write(scope, input, request) {
      const prepared = request.prepared as { passwordHash: string | null; memberships: Memberships | undefined };
      const row = await ownItem(scope.tx, writeViewer(request, prepared.memberships), input.target, 'linked');
      const nowMs = Date.parse(scope.now);
      const expiresAt = input.expiresAt !== undefined ? new Date(input.expiresAt).toISOString() : input.expiresIn !== undefined ? new Date(nowMs + input.expiresIn * 1000).toISOString() : null;
      if (expiresAt !== null && Date.parse(expiresAt) <= nowMs) throw new PodError('invalid', 'a link must expire in the future');
      // 256 random bits: a token is never guessed, so a fast hash of it is all the store needs.
      const token = randomBytes(32).toString('base64url');
      const link = await insertLink(scope.tx, {
        ownerId: request.caller!.userId,
        nodeId: Number(row.id),
        tokenHash: tokenHash(token),
        passwordHash: prepared.passwordHash,
        expiresAt,
        at: scope.now,
      });
      const path = (await pathsOf(scope.tx, [Number(row.id)])).get(Number(row.id)) ?? `/${row.name}`;
      return { link: toLink(link, path, row.kind), token, url: `/v1/files/links/${token}` };
    },
  },
  'files.link.revoke': {
    async write(scope, input, request) {
      if (!(await deleteLink(scope.tx, request.caller!.userId, input.id))) throw new PodError('not_found', `you have no link ${input.id}`);
      return {};
    },
  },
  'files.links': {
    async read(input, request, ctx) {
      const viewer = readViewer(ctx, request);
      const nodeId = input.target === undefined ? undefined : Number((await ownItem(ctx.db, viewer, input.target, 'linked')).id);
      const limit = input.limit ?? DEFAULT_PAGE;
      const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isIdCursor)[0];
      const rows = await linksOf(ctx.db, viewer.userId, nodeId, before, limit + 1);
      const page = rows.slice(0, limit);
      const nodes = new Map((await nodesByIdsAnyOwner(ctx.db, page.map((link) => Number(link.node_id)))).map((row) => [Number(row.id), row]));
      const paths = await pathsOf(ctx.db, [...nodes.keys()]);
      const last = page[page.length - 1];
      return {
        links: page.map((link) => toLink(link, paths.get(Number(link.node_id)) ?? '', nodes.get(Number(link.node_id))?.kind ?? 'file')),
        ...(rows.length > limit && last ? { next: encodeCursor([Number(last.id)]) } : {}),
      };
    },
  },
  'files.link.open': {
    async read(input, _request, ctx) {
      const link = await linkByTokenHash(ctx.db, tokenHash(input.token));
      if (!link) throw noLink();
      if (link.expires_at !== null && Date.parse(link.expires_at) <= Date.now()) throw new PodError('not_found', 'this link has expired');
      if (link.password_hash !== null) {
        if (input.password === undefined) throw new PodError('unauthorized', 'this link needs a password');
        checkLinkGuessAllowed(link.token_hash, Date.now());
        const good = await verify(link.password_hash, input.password).catch(() => false);
        if (!good) {
          noteWrongLinkPassword(link.token_hash, Date.now());
          throw new PodError('unauthorized', 'wrong password for this link');
        }
      }
      const top = await nodeById(ctx.db, Number(link.node_id));
      // Its item in the trash: the link is dead until the owner restores it.
      if (!top || top.trash_root !== null || Number(top.user_id) !== Number(link.owner_id)) throw noLink();
      const names = pathNames(input.path ?? '/');
      let item = top;
      if (names.length > 0) {
        const notThere = () => new PodError('not_found', `nothing at ${input.path} in this link's folder`);
        if (top.kind !== 'folder') throw notThere();
        const walked = await walkPath(ctx.db, Number(top.user_id), names, Number(top.id)).catch(() => {
          throw notThere();
        });
        if (walked.missing > 0) throw notThere();
        item = walked.rows[walked.rows.length - 1]!;
      }
      if (item.kind === 'file') return { kind: 'file' as const, ...(await contentPage(ctx.db, item, input.version, input.offset)) };
      const limit = input.limit ?? DEFAULT_PAGE;
      const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, isNameCursor)[0];
      const rows = await listChildren(ctx.db, Number(item.user_id), Number(item.id), after, limit + 1);
      const page = rows.slice(0, limit);
      return {
        kind: 'folder' as const,
        folder: toEntry(item),
        path: input.path ?? '/',
        entries: page.map(toEntry),
        ...(rows.length > limit ? { next: encodeCursor([page[page.length - 1]!.name]) } : {}),
      };
    },
  },
};
