import { type ChildProcess } from 'node:child_process';

// Children still alive; killed when this process goes away so that a failed or
// interrupted test run leaves no orphan server behind.
const live = new Set<ChildProcess>();
let registered = false;

const fatalSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

function onFatalSignal(signal: NodeJS.Signals): void {
  killAll();
  // Keep the default behaviour (terminate) when nobody else handles the
  // signal; when others listen, they decide.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function registerHandlers(): void {
  if (registered) return;
  registered = true;
  process.on('exit', killAll);
  for (const signal of fatalSignals) process.once(signal, onFatalSignal);
}

/** Tracks a child process so it is killed if this process exits first. */
export function trackChild(child: ChildProcess): void {
  registerHandlers();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Stops tracking a child (it was stopped deliberately). */
export function untrackChild(child: ChildProcess): void {
  live.delete(child);
}
