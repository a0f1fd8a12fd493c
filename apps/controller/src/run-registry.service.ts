import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Bus, ProtoKv } from '@vrft/bus';
import { APP_CONFIG } from '@vrft/config';
import { type Run, RunSchema, RunState } from '@vrft/proto';
import { BUS } from '@vrft/runtime';
import type { ControllerConfig } from './controller.config.js';

/** No run has this id. */
export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  constructor(readonly runId: string) {
    super(`no run with id "${runId}"`);
  }
}

/** A page token that this registry did not issue. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
  constructor(token: string) {
    super(`page_token "${token}" was not issued by ListRuns`);
  }
}

const terminalStates = new Set([RunState.STOPPED, RunState.SUCCEEDED, RunState.FAILED]);

/** The run registry: one KV entry per run, keyed by run id. */
@Injectable()
export class RunRegistry implements OnModuleInit {
  private kv!: ProtoKv<Run>;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(APP_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.kv = await this.bus.openRegistry(RunSchema, this.config.registry.bucket);
  }

  /** The run, or RunNotFoundError. */
  async get(runId: string): Promise<Run> {
    const entry = await this.kv.get(runId);
    if (!entry) throw new RunNotFoundError(runId);
    return entry.value;
  }

  /** Runs ordered by id; the page token is the last id of the previous page. */
  async list(pageSize: number, pageToken: string): Promise<{ runs: Run[]; nextPageToken: string }> {
    const size = Math.min(pageSize || this.config.registry.maxPageSize, this.config.registry.maxPageSize);
    const after = pageToken === '' ? '' : decodePageToken(pageToken);
    const ids = (await this.kv.keys()).sort().filter((id) => id > after);
    const page = ids.slice(0, size);
    const runs = (await Promise.all(page.map((id) => this.kv.get(id)))).flatMap((entry) =>
      entry ? [entry.value] : [],
    );
    const last = page.at(-1);
    return { runs, nextPageToken: ids.length > size && last ? encodePageToken(last) : '' };
  }

  /** The run now and at every change, until it reaches a terminal state or the signal aborts. */
  async *watch(runId: string, signal: AbortSignal): AsyncGenerator<Run> {
    await this.get(runId); // NOT_FOUND before the stream starts
    const watch = await this.kv.watch({ key: runId, include: 'last' });
    const stop = () => watch.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const change of watch) {
        if (change.operation !== 'put') return;
        yield change.value;
        if (terminalStates.has(change.value.state)) return;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      watch.stop();
    }
  }
}

function encodePageToken(lastId: string): string {
  return Buffer.from(`after:${lastId}`).toString('base64url');
}

function decodePageToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString();
  if (!text.startsWith('after:')) throw new InvalidPageTokenError(token);
  return text.slice('after:'.length);
}
