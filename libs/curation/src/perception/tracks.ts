/**
 * Tracks: blobs of successive sampled frames linked into objects. Association is greedy,
 * nearest-first, inside a speed gate; colour and shape disagreements cost extra, so an object that
 * changes colour usually keeps its track while two crossing objects rarely swap.
 */
import { type ShapeName } from '@vrft/data';
import { type PerceptionOptions } from './perception-options.js';
import { type PixelBlob } from './pixel-blobs.js';

/** One blob in one sampled frame, with why it is uncertain. */
export interface Observation {
  sample: number;
  time: number;
  blob: PixelBlob;
  uncertain: string[];
}

/** An object followed across sampled frames. */
export interface Track {
  id: number;
  observations: Observation[];
  missed: number;
  open: boolean;
}

/** Reasons a blob is uncertain: its colour, its shape. */
export function uncertainty(blob: PixelBlob, options: PerceptionOptions): string[] {
  const reasons: string[] = [];
  if (blob.colourMargin < options.colourMarginMin) reasons.push('colour');
  if (blob.shapeMargin < options.shapeMarginMin || blob.touchesEdge || blob.pixels < options.uncertainPixels) {
    reasons.push('shape');
  }
  return reasons;
}

/** Greedy nearest-first association of this sample's blobs to open tracks, inside the speed gate. */

export function linkTracks(
  tracks: Track[],
  observations: Observation[],
  dt: number,
  options: PerceptionOptions,
  newId: () => number,
): void {
  const open = tracks.filter((t) => t.open);
  const pairs: { track: Track; observation: Observation; cost: number }[] = [];
  for (const track of open) {
    const last = track.observations.at(-1);
    if (!last) continue;
    const gap = options.maxTrackSpeed * Math.max(dt, 1e-3) * (track.missed + 1) + 3;
    for (const observation of observations) {
      const distance = Math.hypot(observation.blob.cx - last.blob.cx, observation.blob.cy - last.blob.cy);
      if (distance > gap) continue;
      const colourPenalty = observation.blob.colour === last.blob.colour ? 0 : 8;
      const shapePenalty = observation.blob.shape === last.blob.shape ? 0 : 4;
      pairs.push({ track, observation, cost: distance + colourPenalty + shapePenalty });
    }
  }
  pairs.sort((a, b) => a.cost - b.cost);
  const usedTracks = new Set<Track>();
  const usedObservations = new Set<Observation>();
  for (const { track, observation } of pairs) {
    if (usedTracks.has(track) || usedObservations.has(observation)) continue;
    usedTracks.add(track);
    usedObservations.add(observation);
    track.observations.push(observation);
    track.missed = 0;
  }
  for (const track of open) {
    if (usedTracks.has(track)) continue;
    track.missed += 1;
    if (track.missed > options.maxMissedSamples) track.open = false;
  }
  for (const observation of observations) {
    if (!usedObservations.has(observation)) {
      tracks.push({ id: newId(), observations: [observation], missed: 0, open: true });
    }
  }
}

/** The shape a track shows most often when the blob is judged confidently (else over all sightings). */
export function majorityShape(track: Track): ShapeName {
  const votes = new Map<ShapeName, number>();
  const confident = track.observations.filter((o) => !o.uncertain.includes('shape'));
  for (const o of confident.length > 0 ? confident : track.observations) {
    votes.set(o.blob.shape, (votes.get(o.blob.shape) ?? 0) + 1);
  }
  return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'circle';
}
