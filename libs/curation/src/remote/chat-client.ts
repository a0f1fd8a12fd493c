/**
 * Client of an OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp server, OpenAI):
 * POST {endpoint}/chat/completions with `model` and `messages` (text and image_url parts), the
 * answer read from `choices[0].message.content`. Each call has a timeout; timeouts, network
 * errors, 429 and 5xx are retried with exponential backoff; requests start no faster than the
 * rate limit. The clock and sleep are injectable so tests run without waiting.
 */
import { CurationOptionsError, RemoteModelError } from '../errors.js';

/** A content part of a user message. */
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ChatContentPart[];
}

/** Options of {@link ChatClient}. */
export interface ChatClientOptions {
  /** Base URL such as `http://127.0.0.1:8000/v1`, or the full `…/chat/completions` URL. */
  endpoint: string;
  model: string;
  /** Sent as `Authorization: Bearer …` when set. */
  apiKey?: string;
  /** Per-request time limit. Default 60 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** Backoff before retry k (0-based) is min(maxBackoffMs, backoffMs · 2^k). Default 500 ms. */
  backoffMs?: number;
  /** Default 10 000 ms. */
  maxBackoffMs?: number;
  /** Request starts per second across all callers of this client. Default 4. */
  requestsPerSecond?: number;
  /** Sampling temperature sent with each request. Default 0.2. */
  temperature?: number;
  /** `max_tokens` of each request. Default 2048. */
  maxTokens?: number;
  /** Milliseconds clock. Default `performance.now`. */
  now?: () => number;
  /** Waits `ms`. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** HTTP implementation. Default the global `fetch`. */
  fetch?: typeof fetch;
}

/** {@link ChatClientOptions} with defaults applied. */
export type ChatClientSettings = Required<Omit<ChatClientOptions, 'apiKey'>> & {
  apiKey: string | undefined;
  url: string;
};

/** Applies defaults and checks every field; throws CurationOptionsError naming the bad one. */
export function parseChatClientOptions(options: ChatClientOptions): ChatClientSettings {
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch (cause) {
    throw new CurationOptionsError('endpoint', `not a URL: ${JSON.stringify(options.endpoint)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CurationOptionsError('endpoint', 'expected an http or https URL');
  }
  const base = url.href.replace(/\/+$/, '');
  if (typeof options.model !== 'string' || options.model.trim() === '') {
    throw new CurationOptionsError('model', 'expected a model name');
  }
  const settings: ChatClientSettings = {
    endpoint: options.endpoint,
    url: base.endsWith('/chat/completions') ? base : `${base}/chat/completions`,
    model: options.model,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 3,
    backoffMs: options.backoffMs ?? 500,
    maxBackoffMs: options.maxBackoffMs ?? 10_000,
    requestsPerSecond: options.requestsPerSecond ?? 4,
    temperature: options.temperature ?? 0.2,
    maxTokens: options.maxTokens ?? 2048,
    now: options.now ?? (() => performance.now()),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
  checkNumber('timeoutMs', settings.timeoutMs, 1, 3_600_000);
  checkNumber('maxRetries', settings.maxRetries, 0, 100, true);
  checkNumber('backoffMs', settings.backoffMs, 0, 600_000);
  checkNumber('maxBackoffMs', settings.maxBackoffMs, settings.backoffMs, 3_600_000);
  checkNumber('requestsPerSecond', settings.requestsPerSecond, 0.001, 100_000);
  checkNumber('temperature', settings.temperature, 0, 2);
  checkNumber('maxTokens', settings.maxTokens, 1, 1_000_000, true);
  return settings;
}

function checkNumber(field: string, value: number, min: number, max: number, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new CurationOptionsError(field, `expected a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  if (integer && !Number.isInteger(value)) throw new CurationOptionsError(field, 'expected an integer');
}

/** Counters of a client, for the report. */
export interface ChatClientStats {
  requests: number;
  retries: number;
  failures: number;
}

/** Calls one OpenAI-compatible chat model under timeouts, retries and a rate limit. */
export class ChatClient {
  readonly settings: ChatClientSettings;
  readonly stats: ChatClientStats = { requests: 0, retries: 0, failures: 0 };
  private nextStart = Number.NEGATIVE_INFINITY;

  constructor(options: ChatClientOptions) {
    this.settings = parseChatClientOptions(options);
  }

  /** The assistant's text for `messages`; throws RemoteModelError once retries are spent. */
  async complete(messages: ChatMessage[], signal?: AbortSignal): Promise<string> {
    const { maxRetries, backoffMs, maxBackoffMs } = this.settings;
    let last: RemoteModelError | undefined;
    for (let attempt = 0; attempt <= maxRetries; attempt += 1) {
      if (attempt > 0) {
        this.stats.retries += 1;
        await this.settings.sleep(Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1)));
      }
      if (signal?.aborted) throw new RemoteModelError('cancelled', 'cancelled', { attempts: attempt });
      try {
        return await this.requestOnce(messages, attempt + 1, signal);
      } catch (error) {
        if (!(error instanceof RemoteModelError)) throw error;
        last = error;
        if (!isRetryable(error)) break;
      }
    }
    this.stats.failures += 1;
    const final = last ?? new RemoteModelError('network', 'no attempt was made');
    throw new RemoteModelError(final.kind, `${final.message} (after ${final.attempts} attempt(s))`, {
      status: final.status,
      attempts: final.attempts,
      cause: final,
    });
  }

  /** Waits for the rate limiter's next slot: starts are spaced 1 / requestsPerSecond apart. */
  private async waitForSlot(): Promise<void> {
    const interval = 1000 / this.settings.requestsPerSecond;
    const now = this.settings.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + interval;
    if (start > now) await this.settings.sleep(start - now);
  }

  private async requestOnce(messages: ChatMessage[], attempt: number, signal?: AbortSignal): Promise<string> {
    await this.waitForSlot();
    this.stats.requests += 1;
    const { url, model, apiKey, timeoutMs, temperature, maxTokens } = this.settings;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey !== undefined) headers['authorization'] = `Bearer ${apiKey}`;
    let response: Response;
    let text: string;
    try {
      response = await this.settings.fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, messages, temperature, max_tokens: maxTokens }),
        signal: combined,
      });
      text = await response.text();
    } catch (cause) {
      if (signal?.aborted) throw new RemoteModelError('cancelled', 'cancelled', { attempts: attempt, cause });
      if (timeout.aborted) {
        throw new RemoteModelError('timeout', `no answer within ${timeoutMs} ms`, { attempts: attempt, cause });
      }
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new RemoteModelError('network', `request failed: ${message}`, { attempts: attempt, cause });
    }
    if (!response.ok) {
      throw new RemoteModelError('http', `HTTP ${response.status}: ${text.slice(0, 200)}`, {
        status: response.status,
        attempts: attempt,
      });
    }
    return readContent(text, attempt);
  }
}

function isRetryable(error: RemoteModelError): boolean {
  if (error.kind === 'timeout' || error.kind === 'network') return true;
  return error.kind === 'http' && (error.status === 429 || (error.status ?? 0) >= 500);
}

/** `choices[0].message.content` of a chat-completions body (a string, or text parts joined). */
export function readContent(body: string, attempt = 1): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new RemoteModelError('bad-response', 'the answer is not JSON', { attempts: attempt, cause });
  }
  const choices = (value as { choices?: unknown }).choices;
  const first = Array.isArray(choices) ? (choices[0] as { message?: { content?: unknown } } | undefined) : undefined;
  const content = first?.message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts = content
      .map((p: unknown) => (typeof p === 'object' && p !== null ? (p as { text?: unknown }).text : undefined))
      .filter((t): t is string => typeof t === 'string');
    if (parts.length > 0) return parts.join('');
  }
  throw new RemoteModelError('bad-response', 'no choices[0].message.content in the answer', { attempts: attempt });
}
