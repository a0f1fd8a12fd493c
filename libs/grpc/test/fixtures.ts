import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { FinishReason, ReasoningService, RewardService, type UploadVideoRequest } from '@vrft/proto';
import { Code, type CallContext, RpcError, type ServiceImpl } from '@vrft/grpc';

/** What the test services observed, so tests can assert the server side. */
export interface Observed {
  aborted: Promise<string>;
  signalAbort: (method: string) => void;
  traceIds: string[];
  unavailableLeft: number;
}

export function createObserved(): Observed {
  let signalAbort: (method: string) => void = () => undefined;
  const aborted = new Promise<string>((resolve) => (signalAbort = resolve));
  return { aborted, signalAbort, traceIds: [], unavailableLeft: 0 };
}

function waitForAbort(context: CallContext, observed: Observed): Promise<never> {
  return new Promise((_, reject) => {
    context.signal.addEventListener('abort', () => {
      observed.signalAbort(context.method);
      reject(new RpcError(Code.CANCELLED, 'aborted'));
    });
  });
}

/**
 * A test implementation of the real ReasoningService contract that exercises
 * every transport path: echo, slow calls, errors, streaming and uploads.
 */
export function testReasoningService(observed: Observed): ServiceImpl<typeof ReasoningService> {
  return {
    async generate(request, context) {
      const question = request.query?.question ?? '';
      observed.traceIds.push(trace.getSpanContext(context.traceContext)?.traceId ?? '');
      if (question === 'slow') return waitForAbort(context, observed);
      if (question === 'invalid') throw new RpcError(Code.INVALID_ARGUMENT, 'question "invalid" is not allowed');
      if (question === 'crash') throw new Error('secret internal detail');
      if (question === 'flaky' && observed.unavailableLeft > 0) {
        observed.unavailableLeft -= 1;
        throw new RpcError(Code.UNAVAILABLE, 'warming up');
      }
      return {
        result: {
          text: `<think>echo</think><answer>${question}</answer>`,
          answer: question,
          finishReason: FinishReason.EOS,
        },
      };
    },
    async *generateStream(request, context) {
      const words = (request.query?.question ?? '').split(' ');
      for (const word of words) {
        if (word === 'slow') {
          await waitForAbort(context, observed);
        }
        yield { event: { case: 'delta', value: { text: word } } };
        await sleep(1);
      }
      yield { event: { case: 'final', value: { answer: words.join(' '), finishReason: FinishReason.EOS } } };
    },
    async modelInfo() {
      return { modelName: 'test', preset: 'none' };
    },
    async uploadVideo(requests: AsyncIterable<UploadVideoRequest>) {
      const hash = createHash('sha256');
      let size = 0;
      let declared = -1;
      for await (const part of requests) {
        if (part.part.case === 'header') declared = Number(part.part.value.sizeBytes);
        else if (part.part.case === 'chunk') {
          hash.update(part.part.value);
          size += part.part.value.byteLength;
        }
      }
      if (declared !== size) throw new RpcError(Code.INVALID_ARGUMENT, `declared ${declared} bytes, received ${size}`);
      return { uploadId: 'u1', sha256: hash.digest('hex'), sizeBytes: BigInt(size) };
    },
  };
}

/** A test RewardService whose bidi stream answers each request with its number of completions. */
export function testRewardService(): ServiceImpl<typeof RewardService> {
  return {
    async score(request) {
      return { rewards: request.completions.map(() => ({ total: 1 })) };
    },
    async *scoreStream(requests) {
      for await (const message of requests) {
        const count = message.request?.completions.length ?? 0;
        yield { response: { rewards: Array.from({ length: count }, (_, i) => ({ total: i })) } };
      }
    },
  };
}
