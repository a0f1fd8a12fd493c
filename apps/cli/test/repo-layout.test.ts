import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const dirs = (group: string) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe('repository layout', () => {
  it('nest-cli.json has one project per app and lib', () => {
    const nest = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as {
      monorepo: boolean;
      projects: Record<string, { type: string; root: string }>;
    };
    expect(nest.monorepo).toBe(true);
    const expected = [...dirs('apps').map((a) => `apps/${a}`), ...dirs('libs').map((l) => `libs/${l}`)].sort();
    expect(
      Object.values(nest.projects)
        .map((p) => p.root)
        .sort(),
    ).toEqual(expected);
  });

  it('every lib is a workspace package named @vrft/<dir>', () => {
    for (const lib of dirs('libs')) {
      const pkg = JSON.parse(readFileSync(join(root, 'libs', lib, 'package.json'), 'utf8')) as { name: string };
      expect(pkg.name).toBe(`@vrft/${lib}`);
    }
  });

  it('docs/architecture.md names every deployable', () => {
    const architecture = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    for (const app of dirs('apps')) expect(architecture).toContain(app);
  });
});
