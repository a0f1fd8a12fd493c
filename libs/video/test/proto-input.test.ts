import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ResizeMode, VideoInputSchema } from '@vrft/proto';
import { VideoInputError, samplingOf, videoSourceOf } from '@vrft/video';

describe('videoSourceOf / samplingOf', () => {
  it('returns inline bytes and file URIs as sources', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await videoSourceOf(create(VideoInputSchema, { source: { case: 'inlineBytes', value: bytes } }))).toBe(
      bytes,
    );
    expect(
      await videoSourceOf(create(VideoInputSchema, { source: { case: 'fileUri', value: 'file:///v/a.mp4' } })),
    ).toBe('file:///v/a.mp4');
  });

  it('resolves uploads and object-store refs through the server resolvers', async () => {
    const uploaded = new Uint8Array([9]);
    const input = create(VideoInputSchema, { source: { case: 'uploadId', value: 'u-1' } });
    expect(await videoSourceOf(input, { upload: async (id) => (id === 'u-1' ? uploaded : new Uint8Array()) })).toBe(
      uploaded,
    );
    const ref = create(VideoInputSchema, { source: { case: 'objectRef', value: { bucket: 'b', name: 'n' } } });
    expect(await videoSourceOf(ref, { objectStore: async (r) => new Uint8Array([r.name.length]) })).toEqual(
      new Uint8Array([1]),
    );
  });

  it('names the field when the source is missing or not enabled', async () => {
    const missing = await videoSourceOf(undefined).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(VideoInputError);
    expect((missing as VideoInputError).field).toBe('video');
    const upload = await videoSourceOf(
      create(VideoInputSchema, { source: { case: 'uploadId', value: 'x' } }),
      {},
      'query.video',
    ).catch((e: unknown) => e);
    expect((upload as VideoInputError).field).toBe('query.video.upload_id');
  });

  it('maps the proto sampling, leaving unset fields to the reader defaults', () => {
    expect(samplingOf(undefined)).toEqual({});
    expect(
      samplingOf(
        create(VideoInputSchema, {
          sampling: { numFrames: 8, width: 64, height: 64, resizeMode: ResizeMode.CENTER_CROP },
        }).sampling,
      ),
    ).toMatchObject({
      numFrames: 8,
      width: 64,
      height: 64,
      resizeMode: 'center-crop',
    });
  });
});
