/**
 * What a writer can tell about a clip from its representation alone: the objects as tracks
 * (their sightings, shape, colours, when they are seen), the sign and counter readings, and the
 * events. Positions stay in frame fractions; speeds in frame widths per second.
 */
import { type ClipEvent, type ClipRepresentation } from '../representation.js';
import { type ObjectRef } from './question-intent.js';

/** One sighting of a tracked object. */
export interface Sighting {
  time: number;
  colour: string;
  shape: string;
  x: number;
  y: number;
  uncertain: boolean;
}

/** An object followed through the clip. */
export interface TrackFacts {
  id: number;
  sightings: Sighting[];
  /** Most frequent shape among its sightings (certain ones first). */
  shape: string;
  firstColour: string;
  firstTime: number;
  lastTime: number;
  /** Mean of the speeds between consecutive sightings; undefined with one sighting. */
  meanSpeed: number | undefined;
  events: ClipEvent[];
}

/** The clip as the writer knows it. */
export interface ClipFacts {
  rep: ClipRepresentation;
  tracks: TrackFacts[];
  times: number[];
  /** Typical time between sampled frames. */
  sampleInterval: number;
  signReadings: { time: number; text: string; uncertain: boolean }[];
  counterReadings: { time: number; value: number; uncertain: boolean }[];
}

/** Builds {@link ClipFacts} from a representation. */
export function collectClipFacts(rep: ClipRepresentation): ClipFacts {
  const byId = new Map<number, Sighting[]>();
  for (const frame of rep.frames) {
    for (const o of frame.objects) {
      const list = byId.get(o.id) ?? [];
      list.push({ time: frame.time, colour: o.colour, shape: o.shape, x: o.x, y: o.y, uncertain: o.uncertain });
      byId.set(o.id, list);
    }
  }
  const tracks: TrackFacts[] = [...byId.entries()].map(([id, sightings]) => {
    sightings.sort((a, b) => a.time - b.time);
    const votes = new Map<string, number>();
    for (const s of sightings) votes.set(s.shape, (votes.get(s.shape) ?? 0) + (s.uncertain ? 1 : 3));
    const shape = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'object';
    const speeds: number[] = [];
    for (let i = 1; i < sightings.length; i += 1) {
      const a = sightings[i - 1];
      const b = sightings[i];
      if (!a || !b || b.time <= a.time) continue;
      speeds.push(Math.hypot(b.x - a.x, ((b.y - a.y) * rep.frameHeight) / rep.frameWidth) / (b.time - a.time));
    }
    return {
      id,
      sightings,
      shape,
      firstColour: sightings[0]?.colour ?? 'unknown',
      firstTime: sightings[0]?.time ?? 0,
      lastTime: sightings.at(-1)?.time ?? 0,
      meanSpeed: speeds.length > 0 ? speeds.reduce((s, v) => s + v, 0) / speeds.length : undefined,
      events: rep.events.filter((e) => e.objects.includes(id)),
    };
  });
  const times = rep.frames.map((f) => f.time);
  const gaps = times
    .slice(1)
    .map((t, i) => t - (times[i] ?? 0))
    .sort((a, b) => a - b);
  const signReadings = rep.frames.flatMap((f) =>
    f.texts.filter((t) => t.role === 'sign').map((t) => ({ time: f.time, text: t.text, uncertain: t.uncertain })),
  );
  const counterReadings = rep.frames.flatMap((f) =>
    f.texts
      .filter((t) => t.role === 'counter' && /^\d+$/.test(t.text.trim()))
      .map((t) => ({ time: f.time, value: Number(t.text.trim()), uncertain: t.uncertain })),
  );
  return {
    rep,
    tracks,
    times,
    sampleInterval: gaps[Math.floor(gaps.length / 2)] ?? rep.durationSec,
    signReadings,
    counterReadings,
  };
}

/** The colour of a track at (or just before) time t. */
export function colourAt(track: TrackFacts, time: number): string {
  let colour = track.firstColour;
  for (const s of track.sightings) if (s.time <= time + 1e-6) colour = s.colour;
  return colour;
}

/** The sighting of a track nearest to time t. */
export function sightingNear(track: TrackFacts, time: number): Sighting | undefined {
  return [...track.sightings].sort((a, b) => Math.abs(a.time - time) - Math.abs(b.time - time))[0];
}

/**
 * The track a name refers to: same shape and colour (first colour when named "at first", any
 * sighting's colour otherwise), preferring the longest-seen; then colour alone, then shape alone.
 */
export function findTrack(facts: ClipFacts, ref: ObjectRef, time?: number): TrackFacts | undefined {
  const colourMatches = (t: TrackFacts) =>
    ref.atFirst
      ? t.firstColour === ref.colour
      : time !== undefined
        ? colourAt(t, time) === ref.colour
        : t.sightings.some((s) => s.colour === ref.colour);
  const longest = (list: TrackFacts[]) => [...list].sort((a, b) => b.sightings.length - a.sightings.length)[0];
  return (
    longest(facts.tracks.filter((t) => t.shape === ref.shape && colourMatches(t))) ??
    longest(facts.tracks.filter((t) => t.sightings.some((s) => s.shape === ref.shape) && colourMatches(t))) ??
    longest(facts.tracks.filter(colourMatches)) ??
    longest(facts.tracks.filter((t) => t.shape === ref.shape))
  );
}

/** "the red circle" for a track as it looks at time t (its first look when t is undefined). */
export function nameTrack(track: TrackFacts, time?: number): string {
  return `the ${time === undefined ? track.firstColour : colourAt(track, time)} ${track.shape}`;
}

/** Seconds as the writer says them: "0.5 s", "1.25 s". */
export function formatSeconds(time: number): string {
  return `${Number(time.toFixed(2))} s`;
}
