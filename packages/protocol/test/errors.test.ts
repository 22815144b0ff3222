import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorBody, errorCatalogue, errorCodes, httpStatusOf, isErrorCode, PodError, serverFrame, type ErrorCode } from '../src/index.ts';

const protocolDoc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The rows of the error table in docs/protocol.md: "| `code` | status | meaning |". */
function documentedCodes(): Map<string, { status: number; meaning: string }> {
  const rows = new Map<string, { status: number; meaning: string }>();
  for (const match of protocolDoc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*(.+?)\s*\|\s*$/gm)) {
    const [, code, status, meaning] = match;
    assert.ok(!rows.has(code!), `docs/protocol.md documents ${code} twice`);
    rows.set(code!, { status: Number(status), meaning: meaning! });
  }
  return rows;
}

describe('the error code catalogue', () => {
  it('documents every code in docs/protocol.md with the HTTP status the server sends', () => {
    const documented = documentedCodes();
    for (const code of errorCodes) {
      const row = documented.get(code);
      assert.ok(row, `docs/protocol.md does not document the error code ${code}`);
      assert.equal(row.status, errorCatalogue[code].status, `docs/protocol.md gives ${code} the status ${row.status}, the server sends ${errorCatalogue[code].status}`);
      assert.ok(row.meaning.length > 20, `docs/protocol.md explains ${code} in a sentence`);
    }
  });

  it('documents no code the server does not have, so clients never switch on a dead code', () => {
    const unknown = [...documentedCodes().keys()].filter((code) => !isErrorCode(code));
    assert.deepEqual(unknown, []);
  });

  it('maps every code to one 4xx or 5xx status, and only internal and unavailable to 5xx', () => {
    for (const code of errorCodes) {
      const status = httpStatusOf(code);
      assert.ok(status >= 400 && status <= 599, `${code} maps to ${status}`);
      assert.equal(new PodError(code, 'x').httpStatus, status);
      assert.equal(status >= 500, code === 'internal' || code === 'unavailable', `${code} is a client error exactly when the client can fix it`);
    }
    const statuses = errorCodes.map(httpStatusOf);
    assert.equal(new Set(statuses).size, statuses.length, 'each code has its own status, so HTTP clients can tell them apart');
  });

  it('lets every code travel in a res frame and an HTTP error body', () => {
    for (const code of errorCodes) {
      const body = new PodError(code, `something about ${code}`, { retryAfterSeconds: 3 }).toBody();
      assert.ok(errorBody.safeParse(body).success, `errorBody refuses ${code}`);
      assert.ok(serverFrame.safeParse({ t: 'res', id: null, ok: false, error: body }).success, `a frame-level res refuses ${code}`);
      assert.ok(serverFrame.safeParse({ t: 'res', id: 'r1', ok: false, error: body }).success, `a request res refuses ${code}`);
    }
  });

  it('refuses a code outside the catalogue in a frame, and isErrorCode agrees', () => {
    for (const code of ['teapot', 'Internal', '', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(errorBody.safeParse({ code, message: 'm' }).success, false, code);
      assert.equal(isErrorCode(code), false, code);
    }
  });

  it('round-trips a PodError through toBody, JSON and fromBody unchanged', () => {
    const cases: Array<[ErrorCode, string, Record<string, unknown> | undefined]> = [
      ['rate_limited', 'too many failed sign-ins; try again in 4 s', { retryAfterSeconds: 4 }],
      ['internal', 'internal error; quote correlation id c-1', { correlation: 'c-1' }],
      ['not_found', 'no user named zed', undefined],
    ];
    for (const [code, message, data] of cases) {
      const original = new PodError(code, message, data);
      const body = JSON.parse(JSON.stringify(original.toBody()));
      assert.equal('data' in body, data !== undefined, 'an error without data carries no data key (strict schemas refuse undefined fields)');
      const copy = PodError.fromBody(errorBody.parse(body) as never);
      assert.ok(copy instanceof PodError && copy instanceof Error);
      assert.deepEqual({ code: copy.code, message: copy.message, data: copy.data, status: copy.httpStatus }, { code, message, data, status: httpStatusOf(code) });
      assert.deepEqual(copy.toBody(), original.toBody());
    }
  });
});
