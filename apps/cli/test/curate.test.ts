/**
 * `vrft curate` end to end: a real child process killed with SIGKILL mid-run and restarted ends
 * with the same samples as an uninterrupted run and no duplicate stage records; plus the command
 * line's usage errors and summary, in process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@vrft/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCurateProgress, runCurateCommand } from '../src/commands/curate.command.js';
import { parseCurateArgs } from '../src/curate/curate-args.js';

// tools/vitest-global-setup.ts builds apps/cli/dist before the tests.
const entry = join(import.meta.dirname, '..', 'dist', 'curate', 'curate-main.js');
const baseEnv = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };

let root = '';
let data = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vrft-cli-curate-'));
  data = join(root, 'data');
  await generateDataset({ outDir: data, count: 40, seed: 0, encode: false });
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function runChild(args: string[]) {
  const child = spawn(process.execPath, [entry, ...args], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function countLines(path: string): Promise<number> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '').length;
  } catch {
    return 0;
  }
}

async function ids(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

describe('vrft curate', () => {
  it('resumes after SIGKILL without duplicating samples and ends like an uninterrupted run', async () => {
    const whole = join(root, 'whole');
    const reference = runChild(['--data', data, '--out', whole, '--concurrency', '1']);
    expect(await reference.exited, reference.output()).toBe(0);
    const total = await countLines(join(whole, 'stages', 'filter.jsonl'));
    expect(total).toBe(80);

    const killed = join(root, 'killed');
    const first = runChild(['--data', data, '--out', killed, '--concurrency', '1']);
    const filterFile = join(killed, 'stages', 'filter.jsonl');
    let atKill = 0;
    let gone = false;
    void first.exited.then(() => (gone = true));
    while (!gone) {
      atKill = await countLines(filterFile);
      if (atKill >= 10) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(gone, `the run ended before it could be killed: ${first.output()}`).toBe(false);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    expect(atKill).toBeLessThan(total); // killed mid-way
    await expect(stat(join(killed, 'sft.jsonl'))).rejects.toThrow();

    const second = runChild(['--data', data, '--out', killed, '--concurrency', '1']);
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toMatch(/resumed/);
    for (const stage of ['draft', 'revise', 'filter']) {
      const list = await ids(join(killed, 'stages', `${stage}.jsonl`));
      expect(new Set(list).size, stage).toBe(list.length);
      expect(list.length, stage).toBe(total);
    }
    expect(await readFile(join(killed, 'sft.jsonl'), 'utf8')).toBe(await readFile(join(whole, 'sft.jsonl'), 'utf8'));
    expect(await readFile(join(killed, 'rl.jsonl'), 'utf8')).toBe(await readFile(join(whole, 'rl.jsonl'), 'utf8'));
    const reportWhole = JSON.parse(await readFile(join(whole, 'report.json'), 'utf8')) as { totals: unknown };
    const reportKilled = JSON.parse(await readFile(join(killed, 'report.json'), 'utf8')) as {
      totals: unknown;
      resumed: number;
    };
    expect(reportKilled.totals).toEqual(reportWhole.totals);
    expect(reportKilled.resumed).toBeGreaterThanOrEqual(atKill);
  }, 60_000);

  it('prints a summary table and progress in process', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCurateCommand(
      ['--data', data, '--out', join(root, 'inproc'), '--limit', '6', '--progress-seconds', '0'],
      {
        out: { write: (t: string) => out.push(t) },
        err: { write: (t: string) => err.push(t) },
        env: {},
      },
    );
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/problem type\s+samples\s+described/);
    expect(out.join('')).toMatch(/all\s+6\s+6/);
    expect(err.join('')).toMatch(/curate: 6\/6 samples \(100%\).*samples\/s, ETA/);
  });

  it('rejects bad command lines with exit code 64, naming the flag', async () => {
    const run = async (args: string[]) => {
      const err: string[] = [];
      const code = await runCurateCommand(args, {
        out: { write: () => true },
        err: { write: (t: string) => err.push(t) },
        env: {},
      });
      return { code, err: err.join('') };
    };
    expect(await run(['--out', 'x'])).toMatchObject({ code: 64, err: expect.stringContaining('--data') as unknown });
    expect(await run(['--data', data, '--out', 'x', '--writer', 'gpt'])).toMatchObject({
      code: 64,
      err: expect.stringContaining('--writer') as unknown,
    });
    expect(await run(['--data', data, '--out', 'x', '--writer', 'openai'])).toMatchObject({
      code: 64,
      err: expect.stringContaining('--endpoint') as unknown,
    });
    expect(await run(['--data', data, '--out', 'x', '--concurrency', '0'])).toMatchObject({
      code: 64,
      err: expect.stringContaining('--concurrency') as unknown,
    });
    expect(await run(['--data', join(root, 'missing'), '--out', join(root, 'o')])).toMatchObject({
      code: 64,
      err: expect.stringContaining('samples') as unknown,
    });
  });

  it('maps flags onto the library options, the API key from the named variable', () => {
    const { options } = parseCurateArgs(
      [
        '--data',
        'd',
        '--out',
        'o',
        '--writer',
        'openai',
        '--endpoint',
        'http://h:8000/v1',
        '--model',
        'm',
        '--rps',
        '2',
        '--retries',
        '5',
        '--api-key-env',
        'KEY',
      ],
      { KEY: 'secret' },
    );
    expect(options).toMatchObject({
      dataDir: 'd',
      outDir: 'o',
      writer: 'openai',
      remote: { endpoint: 'http://h:8000/v1', model: 'm', apiKey: 'secret', requestsPerSecond: 2, maxRetries: 5 },
    });
    expect(
      formatCurateProgress({ done: 3, total: 10, resumed: 1, kept: 2, failed: 0, elapsedSec: 1, rate: 2, etaSec: 3.5 }),
    ).toBe('curate: 3/10 samples (30%) (1 resumed), kept 2, failed 0, 2.00 samples/s, ETA 4 s');
  });

  it('passes the writer options through and rejects a zero --browse-moments', () => {
    expect(parseCurateArgs(['--data', 'd', '--out', 'o', '--browse-moments', '1'], {}).options.writing).toEqual({
      browseMoments: 1,
    });
    expect(parseCurateArgs(['--data', 'd', '--out', 'o', '--seed', '3'], {}).options.writing).toEqual({ seed: 3 });
    expect(() => parseCurateArgs(['--data', 'd', '--out', 'o', '--browse-moments', '0'], {})).toThrow(
      /--browse-moments/,
    );
  });
});
