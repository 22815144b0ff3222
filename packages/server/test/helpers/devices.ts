import { callOp, connectNode, login, type ClientOpName, type OpInput, type OpOutput, type PodClient } from '@pod/sdk/node';
import { nextEvent, type TestPod, type TestUser } from './pod.ts';

/** One more signed-in session of a test user: a second device with its own token. */
export interface Device {
  token: string;
  session: string;
  op<N extends ClientOpName>(op: N, body: OpInput<N>): Promise<OpOutput<N>>;
  /** A socket that stays closed once the server ends it, so a test can watch it end. */
  connect(): Promise<PodClient>;
}

export async function signIn(pod: TestPod, user: Pick<TestUser, 'name' | 'password'>, device = 'another device'): Promise<Device> {
  const { token, session } = await login(pod.url, user.name, user.password, device);
  return {
    token,
    session,
    op: (op, body) => callOp(pod.url, token, op, body),
    async connect() {
      const client = connectNode({ url: pod.url, token, requestTimeoutMs: 5000, reconnect: false });
      await client.connect();
      return client;
    },
  };
}

/** Resolves when `client` has every event its user's mailbox held when this was called. */
export async function caughtUp(pod: TestPod, token: string, client: PodClient): Promise<void> {
  const response = await fetch(`${pod.url}/v1/mailbox?after=0&limit=1`, { headers: { authorization: `Bearer ${token}` } });
  const { head } = (await response.json()) as { head: number };
  if (client.lastSeq >= head) return;
  await nextEvent(client, () => client.lastSeq >= head);
}

/** Resolves with the reason once the server ends the client's session. */
export function sessionEnded(client: PodClient): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (client.state === 'closed') return resolve(undefined);
    const stop = client.onState((state, detail) => {
      if (state !== 'closed') return;
      stop();
      resolve(detail?.code);
    });
  });
}
