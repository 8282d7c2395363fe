// Writes tests/fixtures/magento2/oauth-vectors.json (see ./oauth-vectors.mjs).
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { FILE, vectors } from './oauth-vectors.mjs';

mkdirSync(dirname(fileURLToPath(FILE)), { recursive: true });
writeFileSync(FILE, `${JSON.stringify(vectors(), null, 2)}\n`);
console.log(`wrote ${fileURLToPath(FILE)}`);
