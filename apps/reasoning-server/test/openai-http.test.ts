import { type RunningApp } from '@vrft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiHttpHost } from '../src/http/openai-http.host.js';
import { createServerFixture, type ServerFixture, startServer } from './fixtures.js';

const TOKEN = 'test-token-0123456789abcdef';
let fixture: ServerFixture;
let app: RunningApp;
let base = '';

beforeAll(async () => {
  fixture = await createServerFixture();
  app = await startServer(fixture, { VRFT_HTTP__PORT: '0', VRFT_GRPC__AUTH__BEARER_TOKENS: TOKEN });
  base = `http://127.0.0.1:${app.context.get(OpenAiHttpHost).port}`;
});
afterAll(async () => {
  await app.close();
  await fixture.cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function chat(body: object, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) });
}

const messages = (video?: string) => [
  { role: 'system', content: 'You answer questions about videos.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What moves in the video?' },
      ...(video ? [{ type: 'video_url', video_url: { url: video } }] : []),
    ],
  },
];

describe('OpenAI-compatible HTTP endpoint', () => {
  it('lists the model and refuses requests without the bearer token', async () => {
    const models = (await (await fetch(`${base}/v1/models`, { headers: auth })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['vrft-reasoner']);
    expect((await fetch(`${base}/v1/models`)).status).toBe(401);
    expect((await chat({ messages: messages() }, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers a chat completion with a video as a data URL, reproducibly for a seed', async () => {
    const url = `data:video/mp4;base64,${Buffer.from(fixture.clip).toString('base64')}`;
    const body = { model: 'vrft-reasoner', messages: messages(url), seed: 4, max_tokens: 12, temperature: 1 };
    const first = (await (await chat(body)).json()) as {
      object: string;
      choices: { message: { role: string; content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    const again = (await (await chat(body)).json()) as typeof first;
    expect(first.object).toBe('chat.completion');
    expect(first.choices[0]?.message.role).toBe('assistant');
    expect(again.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    expect(first.usage.completion_tokens).toBeGreaterThan(0);
    expect(first.usage.total_tokens).toBe(first.usage.prompt_tokens + first.usage.completion_tokens);
    expect(['stop', 'length']).toContain(first.choices[0]?.finish_reason);
  });

  it('streams server-sent events ending with [DONE], equal to the unary answer', async () => {
    const body = { messages: messages(`file://${fixture.clipPath}`), seed: 8, max_tokens: 16, stream: true };
    const response = await chat(body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const lines = (await response.text()).split('\n\n').filter((line) => line !== '');
    expect(lines.at(-1)).toBe('data: [DONE]');
    const chunks = lines.slice(0, -1).map(
      (line) =>
        JSON.parse(line.replace(/^data: /, '')) as {
          object: string;
          choices: { delta: { content?: string }; finish_reason: string | null }[];
        },
    );
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).not.toBeNull();
    const streamed = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const unary = (await (await chat({ ...body, stream: false })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(streamed).toBe(unary.choices[0]?.message.content);
  });

  it('answers bad requests with 4xx and an error body', async () => {
    const cases: [object | string, number][] = [
      ['{not json', 400],
      [{ messages: [] }, 400],
      [{ messages: messages(), temperature: -1 }, 400],
      [{ messages: messages(), top_p: 5 }, 400],
      [{ messages: messages(), max_tokens: 10_000_000 }, 400],
      [{ messages: messages('https://example.com/clip.mp4') }, 400],
      [{ messages: messages('data:video/mp4;base64,AAAA') }, 400],
      [{ messages: messages('file:///etc/passwd') }, 403],
      [{ messages: messages(), model: 'gpt-4' }, 404],
    ];
    for (const [body, status] of cases) {
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: auth,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      const error = (await response.json()) as { error: { message: string } };
      expect(error.error.message.length).toBeGreaterThan(0);
    }
    expect((await fetch(`${base}/v1/nothing`, { headers: auth })).status).toBe(404);
  });
});
