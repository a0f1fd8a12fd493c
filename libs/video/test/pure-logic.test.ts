/**
 * The pure parts: options and sampling validation, exact fractions, sample times, the mp4
 * layout check, ffprobe output parsing and normalisation.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIDEO_OPTIONS,
  VideoInputError,
  VideoOptionsError,
  computeFrameCount,
  computeSampleTimes,
  normalise,
  parseVideoOptions,
} from '../src/index.js';
import { needsSeekableInput } from '../src/container-layout.js';
import { parsePacketSpan, parseProbeOutput } from '../src/probe.js';
import { parseClockDuration, parseDecimal, parseFraction } from '../src/rational.js';
import { computeSampleRate, parseFrameSampling, type SamplingLimits } from '../src/sampling.js';

const LIMITS: SamplingLimits = {
  maxFrames: 64,
  maxWidth: 512,
  maxHeight: 512,
  defaultNumFrames: 16,
  defaultWidth: 224,
  defaultHeight: 224,
  defaultResizeMode: 'letterbox',
};

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof VideoOptionsError || error instanceof VideoInputError) return error.field;
    throw error;
  }
  return undefined;
}

describe('parseVideoOptions', () => {
  it('fills the documented defaults', () => {
    const options = parseVideoOptions();
    expect(options.maxInputBytes).toBe(256 * 1024 * 1024);
    expect(options.maxConcurrentDecodes).toBe(2);
    expect(options.defaultSampling).toEqual(DEFAULT_VIDEO_OPTIONS.defaultSampling);
    expect(parseVideoOptions({ maxQueuedDecodes: Number.POSITIVE_INFINITY }).maxQueuedDecodes).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('names the bad field', () => {
    expect(fieldOf(() => parseVideoOptions({ maxInputBytes: 0 }))).toBe('maxInputBytes');
    expect(fieldOf(() => parseVideoOptions({ decodeTimeoutMs: 1.5 }))).toBe('decodeTimeoutMs');
    expect(fieldOf(() => parseVideoOptions({ maxDurationSec: Number.NaN }))).toBe('maxDurationSec');
    expect(fieldOf(() => parseVideoOptions({ maxConcurrentDecodes: Number.POSITIVE_INFINITY }))).toBe(
      'maxConcurrentDecodes',
    );
    expect(fieldOf(() => parseVideoOptions({ allowedRoots: [''] }))).toBe('allowedRoots[0]');
    expect(fieldOf(() => parseVideoOptions({ allowedDemuxers: ['mov,hls'] }))).toBe('allowedDemuxers[0]');
    expect(fieldOf(() => parseVideoOptions({ defaultSampling: { width: 4096 } }))).toBe('defaultSampling.width');
    expect(fieldOf(() => parseVideoOptions({ scaleAlgorithm: 'nearest' as never }))).toBe('scaleAlgorithm');
  });
});

describe('sampling', () => {
  it('applies defaults for unset or zero fields, like the proto', () => {
    expect(parseFrameSampling({ numFrames: 0, width: 0 }, LIMITS)).toEqual({
      kind: 'count',
      numFrames: 16,
      width: 224,
      height: 224,
      resizeMode: 'letterbox',
    });
    expect(parseFrameSampling({ fps: 1, maxFrames: 8 }, LIMITS)).toMatchObject({
      kind: 'fps',
      fps: 1,
      minFrames: 1,
      maxFrames: 8,
    });
  });

  it('rejects bad values naming the field', () => {
    expect(fieldOf(() => parseFrameSampling({ numFrames: 65 }, LIMITS))).toBe('numFrames');
    expect(fieldOf(() => parseFrameSampling({ height: 513 }, LIMITS))).toBe('height');
    expect(fieldOf(() => parseFrameSampling({ fps: Number.POSITIVE_INFINITY }, LIMITS))).toBe('fps');
    expect(fieldOf(() => parseFrameSampling({ fps: 1, minFrames: 9, maxFrames: 8 }, LIMITS))).toBe('minFrames');
    expect(fieldOf(() => parseFrameSampling({ resizeMode: 'fill' as never }, LIMITS))).toBe('resizeMode');
  });

  it('counts frames by rate within the bounds', () => {
    const byRate = parseFrameSampling({ fps: 2, minFrames: 3, maxFrames: 10 }, LIMITS);
    expect(computeFrameCount(byRate, 2.4)).toBe(5); // round(4.8)
    expect(computeFrameCount(byRate, 0.5)).toBe(3); // min
    expect(computeFrameCount(byRate, 60)).toBe(10); // max
    expect(computeFrameCount(parseFrameSampling({ numFrames: 7 }, LIMITS), 1000)).toBe(7);
  });

  it('places samples at frame centres and derives the exact rate', () => {
    expect(computeSampleTimes(2, 4)).toEqual([0.25, 0.75, 1.25, 1.75]);
    expect(computeSampleRate({ num: 51, den: 25 }, 16)).toEqual({ num: 400, den: 51 }); // 16 / 2.04
  });
});

describe('exact fractions', () => {
  it('parses ffprobe rates, decimals and Matroska clock durations', () => {
    expect(parseFraction('30000/1001')).toEqual({ num: 30000, den: 1001 });
    expect(parseFraction('20/10')).toEqual({ num: 2, den: 1 });
    expect(parseFraction('0/0')).toBeUndefined();
    expect(parseDecimal('2.040000')).toEqual({ num: 51, den: 25 });
    expect(parseDecimal('N/A')).toBeUndefined();
    expect(parseClockDuration('01:00:01.500000000')).toEqual({ num: 7203, den: 2 });
  });

  it('spans packets from the first pts to the end of the last', () => {
    expect(parsePacketSpan('0,40\n80,40\n40,40\nN/A,40\n', { num: 1, den: 1000 })).toEqual({ num: 3, den: 25 }); // 120 ms
    expect(parsePacketSpan('', { num: 1, den: 1000 })).toBeUndefined();
  });
});

describe('needsSeekableInput', () => {
  // A box header declaring `size` (0 = "to the end of the file"), padded to its declared length.
  const box = (type: string, size: number): Uint8Array => {
    const bytes = new Uint8Array(Math.max(8, size));
    new DataView(bytes.buffer).setUint32(0, size);
    bytes.set(new TextEncoder().encode(type), 4);
    return bytes;
  };
  const join = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

  it('sends mp4 with the index after the samples to a file, other layouts to a pipe', () => {
    expect(needsSeekableInput(join(box('ftyp', 24), box('mdat', 100), box('moov', 50)))).toBe(true);
    expect(needsSeekableInput(join(box('ftyp', 24), box('moov', 50), box('mdat', 100)))).toBe(false);
    expect(needsSeekableInput(join(box('ftyp', 24), box('free', 8), box('moof', 40), box('mdat', 10)))).toBe(false);
    expect(needsSeekableInput(join(box('ftyp', 24), box('mdat', 0)))).toBe(true);
    expect(needsSeekableInput(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0, 0, 0]))).toBe(false); // Matroska
    expect(needsSeekableInput(new TextEncoder().encode('GIF89a....'))).toBe(false);
  });
});

describe('parseProbeOutput', () => {
  const probeJson = (
    streams: object[],
    format: object = { format_name: 'matroska,webm', duration: '3.000000' },
  ): string => JSON.stringify({ streams, format });

  it('takes the first real video stream, skipping cover art, with the exact stream duration', () => {
    const parsed = parseProbeOutput(
      probeJson([
        { index: 0, codec_type: 'audio', codec_name: 'opus' },
        { index: 1, codec_type: 'video', codec_name: 'png', width: 10, height: 10, disposition: { attached_pic: 1 } },
        {
          index: 2,
          codec_type: 'video',
          codec_name: 'h264',
          width: 640,
          height: 480,
          sample_aspect_ratio: '4:3',
          avg_frame_rate: '30000/1001',
          time_base: '1/90000',
          duration_ts: 180180,
          nb_frames: '60',
        },
      ]),
    );
    expect(parsed.probe).toMatchObject({
      codec: 'h264',
      streamIndex: 2,
      displayWidth: 853,
      displayHeight: 480,
      numFrames: 60,
    });
    expect(parsed.duration).toEqual({ num: 1001, den: 500 }); // 180180 / 90000 s
  });

  it('uses the container duration only when the video is the only stream', () => {
    const video = { index: 0, codec_type: 'video', codec_name: 'vp9', width: 8, height: 8, time_base: '1/1000' };
    expect(parseProbeOutput(probeJson([video])).duration).toEqual({ num: 3, den: 1 });
    expect(parseProbeOutput(probeJson([video, { index: 1, codec_type: 'audio' }])).duration).toBeUndefined();
    const tagged = { ...video, tags: { DURATION: '00:00:02.500000000' } };
    expect(parseProbeOutput(probeJson([tagged, { index: 1, codec_type: 'audio' }])).duration).toEqual({
      num: 5,
      den: 2,
    });
  });

  it('rejects output without a usable video stream', () => {
    expect(() => parseProbeOutput(probeJson([{ index: 0, codec_type: 'audio' }]))).toThrow(/no video stream/);
    expect(() => parseProbeOutput(probeJson([{ index: 0, codec_type: 'video', width: 0, height: 0 }]))).toThrow(
      /frame size/,
    );
    expect(() => parseProbeOutput('not json')).toThrow(VideoInputError);
  });
});

describe('normalise', () => {
  const frames = { data: new Uint8Array([0, 128, 255, 255, 0, 51]), shape: [1, 1, 2, 3] as const };

  it('scales to [0, 1] once, then standardises per channel', () => {
    const out = normalise(frames, [0.5, 0.5, 0.5], [0.5, 0.25, 0.5]);
    const expected = [0, 128, 255, 255, 0, 51].map((x, i) => (x / 255 - 0.5) / [0.5, 0.25, 0.5][i % 3]!);
    expect(out.shape).toEqual([1, 1, 2, 3]);
    out.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(Math.max(...normalise(frames, 0, 1).data)).toBeCloseTo(1, 6); // 255 → 1, not 255 or 1/255
  });

  it('writes planar channels for nchw', () => {
    const out = normalise(frames, 0, 1, { layout: 'nchw' });
    expect(out.shape).toEqual([1, 3, 1, 2]);
    expect(Array.from(out.data, (v) => Math.round(v * 255))).toEqual([0, 255, 128, 0, 255, 51]);
  });

  it('refuses float input (no second scaling) and bad statistics', () => {
    const floats = { data: new Float32Array(6) as unknown as Uint8Array, shape: [1, 1, 2, 3] as const };
    expect(fieldOf(() => normalise(floats, 0, 1))).toBe('frames.data');
    expect(fieldOf(() => normalise(frames, [0, 0], 1))).toBe('mean');
    expect(fieldOf(() => normalise(frames, 0, [1, 0, 1]))).toBe('std');
    expect(fieldOf(() => normalise({ data: new Uint8Array(5), shape: [1, 1, 2, 3] }, 0, 1))).toBe('frames.data');
  });
});
