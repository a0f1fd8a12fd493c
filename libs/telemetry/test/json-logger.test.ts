import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonLogger, type TracingHandle, TelemetryOptionsError, createLogger, startTracing } from '@vrft/telemetry';

/** A stream that keeps each written line parsed. */
function captureStream() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write(text: string) {
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trimEnd().split('\n')) lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
}

const fixedClock = () => new Date('2025-01-02T03:04:05.678Z');

describe('JsonLogger', () => {
  let tracing: TracingHandle | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it('writes one JSON object per line with the fixed fields and extra fields', () => {
    const stdout = captureStream();
    const logger = createLogger('trainer', 'info', { stdout, stderr: captureStream(), now: fixedClock });
    logger.log('step done', { step: 3, loss: 0.25 });
    expect(stdout.lines).toEqual([
      { time: '2025-01-02T03:04:05.678Z', level: 'info', service: 'trainer', msg: 'step done', step: 3, loss: 0.25 },
    ]);
  });

  it('filters by level and sends error and fatal to stderr', () => {
    const stdout = captureStream();
    const stderr = captureStream();
    const logger = new JsonLogger({ service: 's', level: 'warn', stdout, stderr });
    logger.verbose('v');
    logger.debug('d');
    logger.log('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    expect(stdout.lines.map((line) => line.level)).toEqual(['warn']);
    expect(stderr.lines.map((line) => line.level)).toEqual(['error', 'fatal']);
    expect(logger.isLevelEnabled('info')).toBe(false);

    const verbose = new JsonLogger({ service: 's', level: 'verbose', stdout, stderr });
    verbose.verbose('v');
    expect(stdout.lines.at(-1)).toMatchObject({ level: 'verbose', msg: 'v' });
  });

  it('follows the Nest convention for context and stack', () => {
    const stdout = captureStream();
    const stderr = captureStream();
    const logger = new JsonLogger({ service: 's', context: 'Default', stdout, stderr });
    logger.log('listening', 'GrpcServer');
    logger.log('no context given');
    const failure = new Error('boom');
    logger.error('request failed', failure.stack, 'RolloutService');
    logger.error(new Error('direct'));
    expect(stdout.lines[0]).toMatchObject({ context: 'GrpcServer', msg: 'listening' });
    expect(stdout.lines[1]).toMatchObject({ context: 'Default', msg: 'no context given' });
    expect(stderr.lines[0]).toMatchObject({ context: 'RolloutService', msg: 'request failed', stack: failure.stack });
    expect(stderr.lines[1]).toMatchObject({ msg: 'direct', error_name: 'Error' });
    expect(String(stderr.lines[1]?.stack)).toContain('json-logger.test.ts');
  });

  it('keeps its own keys, renames clashing fields and survives odd values', () => {
    const stdout = captureStream();
    const logger = new JsonLogger({ service: 's', stdout, stderr: captureStream() });
    logger.log('x', { level: 'fake', tokens: 10n });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.log('cyclic', { cyclic });
    logger.log('args', 7, true);
    expect(stdout.lines[0]).toMatchObject({ level: 'info', field_level: 'fake', tokens: '10' });
    expect(stdout.lines[1]).toMatchObject({ msg: 'cyclic', level: 'info' });
    expect(String(stdout.lines[1]?.fields_error)).toMatch(/not serializable/);
    expect(stdout.lines[2]).toMatchObject({ msg: 'args', args: [7, true] });
  });

  it('adds trace_id and span_id of the active span, and none outside it', () => {
    tracing = startTracing({ serviceName: 'logger-test' });
    const stdout = captureStream();
    const logger = createLogger('s', 'info', { stdout });
    const tracer = trace.getTracer('test');
    const ids = tracer.startActiveSpan('work', (span) => {
      logger.log('inside');
      span.end();
      return span.spanContext();
    });
    logger.log('outside');
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(stdout.lines[0]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(stdout.lines[1]).not.toHaveProperty('trace_id');
  });

  it('carries the trace ids across awaits (AsyncLocalStorage context)', async () => {
    tracing = startTracing({ serviceName: 'logger-test' });
    const stdout = captureStream();
    const logger = createLogger('s', 'info', { stdout });
    const traceId = await trace.getTracer('test').startActiveSpan('async work', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.log('after await');
      span.end();
      return span.spanContext().traceId;
    });
    expect(stdout.lines[0]).toMatchObject({ trace_id: traceId });
  });

  it('honours the levels Nest sets, and children share them', () => {
    const stdout = captureStream();
    const logger = new JsonLogger({ service: 's', level: 'error', stdout, stderr: captureStream() });
    logger.setLogLevels(['log', 'debug']);
    const child = logger.child('Child');
    child.debug('d');
    child.log('l');
    child.warn('w');
    expect(stdout.lines.map((line) => [line.context, line.level])).toEqual([
      ['Child', 'debug'],
      ['Child', 'info'],
    ]);
  });

  it('rejects bad options, naming the field', () => {
    expect(() => new JsonLogger({ service: '' })).toThrow(TelemetryOptionsError);
    expect(() => new JsonLogger({ service: '' })).toThrow('service: expected a non-empty string');
    expect(() => createLogger('s', 'loud' as 'info')).toThrow(
      'level: expected one of verbose, debug, info, warn, error, fatal, got "loud"',
    );
  });
});
