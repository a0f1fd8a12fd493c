/** What `vrft data show` prints about a clip: its samples and a summary of its scene graph. */
import { type DatasetClip, type SceneGraph, type VideoSample, type WorldEvent } from '@vrft/data';
import { formatTable } from '../table.js';

const seconds = (scene: SceneGraph, frame: number): string => `${(frame / scene.fps).toFixed(2)} s`;

/** The clip header, its objects and its events (bounces are counted, not listed). */
export function formatScene(clip: DatasetClip, videoExists: boolean): string {
  const { file } = clip;
  const { scene } = file;
  const signs = [...new Set(scene.frames.map((f) => f.sign))];
  const lines = [
    `clip ${file.clipId}  (split ${file.split}, seed ${file.seed}, difficulty ${file.options.difficulty})`,
    `video: ${clip.videoPath}${videoExists ? '' : ' (not encoded; frames are rendered from the scene)'}`,
    `scene: ${clip.scenePath}`,
    `${scene.frameCount} frames at ${scene.fps} fps (${(scene.frameCount / scene.fps).toFixed(2)} s), ${scene.width}×${scene.height}; ` +
      `sign ${signs.map((s) => JSON.stringify(s)).join(' → ')}; counter ends at ${scene.frames.at(-1)?.counter ?? 0}`,
    '',
  ];
  const rows = scene.objects.map((spec) => {
    const visible = scene.frames.filter((f) => f.objects.some((o) => o.id === spec.id && o.visible));
    const first = visible[0]?.index;
    const last = visible.at(-1)?.index;
    const span =
      first === undefined || last === undefined ? 'never' : `${seconds(scene, first)} – ${seconds(scene, last)}`;
    const bounces = scene.events.filter((e) => e.kind === 'bounce' && e.object === spec.id).length;
    const change = scene.events.find((e) => e.kind === 'colour-change' && e.object === spec.id);
    const colour = change?.kind === 'colour-change' ? `${spec.colour} → ${change.to}` : spec.colour;
    return [String(spec.id), spec.shape, colour, spec.size.toFixed(1), span, String(bounces)];
  });
  lines.push(formatTable(['id', 'shape', 'colour', 'size', 'visible', 'bounces'], rows), '');
  const events = scene.events
    .filter((e) => e.kind !== 'bounce')
    .map((e) => `  ${seconds(scene, e.frame)}  ${describeEvent(e, scene)}`);
  lines.push(events.length > 0 ? 'events:' : 'events: none besides wall bounces', ...events);
  return lines.join('\n');
}

function describeEvent(event: WorldEvent, scene: SceneGraph): string {
  const name = (id: number): string => {
    const spec = scene.objects[id];
    return spec ? `#${id} ${spec.shape}` : `#${id}`;
  };
  switch (event.kind) {
    case 'enter':
      return `${name(event.object)} enters from the ${event.edge}`;
    case 'leave':
      return `${name(event.object)} leaves through the ${event.edge}`;
    case 'bounce':
      return `${name(event.object)} bounces off the ${event.edge} wall`;
    case 'collision':
      return `${name(event.objects[0])} and ${name(event.objects[1])} collide`;
    case 'colour-change': {
      const cause =
        event.cause.kind === 'wall' ? `hit the ${event.cause.edge} wall` : `collided with ${name(event.cause.with)}`;
      return `${name(event.object)} turns ${event.from} → ${event.to} (${cause})`;
    }
    case 'sign-change':
      return `sign changes ${JSON.stringify(event.from)} → ${JSON.stringify(event.to)}`;
  }
}

/** One sample: id, type, skill, question, options and answer. */
export function formatSample(sample: VideoSample): string {
  const lines = [
    `sample ${String(sample.problem_id)}  [${sample.problem_type}; ${String(sample.original_question_type ?? '')}]`,
    `  Q: ${sample.problem}`,
    ...(sample.options ?? []).map((option) => `     ${option}`),
    `  solution: ${sample.solution}`,
  ];
  return lines.join('\n');
}
