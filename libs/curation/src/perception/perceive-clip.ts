/**
 * The built-in describer: a perception pass over a clip's pixels that writes the structured
 * representation (method.md §2 step 1). It samples frames at `sampleFps`, finds colour blobs in
 * each, reads the heads-up text, links blobs into tracks across samples and derives events
 * (enter, leave, colour change, contact, bounce). It never sees the simulator's scene graph, so
 * it makes the mistakes a viewer of the pixels makes: objects below `minObjectPixels` are
 * missed, fast objects that jump farther than the tracker's gate become new objects, colours and
 * shapes of small, clipped or overlapping blobs can be wrong — those are marked uncertain.
 */
import { frameAt, type FrameSet } from '../frame-source.js';
import { type ClipRepresentation, type FrameDescription, type SeenObject, type SeenText } from '../representation.js';
import { deriveEvents } from './clip-events.js';
import { captionClip, captionFrame, relateObjects } from './frame-captions.js';
import { directionOf, joinWords } from './geometry-words.js';
import { detectHud, readHud } from './hud-text.js';
import { DEFAULT_PERCEPTION_OPTIONS, type PerceptionOptions } from './perception-options.js';
import { findBlobs } from './pixel-blobs.js';
import { linkTracks, majorityShape, uncertainty, type Observation, type Track } from './tracks.js';

export { DEFAULT_PERCEPTION_OPTIONS, type PerceptionOptions } from './perception-options.js';

/** Indices of the frames the pass looks at. */
export function sampleIndices(set: FrameSet, sampleFps: number): number[] {
  const step = Math.max(1, Math.round(set.fps / sampleFps));
  const count = set.times.length;
  const out: number[] = [];
  for (let i = 0; i < count; i += step) out.push(i);
  if (count > 0 && out.at(-1) !== count - 1) out.push(count - 1);
  return out;
}

/** Describes a clip from its pixels (see the file header). */
export function perceiveClip(
  set: FrameSet,
  options: PerceptionOptions = DEFAULT_PERCEPTION_OPTIONS,
): ClipRepresentation {
  const { width, height } = set;
  const indices = sampleIndices(set, options.sampleFps);
  const images = indices.map((i) => frameAt(set, i));
  const hud = detectHud(images, width, height);
  const tracks: Track[] = [];
  const perFrame: { time: number; observations: Observation[]; texts: SeenText[] }[] = [];
  let nextId = 0;
  images.forEach((image, sample) => {
    const time = set.times[indices[sample] ?? 0] ?? 0;
    const blobs = findBlobs(image, width, height, {
      arenaTop: hud.arenaTop,
      minPixels: options.minObjectPixels,
      maxColourDistance: options.maxColourDistance,
    });
    const observations = blobs.map((blob) => ({ sample, time, blob, uncertain: uncertainty(blob, options) }));
    const previousTime = perFrame.at(-1)?.time ?? time;
    linkTracks(tracks, observations, time - previousTime, options, () => nextId++);
    const reading = readHud(image, width, height, hud, options.textUncertainMismatches);
    const texts: SeenText[] = [];
    if (reading.sign.text !== '') texts.push({ role: 'sign', ...reading.sign });
    if (reading.counter.text !== '') texts.push({ role: 'counter', ...reading.counter });
    perFrame.push({ time, observations, texts });
  });

  const trackOf = new Map<Observation, Track>();
  for (const track of tracks) for (const o of track.observations) trackOf.set(o, track);
  const shapeOf = new Map(tracks.map((t) => [t, majorityShape(t)]));
  const arena = { top: hud.arenaTop, width, height };
  const frames: FrameDescription[] = perFrame.map((frame, sample) => {
    const objects: SeenObject[] = frame.observations.map((o) => {
      const track = trackOf.get(o);
      const shape = o.uncertain.includes('shape') && track ? (shapeOf.get(track) ?? o.blob.shape) : o.blob.shape;
      return {
        id: track?.id ?? -1,
        colour: o.blob.colour,
        shape,
        x: round3(o.blob.cx / width),
        y: round3(o.blob.cy / height),
        size: round3(Math.sqrt((4 * o.blob.pixels) / Math.PI) / width),
        uncertain: o.uncertain.length > 0,
        note: o.uncertain.length > 0 ? `unsure of ${joinWords(o.uncertain)}` : undefined,
      };
    });
    const motion = objects.flatMap((object) => {
      const track = tracks.find((t) => t.id === object.id);
      const index = track?.observations.findIndex((o) => o.sample === sample) ?? -1;
      const previous = index > 0 ? track?.observations[index - 1] : undefined;
      const current = track?.observations[index];
      if (!previous || !current || current.time <= previous.time) return [];
      const dx = current.blob.cx - previous.blob.cx;
      const dy = current.blob.cy - previous.blob.cy;
      const moved = Math.hypot(dx, dy);
      const dt = current.time - previous.time;
      return [
        { id: object.id, direction: moved < 0.75 ? 'still' : directionOf(dx, dy), speed: round3(moved / dt / width) },
      ];
    });
    return {
      time: frame.time,
      caption: captionFrame(objects, frame.texts, arena),
      objects,
      texts: frame.texts,
      relations: relateObjects(objects, width, height),
      motion,
    };
  });
  const events = deriveEvents(tracks, perFrame, hud, options, set);
  return {
    describer: 'builtin-perception',
    durationSec: set.durationSec,
    frameWidth: width,
    frameHeight: height,
    caption: captionClip(tracks, shapeOf, frames, events),
    frames,
    events,
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
