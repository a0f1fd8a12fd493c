/**
 * Entry point of a session worker thread (started by WorkerPool from the built file
 * dist/worker/session-worker.js). It owns one model version's sessions and their continuous
 * batch: admitted prompts join the running batch between decode steps, jobs (scoring, vision)
 * run between steps, and events about sequences go back as they happen. session.run blocks this
 * thread, never the engine's event loop. A failing job or sequence is answered with its error
 * and the worker stays up.
 */
import { parentPort } from 'node:worker_threads';
import { Tokenizer } from '@vrft/tokenizer';
import { RequestCancelledError, toWireError } from '../errors.js';
import { BatchScheduler } from '../runtime/batch-scheduler.js';
import { ModelRunner } from '../runtime/model-runner.js';
import { createModelSessions, releaseSessions, type ModelSessions } from '../runtime/model-sessions.js';
import { type FromWorker, type ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('session-worker.js runs as a worker thread only');

let scheduler: BatchScheduler | undefined;
let runner: ModelRunner | undefined;
let sessions: ModelSessions | undefined;
/** Jobs received and not answered yet, by message id, for 'cancel-job'. */
const jobs = new Map<number, AbortController>();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

async function handle(message: ToWorker): Promise<unknown> {
  if (message.type === 'init') {
    const { init } = message;
    const tokenizer = Tokenizer.fromJSON(init.tokenizerJson);
    sessions = await createModelSessions(init.source, init.sessions);
    // Ids past the tokenizer's vocabulary (a config may reserve more rows than it has tokens)
    // have no text; they still count as tokens with log-probs.
    const known = tokenizer.vocabSize;
    const decode = (ids: readonly number[]): string => tokenizer.decode(ids.filter((id) => id < known));
    const model = new ModelRunner(sessions, init.config, init.runner);
    runner = model;
    scheduler = new BatchScheduler(
      model,
      init.config,
      decode,
      {
        maxPrefillTokens: init.runner.maxPrefillTokens,
        cacheBlock: init.cacheBlock,
        ...(init.maxBatchSize === undefined ? {} : { maxBatchSize: init.maxBatchSize }),
        ...(init.streamIntervalMs === undefined ? {} : { streamIntervalMs: init.streamIntervalMs }),
      },
      (events, stats) => post({ type: 'events', id: 0, events, ...(stats ? { stats } : {}) }),
    );
    return null;
  }
  if (message.type === 'close') {
    scheduler = undefined;
    runner = undefined;
    if (sessions) await releaseSessions(sessions);
    sessions = undefined;
    return null;
  }
  const [active, model] = [scheduler, runner];
  if (!active || !model) throw new Error('the worker has no sessions yet (init first)');
  switch (message.type) {
    case 'admit':
      active.admit(message.request);
      return null;
    case 'cancel':
      active.cancel(message.ids);
      return null;
    case 'cancel-job':
      jobs.get(message.job)?.abort(new RequestCancelledError());
      return null;
    case 'job': {
      const { job } = message;
      const control = new AbortController();
      jobs.set(message.id, control);
      const { signal } = control;
      try {
        return await (job.kind === 'score'
          ? active.runJob(() => model.score(job.requests, signal))
          : active.runJob(() => model.encodeClips(job.clips, signal)));
      } finally {
        jobs.delete(message.id);
      }
    }
  }
}

port.on('message', (message: ToWorker) => {
  // Ends this thread only (in a worker, process.exit does not end the process). Messages are
  // read while no graph runs, so no onnxruntime run is cut off halfway.
  if (message.type === 'exit') process.exit(1);
  // Admissions and cancellations are fire-and-forget: their outcome arrives as sequence events.
  const reply = message.type !== 'admit' && message.type !== 'cancel' && message.type !== 'cancel-job';
  handle(message).then(
    (value) => {
      if (reply) post({ type: 'done', id: message.id, value });
    },
    (error: unknown) => post({ type: 'failed', id: message.id, error: toWireError(error) }),
  );
});
