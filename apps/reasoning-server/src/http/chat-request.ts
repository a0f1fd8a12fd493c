/**
 * The OpenAI chat-completions request body → a ReasoningQuery. The question is the text of the
 * last user message; its video comes as a content part
 * `{"type": "video_url", "video_url": {"url": "file:///…" | "data:video/mp4;base64,…"}}`.
 * Sampling: temperature, top_p, top_k (extension), max_tokens / max_completion_tokens, seed,
 * stop (a string or a list), logprobs. Extensions: problem_type and options (multiple choice).
 * Every refusal is a QueryError naming the JSON field (HTTP 400).
 */
import { create } from '@bufbuild/protobuf';
import { ProblemType, type ReasoningQuery, ReasoningQuerySchema } from '@vrft/proto';
import { z } from 'zod';
import { QueryError } from '../reasoning-server.errors.js';

const PROBLEM_TYPES: Record<string, ProblemType> = {
  'multiple choice': ProblemType.MULTIPLE_CHOICE,
  numerical: ProblemType.NUMERICAL,
  OCR: ProblemType.OCR,
  'free-form': ProblemType.FREE_FORM,
  regression: ProblemType.REGRESSION,
};

const contentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('video_url'), video_url: z.object({ url: z.string().min(1) }) }),
]);

const message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'developer', 'tool']),
  content: z.union([z.string(), z.array(contentPart)]),
});

const chatRequest = z.object({
  model: z.string().optional(),
  messages: z.array(message).min(1),
  stream: z.boolean().default(false),
  temperature: z.number().min(0).optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().min(0).optional(),
  max_tokens: z.number().int().min(1).optional(),
  max_completion_tokens: z.number().int().min(1).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  n: z.literal(1).optional(),
  logprobs: z.boolean().optional(),
  problem_type: z.enum(Object.keys(PROBLEM_TYPES) as [string, ...string[]]).optional(),
  options: z.array(z.string()).optional(),
});

/** A parsed chat-completions request. */
export interface ChatRequest {
  readonly query: ReasoningQuery;
  readonly stream: boolean;
  readonly model: string | undefined;
}

/** Parses and checks a request body (already JSON-decoded). */
export function parseChatRequest(body: unknown): ChatRequest {
  const parsed = chatRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new QueryError(issue?.path.join('.') || 'body', issue?.message ?? 'invalid request');
  }
  const request = parsed.data;
  const users = request.messages.flatMap((m, index) => (m.role === 'user' ? [{ m, index }] : []));
  const last = users.at(-1);
  if (!last) throw new QueryError('messages', 'no user message');
  const parts = typeof last.m.content === 'string' ? [{ type: 'text' as const, text: last.m.content }] : last.m.content;
  const question = parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
  const videos = parts.flatMap((part, i) => (part.type === 'video_url' ? [{ url: part.video_url.url, i }] : []));
  if (videos.length > 1) throw new QueryError(`messages.${last.index}.content`, 'at most one video_url part');
  const video = videos[0];
  const stop = request.stop === undefined ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  const maxNewTokens = request.max_completion_tokens ?? request.max_tokens;
  const query = create(ReasoningQuerySchema, {
    question,
    problemType: request.problem_type ? PROBLEM_TYPES[request.problem_type] : ProblemType.FREE_FORM,
    options: request.options ?? [],
    includeLogprobs: request.logprobs ?? false,
    sampling: {
      stop,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.top_p === undefined ? {} : { topP: request.top_p }),
      ...(request.top_k === undefined ? {} : { topK: request.top_k }),
      ...(maxNewTokens === undefined ? {} : { maxNewTokens }),
      ...(request.seed === undefined ? {} : { seed: BigInt(request.seed) }),
    },
    ...(video ? { video: videoInputOf(video.url, `messages.${last.index}.content.${video.i}.video_url.url`) } : {}),
  });
  return { query, stream: request.stream, model: request.model };
}

function videoInputOf(url: string, field: string) {
  if (url.startsWith('file://')) return { source: { case: 'fileUri' as const, value: url } };
  const data = /^data:video\/[\w.+-]+;base64,(.*)$/s.exec(url);
  if (data) {
    const bytes = Buffer.from(data[1] as string, 'base64');
    if (bytes.length === 0) throw new QueryError(field, 'the data URL holds no bytes');
    return { source: { case: 'inlineBytes' as const, value: new Uint8Array(bytes) } };
  }
  throw new QueryError(field, 'expected a file:///… URL under an allowed root or a data:video/…;base64,… URL');
}
