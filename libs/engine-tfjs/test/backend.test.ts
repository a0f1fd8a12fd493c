import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKEND_ORDER, EngineOptionsError, parseBackendOptions, selectBackend } from '../src/index.js';

describe('selectBackend', () => {
  it('falls back past the uninstalled tfjs-node packages to wasm and says why they failed', async () => {
    const lines: string[] = [];
    const selection = await selectBackend({ logger: { info: (message) => lines.push(message) } });
    expect(DEFAULT_BACKEND_ORDER).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(['wasm', 'cpu']).toContain(selection.candidate);
    expect(tf.getBackend()).toBe(selection.backendName);
    const [gpu, node] = selection.attempts;
    expect(gpu).toMatchObject({ candidate: 'tensorflow-gpu', ok: false });
    expect(gpu?.reason).toMatch(/tfjs-node-gpu/);
    expect(node).toMatchObject({ candidate: 'tensorflow', ok: false });
    expect(node?.reason).toMatch(/tfjs-node/);
    expect(selection.attempts.at(-1)).toMatchObject({ candidate: selection.candidate, ok: true });
    expect(lines).toEqual([`tfjs backend: ${selection.candidate}`]);
  });

  it('follows a configured order', async () => {
    const selection = await selectBackend({ order: ['cpu', 'wasm'] });
    expect(selection.backendName).toBe('cpu');
    expect(selection.attempts).toEqual([{ candidate: 'cpu', ok: true }]);
  });

  it('names a bad order entry', () => {
    expect(() => parseBackendOptions({ order: ['cpu', 'webgl' as never] })).toThrow(EngineOptionsError);
    expect(() => parseBackendOptions({ order: ['cpu', 'webgl' as never] })).toThrow(/order\[1\]/);
    expect(() => parseBackendOptions({ order: [] })).toThrow(/order/);
  });
});
