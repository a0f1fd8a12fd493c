/**
 * @vrft/video — video input through ffmpeg: probe, uniform frame sampling, resize, limits,
 * allowed roots and a frame cache; plus frame encoding and contact sheets for the data tools.
 */
export { VideoReader, type ReadOptions, type VideoReaderStats } from './video-reader.js';
export { type VideoSource } from './input-source.js';
export { type DecodedVideo } from './decode-frames.js';
export { type VideoProbe } from './probe.js';
export { type FrameShape, type RgbFrames, frameByteLength, selectFrame } from './frames.js';
export {
  type FrameSampling,
  type FrameSamplingInput,
  type ResizeMode,
  RESIZE_MODES,
  computeFrameCount,
  computeSampleTimes,
} from './sampling.js';
export { type ResizePlan, computeResizePlan } from './geometry.js';
export {
  type DefaultSampling,
  type ScaleAlgorithm,
  type SpawnEvent,
  type VideoOptions,
  type VideoOptionsInput,
  DEFAULT_ALLOWED_DEMUXERS,
  DEFAULT_VIDEO_OPTIONS,
  parseVideoOptions,
} from './options.js';
export {
  type ProcessFailureReason,
  type VideoErrorCode,
  FfmpegProcessError,
  VideoInputError,
  VideoOptionsError,
  isVideoInputError,
} from './errors.js';
export { type FrameLayout, type NormaliseOptions, type NormalisedFrames, normalise } from './normalise.js';
export {
  type EncodeVideoOptions,
  type FfmpegToolOptions,
  type VideoCodec,
  type VideoContainer,
  encodeFramesToVideo,
} from './encode-video.js';
export { type ContactSheetOptions, writeContactSheetPng } from './contact-sheet.js';
export { type VideoInputResolvers, samplingOf, videoSourceOf } from './proto-input.js';
