/** Captions and literal relations of a perception pass: per frame, per pair of objects, and for the clip. */
import { type ColourName, type ShapeName } from '@vrft/data';
import { type ClipEvent, type FrameDescription, type SeenObject, type SeenText } from '../representation.js';
import { article, joinWords, placeWord } from './geometry-words.js';
import { type Track } from './tracks.js';

function nameSeen(o: { colour: string; shape: string }): string {
  return `${o.colour} ${o.shape}`;
}

/** One sentence about a frame: its objects and where they are, then the text at the top. */
export function captionFrame(
  objects: SeenObject[],
  texts: SeenText[],
  arena: { top: number; width: number; height: number },
): string {
  const parts = objects.map((o) => {
    const fy = (o.y * arena.height - arena.top) / Math.max(1, arena.height - arena.top);
    const name = nameSeen(o);
    return `${article(o.colour)} ${name}${o.uncertain ? ' (unclear)' : ''} at the ${placeWord(o.x, fy)}`;
  });
  const scene = parts.length === 0 ? 'The arena looks empty.' : `${capitalise(joinWords(parts))}.`;
  const sign = texts.find((t) => t.role === 'sign');
  const counter = texts.find((t) => t.role === 'counter');
  const hud = [sign ? `the sign reads "${sign.text}"` : '', counter ? `the counter shows ${counter.text}` : ''].filter(
    (s) => s !== '',
  );
  return hud.length > 0 ? `${scene} At the top, ${joinWords(hud)}.` : scene;
}

/** "the red circle is left of the blue square" for pairs with a clearly dominant axis. */
export function relateObjects(objects: SeenObject[], width: number, height: number): string[] {
  const relations: string[] = [];
  for (const [i, a] of objects.entries()) {
    for (const b of objects.slice(i + 1)) {
      const dx = (a.x - b.x) * width;
      const dy = (a.y - b.y) * height;
      const [major, minor] = Math.abs(dx) >= Math.abs(dy) ? [dx, dy] : [dy, dx];
      if (Math.abs(major) < 4 || Math.abs(major) < 1.5 * Math.abs(minor)) continue;
      const relation = Math.abs(dx) >= Math.abs(dy) ? (dx < 0 ? 'left of' : 'right of') : dy < 0 ? 'above' : 'below';
      relations.push(`the ${nameSeen(a)} is ${relation} the ${nameSeen(b)}`);
    }
  }
  return relations;
}

/** 1–2 sentences about the clip: who moves around, the sign, touches and colour changes. */
export function captionClip(
  tracks: Track[],
  shapeOf: Map<Track, ShapeName>,
  frames: FrameDescription[],
  events: ClipEvent[],
): string {
  const lasting = tracks.filter((t) => t.observations.length >= 2 || tracks.length <= 3);
  const names = lasting.map((t) => {
    const colour: ColourName = t.observations[0]?.blob.colour ?? 'white';
    return `${article(colour)} ${colour} ${shapeOf.get(t) ?? 'circle'}`;
  });
  const first =
    names.length === 0
      ? 'A dark arena with no clear moving objects.'
      : `${capitalise(names.length === 1 ? 'one object moves' : `${names.length} objects move`)} around a dark arena: ${joinWords(names)}.`;
  const sign = frames[0]?.texts.find((t) => t.role === 'sign')?.text;
  const changes = events.filter((e) => e.kind === 'colour-change').length;
  const contacts = events.filter((e) => e.kind === 'contact').length;
  const second = [
    sign ? `a sign at the top reads "${sign}"` : '',
    contacts > 0 ? `objects touch ${contacts === 1 ? 'once' : `${contacts} times`}` : '',
    changes > 0 ? `${changes === 1 ? 'one colour change is' : `${changes} colour changes are`} visible` : '',
  ].filter((s) => s !== '');
  return second.length > 0 ? `${first} ${capitalise(joinWords(second))}.` : first;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
