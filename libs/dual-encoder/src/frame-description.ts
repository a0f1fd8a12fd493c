/**
 * The literal description of one frame of the synthetic world, written from its scene graph:
 * every visible object (colour, shape, where it is, which way it moves), the sign's text and the
 * counter. These are the text halves of the (frame, description) pairs the encoder trains on —
 * the kind of sentence a completion's `<think>` opens with when it describes the video.
 */
import { type FrameScene, type ObjectState, type SceneGraph } from '@vrft/data';

/** Speed (pixels per second) below which an object is described as still. */
const STILL_SPEED = 3;
/** Speed above which an object is described as fast. */
const FAST_SPEED = 28;

/** One sentence about the objects and one about the text of frame `index` of `scene`. */
export function describeFrame(scene: SceneGraph, index: number): string {
  const frame = scene.frames[index];
  if (frame === undefined) throw new RangeError(`frame ${index} is outside 0..${scene.frameCount - 1}`);
  const visible = frame.objects.filter((o) => o.visible).sort((a, b) => a.x - b.x || a.id - b.id);
  const phrases = visible.map((o) => describeObject(scene, o));
  const objects = phrases.length === 0 ? 'The arena is empty.' : `${capitalise(joinList(phrases))}.`;
  return `${objects} ${describeText(frame)}`;
}

function describeObject(scene: SceneGraph, state: ObjectState): string {
  const spec = scene.objects.find((o) => o.id === state.id);
  const shape = spec?.shape ?? 'object';
  const article = /^[aeiou]/.test(state.colour) ? 'an' : 'a';
  return `${article} ${state.colour} ${shape} ${placeOf(scene, state)} ${motionOf(state)}`;
}

// The arena in thirds: "at the top left", "in the centre", "at the bottom".
function placeOf(scene: SceneGraph, state: ObjectState): string {
  const { x0, y0, x1, y1 } = scene.arena;
  const column = Math.min(2, Math.max(0, Math.floor((3 * (state.x - x0)) / (x1 - x0))));
  const row = Math.min(2, Math.max(0, Math.floor((3 * (state.y - y0)) / (y1 - y0))));
  const vertical = ['top', '', 'bottom'][row] as string;
  const horizontal = ['left', '', 'right'][column] as string;
  if (vertical === '' && horizontal === '') return 'in the centre';
  return `at the ${[vertical, horizontal].filter((w) => w !== '').join(' ')}`;
}

// Eight compass directions in screen terms (y grows downwards).
function motionOf(state: ObjectState): string {
  const speed = Math.hypot(state.vx, state.vy);
  if (speed < STILL_SPEED) return 'standing still';
  const names = ['right', 'down and right', 'down', 'down and left', 'left', 'up and left', 'up', 'up and right'];
  const sector = Math.round(Math.atan2(state.vy, state.vx) / (Math.PI / 4));
  const direction = names[(sector + 8) % 8] as string;
  return `moving ${direction}${speed > FAST_SPEED ? ' fast' : ''}`;
}

function describeText(frame: FrameScene): string {
  const sign = frame.sign.trim();
  const signPart = sign === '' ? 'The sign is blank' : `The sign reads ${sign}`;
  return `${signPart} and the counter shows ${frame.counter}.`;
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
