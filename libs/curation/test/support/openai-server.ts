/**
 * A local HTTP server that speaks the OpenAI chat-completions protocol (POST
 * /v1/chat/completions, JSON body with `model` and `messages`, answer in
 * `choices[0].message.content`). Each request is answered by the test's handler, which can return
 * a status and body, delay, or hang.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A request as the server received it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: { model?: string; messages?: { role: string; content: unknown }[]; [key: string]: unknown };
  at: number;
}

/** What the handler answers: content (200), or an explicit status and body, after an optional delay. */
export type Reply = { content: string; delayMs?: number } | { status: number; body: string; delayMs?: number };

/** A running fake endpoint. */
export interface FakeOpenAi {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts the server on a free port; `handle` decides each reply. */
export async function startFakeOpenAi(handle: (request: ReceivedRequest, index: number) => Reply): Promise<FakeOpenAi> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: ReceivedRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedRequest['body'];
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
        return;
      }
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        at: performance.now(),
      };
      requests.push(received);
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const reply = handle(received, requests.length - 1);
      const send = () => {
        if (res.destroyed) return;
        if ('content' in reply) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              id: `chatcmpl-${requests.length}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: body.model,
              choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            }),
          );
        } else {
          res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
        }
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, reply.delayMs);
        timers.add(timer);
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
