#!/usr/bin/env node
// Rewrites nest-cli.json's project list from the folders in apps/ and libs/.
// Run after adding an app or a lib: node tools/nest-projects.mjs
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'nest-cli.json');
const config = JSON.parse(await readFile(file, 'utf8'));
const projects = {};
for (const [group, type, entryFile] of [
  ['apps', 'application', 'main'],
  ['libs', 'library', 'index'],
]) {
  const entries = await readdir(join(root, group), { withFileTypes: true });
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    projects[entry.name] = {
      type,
      root: `${group}/${entry.name}`,
      entryFile,
      sourceRoot: `${group}/${entry.name}/src`,
      compilerOptions: { tsConfigPath: 'tsconfig.json' },
    };
  }
}
config.projects = projects;
await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
console.log(`nest-cli.json: ${Object.keys(projects).length} projects`);
