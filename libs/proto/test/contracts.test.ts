import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { GenerateRequestSchema, ProblemType, ReasoningService, allFiles, allServices } from '@vrft/proto';

describe('contracts', () => {
  it('round-trips a message through the binary wire format', () => {
    const request = create(GenerateRequestSchema, {
      query: {
        question: 'How many cubes?',
        problemType: ProblemType.NUMERICAL,
        video: { source: { case: 'fileUri', value: 'clip.mp4' } },
      },
    });
    const decoded = fromBinary(GenerateRequestSchema, toBinary(GenerateRequestSchema, request));
    expect(decoded.query?.question).toBe('How many cubes?');
    expect(decoded.query?.video?.source).toEqual({ case: 'fileUri', value: 'clip.mp4' });
  });

  it('lists every service under a vrft.<area>.v1 package', () => {
    expect(allServices.map((s) => s.typeName)).toContain('vrft.serving.v1.ReasoningService');
    for (const file of allFiles) expect(file.proto.package).toMatch(/^vrft\.[a-z]+\.v1$/);
    expect(ReasoningService.method.generateStream.methodKind).toBe('server_streaming');
  });
});
