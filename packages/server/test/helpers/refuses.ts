import type { PodError } from '@pod/sdk/node';
import assert from 'node:assert/strict';

/** Asserts that `promise` fails with a PodError of `code` (and a message matching `message`); answers the error. */
export async function refuses(promise: Promise<unknown>, code: string, message?: RegExp): Promise<PodError> {
  let caught: PodError | undefined;
  await assert.rejects(promise, (error: PodError) => {
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    caught = error;
    return true;
  });
  return caught!;
}
