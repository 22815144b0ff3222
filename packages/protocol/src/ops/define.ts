import type { z } from 'zod';

/**
 * Who may call an operation: anyone (login), any signed-in user, administrators, or only
 * other servers (the gateway and application servers) through the messenger.
 */
export type Access = 'public' | 'user' | 'admin' | 'internal';

export interface OpDef {
  app: string;
  access: Access;
  input: z.ZodType;
  output: z.ZodType;
  /** Read-only operations answer without a write transaction and need no idempotency record. */
  readonly?: boolean;
}
