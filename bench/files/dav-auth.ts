/** HTTP Basic credentials for WebDAV: a new app password for the benchmark's user. */
const CREATE_OPS = ['auth.appPasswords.create', 'auth.appPassword.create', 'auth.appPasswords.add'];

export async function davCredentials(server: string, token: string, user: string): Promise<string> {
  const reasons: string[] = [];
  for (const op of CREATE_OPS) {
    const response = await fetch(`${server}/v1/op/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'files benchmark' }),
    });
    const body = (await response.json().catch(() => ({}))) as { password?: unknown };
    if (response.ok && typeof body.password === 'string') return `Basic ${Buffer.from(`${user}:${body.password}`).toString('base64')}`;
    reasons.push(`${op}: HTTP ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  }
  throw new Error(`could not create an app password for WebDAV:\n  ${reasons.join('\n  ')}`);
}
