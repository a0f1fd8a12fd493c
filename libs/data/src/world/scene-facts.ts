/**
 * Facts derived from a scene graph once, for the question writers: when each object is visible,
 * its colours, mean speed, bounces and collisions. Everything here is computed from the recorded
 * frames and events only, never from the simulator's internal state.
 */
import { type ColourName } from './palette.js';
import { type ObjectSpec, type ObjectState, type SceneGraph, type WorldEvent } from './scene-graph.js';

/** Per-object facts. */
export interface ObjectFacts {
  spec: ObjectSpec;
  /** First and last frame in which it is visible; undefined when it never is. */
  firstVisible: number | undefined;
  lastVisible: number | undefined;
  visibleFrames: number;
  /** Its state in each frame it exists (index = frame), undefined where it does not. */
  states: (ObjectState | undefined)[];
  /** Mean speed over consecutive visible frames, px/s: mean of |p(f+1) − p(f)| · fps. */
  meanSpeed: number | undefined;
  bounces: Extract<WorldEvent, { kind: 'bounce' }>[];
  colourChange: Extract<WorldEvent, { kind: 'colour-change' }> | undefined;
  leave: Extract<WorldEvent, { kind: 'leave' }> | undefined;
  enter: Extract<WorldEvent, { kind: 'enter' }> | undefined;
}

/** Facts about a whole clip. */
export interface SceneFacts {
  scene: SceneGraph;
  objects: ObjectFacts[];
  /** Objects visible in at least one frame, in id order. */
  appeared: ObjectFacts[];
  /** Most objects visible in one frame. */
  maxVisible: number;
  collisions: Extract<WorldEvent, { kind: 'collision' }>[];
  colourChanges: Extract<WorldEvent, { kind: 'colour-change' }>[];
  /** Sign texts in the order shown. */
  signTexts: string[];
  durationSec: number;
}

/** Derives {@link SceneFacts} from a scene graph. */
export function collectSceneFacts(scene: SceneGraph): SceneFacts {
  const objects: ObjectFacts[] = scene.objects.map((spec) => ({
    spec,
    firstVisible: undefined,
    lastVisible: undefined,
    visibleFrames: 0,
    states: new Array<ObjectState | undefined>(scene.frameCount).fill(undefined),
    meanSpeed: undefined,
    bounces: [],
    colourChange: undefined,
    leave: undefined,
    enter: undefined,
  }));
  let maxVisible = 0;
  for (const frame of scene.frames) {
    let visible = 0;
    for (const state of frame.objects) {
      const facts = objects[state.id];
      if (facts === undefined) continue;
      facts.states[frame.index] = state;
      if (!state.visible) continue;
      visible += 1;
      facts.firstVisible ??= frame.index;
      facts.lastVisible = frame.index;
      facts.visibleFrames += 1;
    }
    maxVisible = Math.max(maxVisible, visible);
  }
  const collisions: SceneFacts['collisions'] = [];
  const colourChanges: SceneFacts['colourChanges'] = [];
  for (const event of scene.events) {
    if (event.kind === 'collision') collisions.push(event);
    else if (event.kind === 'colour-change') {
      colourChanges.push(event);
      const facts = objects[event.object];
      if (facts) facts.colourChange ??= event;
    } else if (event.kind === 'bounce') objects[event.object]?.bounces.push(event);
    else if (event.kind === 'leave') {
      const facts = objects[event.object];
      if (facts) facts.leave ??= event;
    } else if (event.kind === 'enter') {
      const facts = objects[event.object];
      if (facts) facts.enter ??= event;
    }
  }
  for (const facts of objects) facts.meanSpeed = meanVisibleSpeed(facts.states, scene.fps);
  const signTexts: string[] = [];
  for (const frame of scene.frames) if (signTexts.at(-1) !== frame.sign) signTexts.push(frame.sign);
  return {
    scene,
    objects,
    appeared: objects.filter((o) => o.firstVisible !== undefined),
    maxVisible,
    collisions,
    colourChanges,
    signTexts,
    durationSec: scene.frameCount / scene.fps,
  };
}

function meanVisibleSpeed(states: readonly (ObjectState | undefined)[], fps: number): number | undefined {
  let sum = 0;
  let count = 0;
  for (let f = 0; f + 1 < states.length; f += 1) {
    const a = states[f];
    const b = states[f + 1];
    if (!a?.visible || !b?.visible) continue;
    sum += Math.hypot(b.x - a.x, b.y - a.y) * fps;
    count += 1;
  }
  return count === 0 ? undefined : sum / count;
}

/** The colour of an object in a frame, or its colour when it first appears when the frame has none. */
export function colourAt(facts: ObjectFacts, frame: number | undefined): ColourName {
  if (frame !== undefined) {
    const state = facts.states[frame];
    if (state) return state.colour;
  }
  const first = facts.firstVisible === undefined ? undefined : facts.states[facts.firstVisible];
  return first?.colour ?? facts.spec.colour;
}
