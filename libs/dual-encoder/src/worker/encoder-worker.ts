/**
 * Entry point of an encoder worker thread (started by EncoderWorkerPool from the built file
 * dist/worker/encoder-worker.js). It owns one pair of sessions and runs one graph at a time, so
 * session.run blocks this thread and never the caller's event loop. A failing run is answered
 * with its error and the worker stays up.
 */
import { parentPort } from 'node:worker_threads';
import { toWireError } from '../errors.js';
import {
  namesOf,
  openSessions,
  releaseSessions,
  runGraph,
  type SessionPair,
  type SessionSettings,
} from '../graph-session.js';
import { type FromWorker, type ToWorker, type WorkerRequest } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('encoder-worker.js runs as a worker thread only');

let sessions: SessionPair | undefined;
let settings: SessionSettings | undefined;

async function handle(message: WorkerRequest): Promise<FromWorker> {
  switch (message.type) {
    case 'init':
      settings = message.settings;
      sessions = await openSessions(settings);
      return { type: 'done', id: message.id, value: namesOf(sessions) };
    case 'close':
      if (sessions) await releaseSessions(sessions);
      sessions = undefined;
      return { type: 'done', id: message.id, value: null };
    case 'run': {
      if (!sessions || !settings) throw new Error('the worker has no sessions yet (init first)');
      const output = await runGraph(sessions, settings, message.run);
      // A copy in a buffer of its own: onnxruntime's output memory may not be transferable.
      return { type: 'done', id: message.id, value: { data: output.data.slice(), dims: output.dims } };
    }
  }
}

port.on('message', (message: ToWorker) => {
  // Ends this thread only (in a worker, process.exit does not end the process). Messages are read
  // while no graph runs and no session is being created, so no onnxruntime call is cut off
  // (Worker.terminate() inside one aborts the whole process).
  if (message.type === 'exit') process.exit(1);
  handle(message).then(
    (reply) => {
      // The output buffer moves to the main thread instead of being copied.
      const value = reply.type === 'done' ? reply.value : null;
      const transfer = value !== null && 'data' in value ? [value.data.buffer as ArrayBuffer] : [];
      port.postMessage(reply, transfer);
    },
    (error: unknown) =>
      port.postMessage({ type: 'failed', id: message.id, error: toWireError(error) } satisfies FromWorker),
  );
});
