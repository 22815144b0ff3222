import { PodError, type ClientOpName, type OpInput, type OpOutput } from '@pod/protocol';
import { callOp } from '@pod/sdk/node';
import { readConfig, requireSession, type Session } from './config.ts';

/** The signed-in session from the config, with its operations over HTTP. */
export interface Api {
  session: Session;
  call<N extends ClientOpName>(op: N, body: OpInput<N>): Promise<OpOutput<N>>;
}

export function signedIn(): Api {
  const session = requireSession(readConfig());
  return {
    session,
    async call(op, body) {
      try {
        return await callOp(session.server, session.token, op, body);
      } catch (error) {
        if (error instanceof PodError && error.code === 'unauthorized') {
          throw new PodError('unauthorized', `${error.message}; sign in again with pod login --server ${session.server} --user ${session.user} --password-stdin`, error.data);
        }
        throw error;
      }
    },
  };
}
