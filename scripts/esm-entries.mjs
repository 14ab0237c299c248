// Writes dist/*.mjs: ESM entry points that re-export the CommonJS build by name, so that `import`
// and `require` share one module instance (and so one native addon and one peer store).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const require = createRequire(path.join(dist, 'entry.js'));
for (const name of ['index', 'next', 'server']) {
  const mod = require(`./${name}.js`);
  const names = Object.keys(mod).filter((n) => n !== 'default' && n !== '__esModule');
  const hasDefault = 'default' in mod;
  const body = [`import cjs from './${name}.js';`, `export const { ${names.join(', ')} } = cjs;`, hasDefault ? 'export default cjs.default;' : '', ''].join('\n');
  writeFileSync(path.join(dist, `${name}.mjs`), body);
  writeFileSync(path.join(dist, `${name}.d.mts`), `export * from './${name}.js';\n${hasDefault ? `export { default } from './${name}.js';\n` : ''}`);
}
