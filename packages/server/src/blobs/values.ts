import { sql, type Kysely } from 'kysely';
import type { BlobTables } from '../store/schema.ts';

/** Small blobs in the store (table blob_values): the values exactly as a driver would hold them. */
export type ValuesDb = Kysely<BlobTables>;

/** Hashes per statement: well under SQLite's and PostgreSQL's parameter limits. */
const PAGE = 500;

export async function readValue(db: ValuesDb, hash: string): Promise<Uint8Array | undefined> {
  const row = await db.selectFrom('blob_values').select('value').where('hash', '=', hash).executeTakeFirst();
  return row ? new Uint8Array(row.value) : undefined;
}

/** The stored size of each of `hashes` held here; the others are left out. */
export async function valueSizes(db: ValuesDb, hashes: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (let from = 0; from < hashes.length; from += PAGE) {
    const rows = await db
      .selectFrom('blob_values')
      .select(['hash', sql<number | string>`length(value)`.as('bytes')])
      .where('hash', 'in', hashes.slice(from, from + PAGE))
      .execute();
    for (const row of rows) sizes.set(row.hash, Number(row.bytes));
  }
  return sizes;
}

/** Stores the value, replacing one already there: same content, unless that copy had rotted. */
export async function writeValue(db: ValuesDb, hash: string, value: Uint8Array): Promise<void> {
  await db
    .insertInto('blob_values')
    .values({ hash, value })
    .onConflict((oc) => oc.column('hash').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

export async function removeValue(db: ValuesDb, hash: string): Promise<void> {
  await db.deleteFrom('blob_values').where('hash', '=', hash).execute();
}

export async function* valueKeys(db: ValuesDb): AsyncIterable<string> {
  for (let after = ''; ; ) {
    const rows = await db.selectFrom('blob_values').select('hash').where('hash', '>', after).orderBy('hash').limit(PAGE).execute();
    for (const row of rows) yield row.hash;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.hash;
  }
}
