#!/usr/bin/env node
// Compiles every app and lib (apps/*/src, libs/*/src) to its own dist/ with swc:
// ESM output, legacy decorators with metadata (NestJS DI needs it).
// Type checking is separate: `npm run typecheck`.
// Run: node tools/build.mjs
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** swc options shared by the build and the vitest plugin. */
export const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: true,
};

async function* typescriptFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

async function buildPackage(pkgDir) {
  const src = join(pkgDir, 'src');
  const out = join(pkgDir, 'dist');
  await rm(out, { recursive: true, force: true });
  let count = 0;
  for await (const file of typescriptFiles(src)) {
    const target = join(out, relative(src, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, {
      ...swcOptions,
      filename: file,
      sourceFileName: relative(dirname(target), file),
    });
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) await writeFile(`${target}.map`, map);
    count += 1;
  }
  return count;
}

const started = Date.now();
let files = 0;
for (const group of ['libs', 'apps']) {
  for (const entry of await readdir(join(root, group), { withFileTypes: true })) {
    if (entry.isDirectory()) files += await buildPackage(join(root, group, entry.name));
  }
}
console.log(`built ${files} files in ${Date.now() - started} ms`);
