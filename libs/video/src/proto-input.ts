import { type FrameSampling as FrameSamplingMessage, type ObjectRef, ResizeMode, type VideoInput } from '@vrft/proto';
import { VideoInputError } from './errors.js';
import type { VideoSource } from './input-source.js';
import type { FrameSamplingInput, ResizeMode as ResizeModeName } from './sampling.js';

/** Where the sources a server cannot read by itself come from. */
export interface VideoInputResolvers {
  /** Bytes of a clip uploaded through a chunked client stream. */
  upload?: (uploadId: string) => Promise<VideoSource>;
  /** Bytes of a blob in the JetStream Object Store (verified against the ref). */
  objectStore?: (ref: ObjectRef) => Promise<Uint8Array>;
}

/**
 * The decodable source of a request's `VideoInput`: inline bytes, a file URI
 * (checked against the allowed roots by the VideoReader), an upload, or an
 * object-store blob. A missing or unsupported source is INVALID_ARGUMENT naming the field.
 */
export async function videoSourceOf(
  input: VideoInput | undefined,
  resolvers: VideoInputResolvers = {},
  field = 'video',
): Promise<VideoSource> {
  const source = input?.source;
  switch (source?.case) {
    case 'inlineBytes':
      return source.value;
    case 'fileUri':
      if (source.value.trim() === '') break;
      return source.value;
    case 'uploadId':
      if (!resolvers.upload) {
        throw invalid(`${field}.upload_id`, 'uploads are not accepted by this server');
      }
      return resolvers.upload(source.value);
    case 'objectRef':
      if (!resolvers.objectStore) {
        throw invalid(`${field}.object_ref`, 'object-store references are not enabled on this server');
      }
      return resolvers.objectStore(source.value);
    case undefined:
      break;
  }
  throw invalid(field, 'a video is required (inline_bytes, file_uri, upload_id or object_ref)');
}

const resizeModes: Partial<Record<ResizeMode, ResizeModeName>> = {
  [ResizeMode.LETTERBOX]: 'letterbox',
  [ResizeMode.CENTER_CROP]: 'center-crop',
  [ResizeMode.STRETCH]: 'stretch',
};

/** The reader's sampling input from the proto message (0 / unspecified = the reader's default). */
export function samplingOf(message: FrameSamplingMessage | undefined): FrameSamplingInput {
  if (!message) return {};
  const resizeMode = resizeModes[message.resizeMode];
  return {
    numFrames: message.numFrames,
    fps: message.fps,
    minFrames: message.minFrames,
    maxFrames: message.maxFrames,
    width: message.width,
    height: message.height,
    ...(resizeMode ? { resizeMode } : {}),
  };
}

function invalid(field: string, message: string): VideoInputError {
  return new VideoInputError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}
