/** Options of the built-in perception pass, with defaults. */

/** Options of the perception pass. Lengths in pixels, speeds in pixels per second. */
export interface PerceptionOptions {
  /**
   * Frames described per second of video (every k-th frame, k = round(fps / sampleFps); the last
   * frame always). method.md samples 1 fps; the default is 4 because the synthetic clips last
   * 2–4 s, where 1 fps would leave 2–4 frames to reason about motion and order.
   */
  sampleFps: number;
  /** Blobs smaller than this are not seen at all. */
  minObjectPixels: number;
  /** Blobs smaller than this are marked uncertain. */
  uncertainPixels: number;
  /** RGB distance beyond which a pixel matches no palette colour. */
  maxColourDistance: number;
  /** Colour margins below this mark the colour uncertain. */
  colourMarginMin: number;
  /** Shape margins below this mark the shape uncertain. */
  shapeMarginMin: number;
  /** Tracker gate: a blob farther than maxTrackSpeed · Δt + 3 from a track's last position starts a new track. */
  maxTrackSpeed: number;
  /** Samples a track may go unseen (occlusion) before it ends. */
  maxMissedSamples: number;
  /** Two blobs whose boxes are this close touch. */
  contactSlackPx: number;
  /** Text characters with more differing cells than this are uncertain. */
  textUncertainMismatches: number;
}

/** Defaults of {@link PerceptionOptions}. */
export const DEFAULT_PERCEPTION_OPTIONS: Readonly<PerceptionOptions> = {
  sampleFps: 4,
  minObjectPixels: 12,
  uncertainPixels: 24,
  maxColourDistance: 120,
  colourMarginMin: 40,
  shapeMarginMin: 0.08,
  maxTrackSpeed: 70,
  maxMissedSamples: 1,
  contactSlackPx: 2,
  textUncertainMismatches: 3,
};
