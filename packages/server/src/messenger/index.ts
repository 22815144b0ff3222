import type { Logger } from 'pino';
import type { PodConfig } from '../config.ts';
import { LocalMessenger } from './local.ts';
import type { Messenger } from './messenger.ts';
import { NatsMessenger } from './nats.ts';

export type { Messenger } from './messenger.ts';

/** The messenger a pod's config asks for: NATS + JetStream when `natsUrl` is set, else in-process. */
export async function openMessenger(config: Pick<PodConfig, 'natsUrl' | 'natsPrefix'>, log?: Logger): Promise<Messenger> {
  if (!config.natsUrl) return new LocalMessenger();
  return NatsMessenger.connect({ url: config.natsUrl, prefix: config.natsPrefix, log });
}
