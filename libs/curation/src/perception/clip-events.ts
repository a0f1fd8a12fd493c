/**
 * Clip events from tracks: entries and exits at the arena's edges, colour changes between
 * sightings, touches between blobs (and, when the collision counter rises between two samples
 * without a visible touch, the closest pair, marked uncertain), and bounces (motion along an axis
 * reversing next to that axis's wall).
 */
import { type FrameSet } from '../frame-source.js';
import { type ClipEvent, type SeenText } from '../representation.js';
import { type HudGeometry } from './hud-text.js';
import { type PerceptionOptions } from './perception-options.js';
import { type PixelBlob } from './pixel-blobs.js';
import { type Observation, type Track } from './tracks.js';

function nearestWall(
  blob: PixelBlob,
  arena: { top: number; width: number; height: number },
): { edge: string; gap: number } {
  const gaps: [string, number][] = [
    ['left', blob.x0],
    ['right', arena.width - blob.x1],
    ['top', blob.y0 - arena.top],
    ['bottom', arena.height - blob.y1],
  ];
  gaps.sort((a, b) => a[1] - b[1]);
  const [edge, gap] = gaps[0] ?? ['left', 0];
  return { edge, gap };
}

/** Derives the clip events of a perception pass (see the file header). */
export function deriveEvents(
  tracks: Track[],
  perFrame: { time: number; observations: Observation[]; texts: SeenText[] }[],
  hud: HudGeometry,
  options: PerceptionOptions,
  set: FrameSet,
): ClipEvent[] {
  const arena = { top: hud.arenaTop, width: set.width, height: set.height };
  const lastSample = perFrame.length - 1;
  const events: ClipEvent[] = [];
  const trackOf = new Map<Observation, Track>();
  for (const track of tracks) for (const o of track.observations) trackOf.set(o, track);
  for (const track of tracks) {
    const first = track.observations[0];
    const last = track.observations.at(-1);
    if (!first || !last) continue;
    const firstWall = nearestWall(first.blob, arena);
    if (first.sample > 0 && firstWall.gap <= 1) {
      events.push({ time: first.time, kind: 'enter', objects: [track.id], detail: firstWall.edge, uncertain: false });
    }
    const lastWall = nearestWall(last.blob, arena);
    if (last.sample < lastSample && lastWall.gap <= 2) {
      const after = perFrame[last.sample + 1]?.time ?? last.time;
      events.push({ time: after, kind: 'leave', objects: [track.id], detail: lastWall.edge, uncertain: false });
    }
    track.observations.forEach((o, i) => {
      const previous = track.observations[i - 1];
      if (!previous) return;
      if (o.blob.colour !== previous.blob.colour) {
        events.push({
          time: o.time,
          kind: 'colour-change',
          objects: [track.id],
          detail: `${previous.blob.colour} to ${o.blob.colour}`,
          uncertain: o.uncertain.includes('colour') || previous.uncertain.includes('colour'),
        });
      }
      const next = track.observations[i + 1];
      if (!next) return;
      // A bounce: the motion along one axis reverses while the object is near that axis's wall.
      const reach = options.maxTrackSpeed * (next.time - previous.time) * 0.5 + 1;
      const vx0 = o.blob.cx - previous.blob.cx;
      const vx1 = next.blob.cx - o.blob.cx;
      const vy0 = o.blob.cy - previous.blob.cy;
      const vy1 = next.blob.cy - o.blob.cy;
      const bounceAt = (edge: string, time: number) =>
        events.push({ time, kind: 'bounce', objects: [track.id], detail: edge, uncertain: false });
      if (vx0 * vx1 < 0 && Math.abs(vx0) > 0.5 && Math.abs(vx1) > 0.5) {
        if (vx0 < 0 && o.blob.x0 <= reach) bounceAt('left', o.time);
        else if (vx0 > 0 && arena.width - o.blob.x1 <= reach) bounceAt('right', o.time);
      }
      if (vy0 * vy1 < 0 && Math.abs(vy0) > 0.5 && Math.abs(vy1) > 0.5) {
        if (vy0 < 0 && o.blob.y0 - arena.top <= reach) bounceAt('top', o.time);
        else if (vy0 > 0 && arena.height - o.blob.y1 <= reach) bounceAt('bottom', o.time);
      }
    });
  }
  // Contacts: boxes touching in a sample; and, when the counter rose between two samples without
  // a touch being seen, the closest pair at the earlier sample (marked uncertain).
  let previousCounter: number | undefined;
  const seenPairs = new Set<string>();
  perFrame.forEach((frame, sample) => {
    const touching = new Set<string>();
    for (const [i, a] of frame.observations.entries()) {
      for (const b of frame.observations.slice(i + 1)) {
        const gapX = Math.max(a.blob.x0 - b.blob.x1, b.blob.x0 - a.blob.x1);
        const gapY = Math.max(a.blob.y0 - b.blob.y1, b.blob.y0 - a.blob.y1);
        if (Math.max(gapX, gapY) > options.contactSlackPx) continue;
        const ids = [trackOf.get(a)?.id ?? -1, trackOf.get(b)?.id ?? -1].sort((p, q) => p - q);
        const key = ids.join('-');
        touching.add(key);
        if (!seenPairs.has(key))
          events.push({ time: frame.time, kind: 'contact', objects: ids, detail: '', uncertain: false });
      }
    }
    const counterText = frame.texts.find((t) => t.role === 'counter');
    const counter = counterText && /^\d+$/.test(counterText.text) ? Number(counterText.text) : undefined;
    if (counter !== undefined && previousCounter !== undefined && counter > previousCounter && touching.size === 0) {
      const before = perFrame[sample - 1];
      const pair = closestPair(before?.observations ?? [], trackOf);
      if (pair && !seenPairs.has(pair.join('-'))) {
        const time = Math.round((((before?.time ?? frame.time) + frame.time) / 2) * 1000) / 1000;
        events.push({ time, kind: 'contact', objects: pair, detail: 'the counter went up', uncertain: true });
      }
    }
    seenPairs.clear();
    for (const key of touching) seenPairs.add(key);
    if (counter !== undefined) previousCounter = counter;
  });
  return events.sort((a, b) => a.time - b.time);
}

function closestPair(observations: Observation[], trackOf: Map<Observation, Track>): number[] | undefined {
  let best: number[] | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [i, a] of observations.entries()) {
    for (const b of observations.slice(i + 1)) {
      const d = Math.hypot(a.blob.cx - b.blob.cx, a.blob.cy - b.blob.cy);
      if (d < bestDistance) {
        bestDistance = d;
        best = [trackOf.get(a)?.id ?? -1, trackOf.get(b)?.id ?? -1].sort((p, q) => p - q);
      }
    }
  }
  return best;
}
