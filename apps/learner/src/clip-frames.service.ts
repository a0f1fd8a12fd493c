/**
 * The frames of a rollout group's video at the model's size: decoded by ffmpeg (@vrft/video) from
 * a file under the configured roots, inline bytes, or an Object Store blob.
 */
import { type Bus } from '@vrft/bus';
import { type ModelConfig } from '@vrft/model';
import { type VideoInput } from '@vrft/proto';
import { VideoReader, videoSourceOf } from '@vrft/video';

/** Decodes rollout videos to [F, H, W, 3] uint8 frames of the model. */
export class ClipFrames {
  private readonly reader: VideoReader;

  constructor(
    private readonly config: ModelConfig,
    roots: readonly string[],
    private readonly bus: Bus,
  ) {
    this.reader = new VideoReader({ allowedRoots: [...roots] });
  }

  /** Frames of a group's video (F of the config, stretched to H×W). */
  async load(video: VideoInput | undefined): Promise<Uint8Array> {
    const source = await videoSourceOf(video, { objectStore: (ref) => this.bus.getBlob(ref) }, 'video');
    const decoded = await this.reader.decodeFrames(source, {
      numFrames: this.config.frames,
      width: this.config.imageWidth,
      height: this.config.imageHeight,
      resizeMode: 'stretch',
    });
    return decoded.data;
  }
}
