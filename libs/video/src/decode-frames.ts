/**
 * One decode: probe the clip, work out F and the sample times, and run a single ffmpeg that
 * emits exactly the sampled frames as packed RGB on stdout.
 *
 * Frame selection (correct for variable frame rate): the filter chain is
 *   setpts=PTS-STARTPTS → fps=R (round=near) → scale/pad/crop → rgb24,  with R = F / D.
 * `fps` resamples to a constant rate from each frame's real timestamp t: a frame falls in slot
 * round(t · R), and slot j shows the last frame that fell in a slot ≤ j. With round-half-up that
 * is the last frame with t · R < j + 0.5, i.e. t < t_j = (j + 0.5) · D / F: the frame on screen
 * just before the frame centre t_j (at an exact tie, the earlier frame). R is passed as the exact
 * fraction F·den / num of the stream's duration D = num / den so the boundaries land exactly;
 * setpts puts slot 0 at the first frame. Frames are dropped or repeated as the rates require, so
 * F may exceed the source's frame count.
 */
import { VideoInputError } from './errors.js';
import { buildDemuxerArgs, withFfmpegInput } from './ffmpeg-input.js';
import { type FrameShape, type RgbFrames } from './frames.js';
import { buildResizeFilter, computeResizePlan } from './geometry.js';
import { type MaterialisedInput } from './input-source.js';
import { type VideoProbe, probeInput } from './probe.js';
import { toNumber } from './rational.js';
import { type FrameSampling, computeFrameCount, computeSampleRate, computeSampleTimes } from './sampling.js';
import { type ToolContext, runTool, toVideoInputError } from './tool-run.js';

/** Decoded frames of a clip with what was sampled and from what. */
export interface DecodedVideo extends RgbFrames {
  /** Sample times t_i = (i + 0.5) · D / F in seconds from the first frame. */
  timestamps: number[];
  probe: VideoProbe;
  /** SHA-256 (hex) of the input bytes. */
  sha256: string;
}

/** Frames the `fps` filter may fall short at the very end (last frame's duration rounding). */
const END_ROUNDING_SLACK = 1;

/** Decodes `input` with `sampling`; every limit is checked before ffmpeg decodes anything. */
export function decodeInput(
  context: ToolContext,
  input: MaterialisedInput,
  sampling: FrameSampling,
): Promise<DecodedVideo> {
  const { options } = context;
  return withFfmpegInput(input, options.tempDir, async (ffmpegInput) => {
    const parsed = await probeInput(context, ffmpegInput);
    const durationSec = toNumber(parsed.duration);
    const probe: VideoProbe = { ...parsed.probe, durationSec };
    if (durationSec > options.maxDurationSec) {
      throw new VideoInputError('TOO_LONG', `video is longer than the limit of ${options.maxDurationSec} s`);
    }
    if (probe.width * probe.height > options.maxSourcePixels) {
      throw new VideoInputError(
        'TOO_LARGE',
        `video frames are larger than the limit of ${options.maxSourcePixels} pixels`,
      );
    }
    const frameCount = computeFrameCount(sampling, durationSec);
    const shape: FrameShape = [frameCount, sampling.height, sampling.width, 3];
    const frameBytes = sampling.width * sampling.height * 3;
    if (frameCount * frameBytes > options.maxOutputBytes) {
      throw new VideoInputError(
        'INVALID_ARGUMENT',
        `frames × resolution exceed the limit of ${options.maxOutputBytes} bytes`,
        {
          field: 'numFrames',
        },
      );
    }
    const plan = computeResizePlan(
      { width: probe.displayWidth, height: probe.displayHeight },
      sampling.width,
      sampling.height,
      sampling.resizeMode,
    );
    const rate = computeSampleRate(parsed.duration, frameCount);
    const filter = [
      'setpts=PTS-STARTPTS',
      `fps=fps=${rate.num}/${rate.den}:round=near`,
      buildResizeFilter(plan, options.scaleAlgorithm),
    ];
    const args = [
      ...['-nostdin', '-v', 'error'],
      ...(options.threadsPerDecode > 0 ? ['-threads', String(options.threadsPerDecode)] : []),
      ...buildDemuxerArgs(options.allowedDemuxers),
      ...['-i', ffmpegInput.url, '-map', `0:${probe.streamIndex}`, '-an', '-sn', '-dn'],
      ...['-vf', filter.join(','), '-frames:v', String(frameCount), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ];
    let stdout: Buffer;
    let stderrTail: string;
    try {
      ({ stdout, stderrTail } = await runTool(context, options.ffmpegPath, args, ffmpegInput, frameCount * frameBytes));
    } catch (error) {
      throw toVideoInputError(error, context, 'video cannot be decoded (corrupt, truncated or unsupported)');
    }
    const decoded = Math.floor(stdout.length / frameBytes);
    if (decoded === 0) throw new VideoInputError('INVALID_VIDEO', 'video yielded no frames', { details: stderrTail });
    if (decoded < frameCount - END_ROUNDING_SLACK) {
      throw new VideoInputError(
        'INVALID_VIDEO',
        `video is truncated: decoded ${decoded} of ${frameCount} sampled frames`,
        {
          details: stderrTail,
        },
      );
    }
    const data = new Uint8Array(frameCount * frameBytes);
    data.set(stdout.subarray(0, decoded * frameBytes));
    // The final slot can miss by rounding of the last frame's end; it shows the last frame then.
    for (let i = decoded; i < frameCount; i++)
      data.copyWithin(i * frameBytes, (decoded - 1) * frameBytes, decoded * frameBytes);
    return { data, shape, timestamps: computeSampleTimes(durationSec, frameCount), probe, sha256: input.digest };
  });
}
