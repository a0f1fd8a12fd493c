import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import { Code, toRpcError } from '@vrft/grpc';
import { sharedErrorMapper } from '@vrft/runtime';
import { JsonLogger } from '@vrft/telemetry';
import { AnswerService, type GenerationResultInit } from '../generation/answer.service.js';
import { ModelHost } from '../model/model-host.js';
import type { ReasoningServerConfig } from '../reasoning-server.config.js';
import { QueryError, reasoningServerErrorMapper } from '../reasoning-server.errors.js';
import { parseChatRequest } from './chat-request.js';

/** HTTP status of each gRPC status an answer can fail with. */
const HTTP_STATUS: Partial<Record<Code, number>> = {
  [Code.INVALID_ARGUMENT]: 400,
  [Code.FAILED_PRECONDITION]: 400,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNAUTHENTICATED]: 401,
  [Code.PERMISSION_DENIED]: 403,
  [Code.NOT_FOUND]: 404,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.CANCELLED]: 499,
  [Code.UNIMPLEMENTED]: 501,
  [Code.UNAVAILABLE]: 503,
  [Code.DEADLINE_EXCEEDED]: 504,
};

const FINISH: Record<number, string> = { 1: 'stop', 2: 'length', 3: 'stop' };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The OpenAI-compatible HTTP endpoint beside gRPC (node:http, off unless `http.port` is set):
 * `POST /v1/chat/completions` (with `stream: true`, server-sent events `data: {chunk}` ending
 * with `data: [DONE]`), `GET /v1/models` and `GET /healthz`. The same bearer tokens as gRPC; on
 * shutdown new requests are refused and requests in flight get the grace period.
 */
@Injectable()
export class OpenAiHttpHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server: Server | undefined;
  private active = 0;
  private readonly tokens: Buffer[];
  private idle: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ReasoningServerConfig,
    private readonly answers: AnswerService,
    private readonly model: ModelHost,
    private readonly logger: JsonLogger,
  ) {
    this.tokens = config.grpc.auth.bearerTokens.map(digest);
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.http;
    if (port === undefined) return;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.logger.log(`OpenAI-compatible HTTP listening on ${host}:${this.port}`, 'OpenAiHttp');
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.close();
    server.closeIdleConnections();
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.shutdown.graceMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    server.closeAllConnections();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.active += 1;
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new DOMException('the HTTP client went away', 'AbortError'));
      this.active -= 1;
      if (this.active === 0) this.idle?.();
    });
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/healthz') {
        return sendJson(res, this.model.ready ? 200 : 503, { status: this.model.ready ? 'SERVING' : 'NOT_SERVING' });
      }
      this.authenticate(req);
      if (req.method === 'GET' && path === '/v1/models') {
        return sendJson(res, 200, {
          object: 'list',
          data: [{ id: this.config.model.name, object: 'model', created: 0, owned_by: 'vrft' }],
        });
      }
      if (path === '/v1/chat/completions') {
        if (req.method !== 'POST') throw new HttpError(405, 'use POST');
        return await this.chat(req, res, controller.signal);
      }
      throw new HttpError(404, `no route ${req.method ?? ''} ${path ?? ''}`);
    } catch (error) {
      this.fail(res, error);
    }
  }

  private authenticate(req: IncomingMessage): void {
    if (this.tokens.length === 0) return;
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) throw new HttpError(401, 'missing "Authorization: Bearer <token>" header');
    const presented = digest(match[1]);
    if (!this.tokens.some((token) => timingSafeEqual(token, presented)))
      throw new HttpError(401, 'invalid bearer token');
  }

  private async chat(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const body = await readJson(req, this.config.http.maxBodyBytes);
    const { query, stream, model } = parseChatRequest(body);
    if (model !== undefined && model !== this.config.model.name) {
      throw new HttpError(404, `model ${JSON.stringify(model)} is not served here (${this.config.model.name} is)`);
    }
    const call = { api: 'http' as const, signal, deadline: Number.POSITIVE_INFINITY };
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const name = this.config.model.name;
    if (!stream) {
      const result = await this.answers.generate(query, call);
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: name,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.text ?? '' },
            finish_reason: FINISH[result.finishReason ?? 0] ?? 'stop',
            ...(query.includeLogprobs ? { logprobs: logprobsOf(result) } : {}),
          },
        ],
        usage: usageOf(result),
        vrft: { think: result.think, answer: result.answer },
      });
    }
    const events = this.answers.stream(query, call)[Symbol.asyncIterator]();
    // The first event decides the status: a refusal (e.g. 429 at capacity) is a plain HTTP error.
    let next = await events.next();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: name, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    try {
      for (; !next.done; next = await events.next()) {
        const event = next.value.event;
        if (event?.case === 'delta') {
          if (event.value.text) res.write(chunk({ content: event.value.text }, null));
        } else if (event?.case === 'final') {
          const result = event.value as GenerationResultInit;
          res.write(
            chunk({}, FINISH[result.finishReason ?? 0] ?? 'stop', {
              usage: usageOf(result),
              vrft: { think: result.think, answer: result.answer },
            }),
          );
        }
      }
      res.end('data: [DONE]\n\n');
    } catch (error) {
      if (signal.aborted) return;
      const { message, type } = errorBody(error);
      res.end(`data: ${JSON.stringify({ error: { message, type } })}\n\ndata: [DONE]\n\n`);
    }
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    const { status, message, type } = errorBody(error);
    if (status >= 500 && status !== 503) this.logger.error(`HTTP request failed: ${message}`, undefined, 'OpenAiHttp');
    sendJson(res, status, { error: { message, type, code: status } });
  }
}

function errorBody(error: unknown): { status: number; message: string; type: string } {
  if (error instanceof HttpError)
    return { status: error.status, message: error.message, type: 'invalid_request_error' };
  const rpc = toRpcError(error, [reasoningServerErrorMapper, sharedErrorMapper]);
  const status = HTTP_STATUS[rpc.code] ?? 500;
  return { status, message: rpc.message, type: rpc.codeName.toLowerCase() };
}

function usageOf(result: GenerationResultInit) {
  const prompt = result.usage?.promptTokens ?? 0;
  const completion = result.usage?.completionTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function logprobsOf(result: GenerationResultInit) {
  const ids = result.completion?.tokenIds ?? [];
  const logprobs = result.completion?.logprobs ?? [];
  return { content: ids.map((id, i) => ({ token_id: id, logprob: logprobs[i] ?? 0 })) };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `the body is larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `the body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw new QueryError('body', `not JSON: ${(error as Error).message}`);
  }
}
