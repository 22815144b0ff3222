// Writes the published JSON Schema of a skin (docs/skin.schema.json) from the zod schema in
// @pod/protocol, so the two never drift: packages/protocol/test/skin.test.ts checks they match.
import { writeFileSync } from 'node:fs';
import { skinJsonSchema } from '../packages/protocol/src/skin.ts';

writeFileSync(new URL('../docs/skin.schema.json', import.meta.url), `${JSON.stringify(skinJsonSchema(), null, 2)}\n`);
