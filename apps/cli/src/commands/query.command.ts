/**
 * `vrft query ADDRESS QUESTION [--video PATH] …`: asks a reasoning-server a question about a
 * video and prints the answer as it is sampled (or whole, or as JSON). main.ts calls
 * {@link runQueryCommand} with the arguments after `query`.
 */
import { type Answer, ClientOptionsError, ReasoningClient } from '@vrft/client';
import { RpcError } from '@vrft/grpc';
import { parseQueryArgs, QUERY_USAGE, QueryUsageError } from '../query/query-args.js';

const EX_USAGE = 64;

/** Where the command writes, and its environment. */
export interface QueryCommandIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

/** Runs `vrft query …`; returns the exit code (0 answered, 1 the call failed, 64 bad usage). */
export async function runQueryCommand(args: readonly string[], io: QueryCommandIo): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === 'help') {
    io.err.write(QUERY_USAGE);
    return args.length === 0 ? EX_USAGE : 0;
  }
  let client: ReasoningClient | undefined;
  try {
    const options = parseQueryArgs(args, io.env);
    client = new ReasoningClient({
      address: options.address,
      defaultTimeoutMs: options.timeoutMs,
      ...(options.token ? { bearerToken: options.token } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      retry: { maxAttempts: 2 },
    });
    let answer: Answer | undefined;
    if (options.stream && !options.json) {
      for await (const event of client.stream(options.question)) {
        if (event.type === 'delta') io.out.write(event.text);
        else answer = event.answer;
      }
      io.out.write('\n');
    } else {
      answer = await client.ask(options.question);
    }
    if (!answer) return 1;
    if (options.json) io.out.write(`${JSON.stringify(toJson(answer), null, 2)}\n`);
    else {
      if (!options.stream) io.out.write(`${answer.text}\n`);
      io.err.write(summary(answer));
    }
    return 0;
  } catch (error) {
    if (error instanceof QueryUsageError || error instanceof ClientOptionsError) {
      io.err.write(`vrft query: ${error.message}\n${QUERY_USAGE}`);
      return EX_USAGE;
    }
    if (error instanceof RpcError) {
      io.err.write(`vrft query: the server answered ${error.codeName}: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    client?.close();
  }
}

function summary(answer: Answer): string {
  const { promptTokens, videoTokens, completionTokens } = answer.usage;
  return (
    `\nanswer: ${answer.answer}\n` +
    `finish: ${answer.finishReason} · prompt ${promptTokens} tokens (${videoTokens} visual) · completion ${completionTokens} tokens\n`
  );
}

function toJson(answer: Answer) {
  return { ...answer, modelVersion: { ...answer.modelVersion, version: answer.modelVersion.version.toString() } };
}
