/**
 * Entry point of a session worker thread (started by WorkerPool from the built file
 * dist/worker/session-worker.js). It owns one model version's sessions and runs one job at a
 * time; session.run blocks this thread, never the engine's event loop. A failing job is
 * answered with its error and the worker stays up.
 */
import { parentPort } from 'node:worker_threads';
import { Tokenizer } from '@vrft/tokenizer';
import { toWireError } from '../errors.js';
import { ModelRunner } from '../runtime/model-runner.js';
import { createModelSessions, releaseSessions, type ModelSessions } from '../runtime/model-sessions.js';
import { type FromWorker, type ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('session-worker.js runs as a worker thread only');

let runner: ModelRunner | undefined;
let sessions: ModelSessions | undefined;

async function handle(message: ToWorker): Promise<unknown> {
  if (message.type === 'init') {
    const { init } = message;
    const tokenizer = Tokenizer.fromJSON(init.tokenizerJson);
    sessions = await createModelSessions(init.source, init.sessions);
    // Ids past the tokenizer's vocabulary (a config may reserve more rows than it has tokens)
    // have no text; they still count as tokens with log-probs.
    const known = tokenizer.vocabSize;
    const decode = (ids: readonly number[]): string => tokenizer.decode(ids.filter((id) => id < known));
    runner = new ModelRunner(sessions, init.config, decode, init.runner);
    return null;
  }
  if (message.type === 'close') {
    runner = undefined;
    if (sessions) await releaseSessions(sessions);
    sessions = undefined;
    return null;
  }
  if (!runner) throw new Error('the worker has no sessions yet (init first)');
  return message.job.kind === 'generate' ? runner.generate(message.job.requests) : runner.score(message.job.requests);
}

port.on('message', (message: ToWorker) => {
  handle(message).then(
    (value) => port.postMessage({ type: 'done', id: message.id, value } satisfies FromWorker),
    (error: unknown) =>
      port.postMessage({ type: 'failed', id: message.id, error: toWireError(error) } satisfies FromWorker),
  );
});
