#!/usr/bin/env node
// Rewrites nest-cli.json's project list from the folders in apps/ and libs/ that git
// tracks (stage a new app or lib first). Run after adding one: node tools/nest-projects.mjs
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
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
  const tracked = execFileSync('git', ['ls-files', group], { cwd: root, encoding: 'utf8' }).split('\n');
  const names = [...new Set(tracked.map((path) => path.split('/')[1]).filter(Boolean))].sort();
  for (const name of names) {
    projects[name] = {
      type,
      root: `${group}/${name}`,
      entryFile,
      sourceRoot: `${group}/${name}/src`,
      compilerOptions: { tsConfigPath: 'tsconfig.json' },
    };
  }
}
config.projects = projects;
await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
console.log(`nest-cli.json: ${Object.keys(projects).length} projects`);
