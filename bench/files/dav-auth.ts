/** HTTP Basic credentials for WebDAV: a new app password for the benchmark's user. */
import { callOp } from '@pod/sdk/node';

export async function davCredentials(server: string, token: string, user: string): Promise<string> {
  const { password } = await callOp(server, token, 'auth.appPasswords.create', { label: 'files benchmark' });
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
