import type { TestPod, TestUser } from './pod.ts';

export interface DavAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: Buffer;
}

export interface DavUser extends TestUser {
  appPassword: string;
  /** A raw WebDAV request to /dav<path>, authenticated with the user's app password unless `auth` says otherwise. */
  dav(method: string, path: string, options?: { headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer>; auth?: string | null }): Promise<DavAnswer>;
}

export function basic(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

/** A user with an app password, and a way to send WebDAV requests as them. */
export async function davUser(pod: TestPod, name: string): Promise<DavUser> {
  const user = await pod.user(name);
  const { password } = await user.op('auth.appPasswords.create', { label: `${name}'s test mount` });
  return {
    ...user,
    appPassword: password,
    async dav(method, path, options = {}) {
      const auth = options.auth === undefined ? basic(name, password) : options.auth;
      const response = await fetch(`${pod.url}/dav${path}`, {
        method,
        headers: { ...(auth === null ? {} : { authorization: auth }), ...options.headers },
        ...(options.body === undefined ? {} : { body: options.body }),
      });
      const body = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, text: body.toString('utf8'), body };
    },
  };
}

export const LOCK_BODY = (scope: 'exclusive' | 'shared', owner = 'tester') =>
  `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>${owner}</D:owner></D:lockinfo>`;

export function lockTokenOf(answer: DavAnswer): string {
  const header = answer.headers.get('lock-token') ?? '';
  const match = /^<(.+)>$/.exec(header);
  if (!match) throw new Error(`no Lock-Token in the answer (${answer.status}): ${answer.text.slice(0, 200)}`);
  return match[1]!;
}
