import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StageStore, StageStoreError } from '@vrft/curation';

const dirs: string[] = [];
async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vrft-stage-'));
  dirs.push(dir);
  return join(dir, 'stages', 'draft.jsonl');
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('stage store', () => {
  it('appends records as whole lines and reads them back after reopening', async () => {
    const path = await tempFile();
    const store = await StageStore.open<{ n: number }>(path);
    // Concurrent appends from several workers never interleave.
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => store.append({ id: String(n), ok: true, value: { n }, ms: 1 })),
    );
    await store.append({ id: 'x', ok: false, error: { name: 'RemoteModelError', message: 'HTTP 500' }, ms: 2 });
    await store.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(22);
    expect(lines.at(-1)).toBe('');
    const again = await StageStore.open<{ n: number }>(path);
    expect(again.stats).toEqual({ records: 21, tornBytes: 0 });
    expect(again.get('7')).toMatchObject({ ok: true, value: { n: 7 } });
    expect(again.get('x')?.ok).toBe(false);
    await again.close();
  });

  it('drops a torn last line, truncates it away, and appends cleanly after it', async () => {
    const path = await tempFile();
    const store = await StageStore.open<string>(path);
    await store.append({ id: 'a', ok: true, value: 'first', ms: 0 });
    await store.close();
    await appendFile(path, '{"id":"b","ok":true,"val');
    const resumed = await StageStore.open<string>(path);
    expect(resumed.stats.tornBytes).toBe('{"id":"b","ok":true,"val'.length);
    expect(resumed.has('b')).toBe(false);
    await resumed.append({ id: 'b', ok: true, value: 'second', ms: 0 });
    await resumed.close();
    const text = await readFile(path, 'utf8');
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['a', 'b']);
  });

  it('refuses a file that is not a stage store', async () => {
    const path = await tempFile();
    await StageStore.open(path).then((s) => s.close());
    await writeFile(path, 'not json\n{"id":"a","ok":true,"value":1,"ms":0}\n');
    await expect(StageStore.open(path)).rejects.toThrow(StageStoreError);
    await writeFile(path, '{"foo":1}\n');
    await expect(StageStore.open(path)).rejects.toThrow(/not a stage record/);
  });

  it('lets a later record of an id supersede the earlier one (a retried failure)', async () => {
    const path = await tempFile();
    const store = await StageStore.open<number>(path);
    await store.append({ id: 'a', ok: false, error: { name: 'Error', message: 'boom' }, ms: 0 });
    await store.append({ id: 'a', ok: true, value: 3, ms: 0 });
    await store.close();
    const again = await StageStore.open<number>(path);
    expect(again.get('a')).toMatchObject({ ok: true, value: 3 });
    expect(again.all()).toHaveLength(1);
    await again.close();
  });
});
