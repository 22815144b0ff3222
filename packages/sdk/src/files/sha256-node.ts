import { createHash } from 'node:crypto';
import type { Sha256Factory } from './chunker.ts';

/** SHA-256 from node:crypto (hardware-accelerated where the CPU has SHA extensions). */
export const nodeSha256: Sha256Factory = () => {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => hash.digest('hex'),
  };
};
