/**
 * ffprobe: what a clip is (container, codec, size, rate, duration). The JSON is parsed by a pure
 * function; the duration is kept exact (ticks of the stream time base) for the sampling grid.
 */
import { VideoInputError } from './errors.js';
import { buildDemuxerArgs, type FfmpegInput } from './ffmpeg-input.js';
import {
  type Rational,
  multiplyRational,
  parseClockDuration,
  parseDecimal,
  parseFraction,
  reduceRational,
  toNumber,
} from './rational.js';
import { type ToolContext, runTool, toVideoInputError } from './tool-run.js';

/** What ffprobe says about the clip's video stream. */
export interface VideoProbe {
  /** ffmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string;
  /** Codec name, e.g. "h264", "vp9". */
  codec: string;
  /** Stored frame size in pixels. */
  width: number;
  height: number;
  /** Size as displayed: pixel aspect ratio applied, and swapped for ±90° rotation. */
  displayWidth: number;
  displayHeight: number;
  /** Display rotation in degrees (ffmpeg applies it while decoding). */
  rotation: number;
  /** D: the video stream's duration in seconds. */
  durationSec: number;
  /** Average frame rate, when the container states one. */
  frameRate: number | undefined;
  /** Frame count, when the container states one. */
  numFrames: number | undefined;
  pixelFormat: string | undefined;
  /** Index of the stream decoded (cover-art pictures are skipped). */
  streamIndex: number;
}

/** Probe data with the exact duration (undefined when the container does not state one). */
export interface ParsedProbe {
  probe: Omit<VideoProbe, 'durationSec'>;
  duration: Rational | undefined;
  timeBase: Rational | undefined;
}

interface ProbeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  time_base?: string;
  duration_ts?: number;
  duration?: string;
  nb_frames?: string;
  pix_fmt?: string;
  disposition?: { attached_pic?: number };
  tags?: { DURATION?: string; rotate?: string };
  side_data_list?: { rotation?: number }[];
}

interface ProbeJson {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string };
}

function invalid(message: string, details?: string): VideoInputError {
  return new VideoInputError('INVALID_VIDEO', message, details === undefined ? {} : { details });
}

function positive(value: Rational | undefined): Rational | undefined {
  return value && value.num > 0 ? value : undefined;
}

/** Parses `ffprobe -print_format json -show_format -show_streams` output. Pure. */
export function parseProbeOutput(text: string): ParsedProbe {
  let json: ProbeJson;
  try {
    json = JSON.parse(text) as ProbeJson;
  } catch {
    throw invalid('video probe returned unreadable output', text.slice(0, 500));
  }
  const stream = (json.streams ?? []).find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!stream || stream.index === undefined) throw invalid('input has no video stream');
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (width <= 0 || height <= 0) throw invalid('video stream has no frame size');
  const rotation =
    stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? Number(stream.tags?.rotate ?? 0);
  const aspect = positive(parseFraction(stream.sample_aspect_ratio?.replace(':', '/'))) ?? { num: 1, den: 1 };
  const shownWidth = Math.max(1, Math.round((width * aspect.num) / aspect.den)); // display width = w · SAR
  const quarterTurn = Math.abs(Math.round(rotation)) % 180 === 90;
  const timeBase = positive(parseFraction(stream.time_base));
  const ticks = stream.duration_ts;
  const duration =
    positive(ticks !== undefined && timeBase ? multiplyRational({ num: ticks, den: 1 }, timeBase) : undefined) ??
    positive(parseClockDuration(stream.tags?.DURATION)) ??
    positive(parseDecimal(stream.duration)) ??
    // The container's duration spans all streams; it is the video's only when nothing else is muxed.
    (json.streams?.length === 1 ? positive(parseDecimal(json.format?.duration)) : undefined);
  const rate = positive(parseFraction(stream.avg_frame_rate));
  const frames = Number(stream.nb_frames);
  return {
    probe: {
      container: json.format?.format_name ?? 'unknown',
      codec: stream.codec_name ?? 'unknown',
      width,
      height,
      displayWidth: quarterTurn ? height : shownWidth,
      displayHeight: quarterTurn ? shownWidth : height,
      rotation: Number.isFinite(rotation) ? rotation : 0,
      frameRate: rate ? toNumber(rate) : undefined,
      numFrames: Number.isSafeInteger(frames) && frames > 0 ? frames : undefined,
      pixelFormat: stream.pix_fmt,
      streamIndex: stream.index,
    },
    duration,
    timeBase,
  };
}

/**
 * Duration from the packet list `pts,duration` (CSV, stream time base): the span from the first
 * presentation time to the end of the last packet, D = max(pts + dur) − min(pts). Pure.
 */
export function parsePacketSpan(csv: string, timeBase: Rational): Rational | undefined {
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const line of csv.split('\n')) {
    const [ptsText, durationText] = line.trim().split(',');
    const pts = Number(ptsText);
    if (!ptsText || !Number.isSafeInteger(pts)) continue;
    const duration = Number(durationText);
    first = Math.min(first, pts);
    end = Math.max(end, pts + (Number.isSafeInteger(duration) ? duration : 0));
  }
  if (!Number.isFinite(first) || end <= first) return undefined;
  return reduceRational({ num: (end - first) * timeBase.num, den: timeBase.den });
}

/** Probes an input with ffprobe; falls back to scanning packets when no duration is stated. */
export async function probeInput(
  context: ToolContext,
  input: FfmpegInput,
): Promise<ParsedProbe & { duration: Rational }> {
  const { options } = context;
  const demux = buildDemuxerArgs(options.allowedDemuxers);
  let parsed: ParsedProbe;
  try {
    const args = ['-v', 'error', ...demux, '-print_format', 'json', '-show_format', '-show_streams', input.url];
    const { stdout } = await runTool(context, options.ffprobePath, args, input, options.maxProbeOutputBytes);
    parsed = parseProbeOutput(stdout.toString('utf8'));
  } catch (error) {
    throw toVideoInputError(error, context, 'input is not a readable video (corrupt, truncated or unsupported)');
  }
  if (parsed.duration) return { ...parsed, duration: parsed.duration };
  if (!parsed.timeBase) throw invalid('video duration cannot be determined');
  let span: Rational | undefined;
  try {
    const args = [
      ...['-v', 'error', ...demux, '-select_streams', String(parsed.probe.streamIndex)],
      ...['-show_entries', 'packet=pts,duration', '-of', 'csv=p=0', input.url],
    ];
    const { stdout } = await runTool(context, options.ffprobePath, args, input, options.maxProbeOutputBytes);
    span = parsePacketSpan(stdout.toString('utf8'), parsed.timeBase);
  } catch (error) {
    throw toVideoInputError(error, context, 'video packets cannot be read (corrupt or truncated)');
  }
  if (!span) throw invalid('video duration cannot be determined');
  return { ...parsed, duration: span };
}
