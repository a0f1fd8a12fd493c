/**
 * Test-only oracle: judges a claim against the simulator's scene graph (the ground truth the
 * pipeline itself never reads), to measure how many claims of a CoT are false.
 */
import { renderScene, type SceneGraph } from '@vrft/data';
import { type Claim } from '../../src/revise/claims.js';
import { type FrameSet } from '../../src/frame-source.js';

function framesNear(scene: SceneGraph, time: number | undefined, slack = 1): number[] {
  if (time === undefined) return scene.frames.map((f) => f.index);
  const centre = Math.min(scene.frameCount - 1, Math.max(0, Math.round(time * scene.fps)));
  const out: number[] = [];
  for (let i = centre - slack; i <= centre + slack; i += 1) if (i >= 0 && i < scene.frameCount) out.push(i);
  return out;
}

function visibleAs(scene: SceneGraph, frames: number[], colour: string, shape: string) {
  return frames.flatMap((f) =>
    (scene.frames[f]?.objects ?? []).filter(
      (o) => o.visible && o.colour === colour && scene.objects[o.id]?.shape === shape,
    ),
  );
}

/** Whether a claim is true of the scene. */
export function isClaimTrue(claim: Claim, scene: SceneGraph): boolean {
  switch (claim.kind) {
    case 'present':
      return visibleAs(scene, framesNear(scene, claim.time), claim.colour, claim.shape).length > 0;
    case 'turns':
      return scene.events.some(
        (e) =>
          e.kind === 'colour-change' &&
          e.from === claim.colour &&
          e.to === claim.to &&
          scene.objects[e.object]?.shape === claim.shape &&
          (claim.time === undefined || Math.abs(e.frame / scene.fps - claim.time) <= 0.75),
      );
    case 'moving': {
      const end = claim.time ?? (scene.frameCount - 1) / scene.fps;
      const start = claim.since ?? Math.max(0, end - 0.5);
      const from = Math.round(start * scene.fps);
      const to = Math.min(scene.frameCount - 1, Math.round(end * scene.fps));
      const a = visibleAs(scene, [from], claim.colour, claim.shape)[0];
      const b = a ? scene.frames[to]?.objects.find((o) => o.id === a.id) : undefined;
      if (!a || !b) return false;
      const measured = Math.atan2(-(b.y - a.y), b.x - a.x);
      const names = [
        'right',
        'up and to the right',
        'up',
        'up and to the left',
        'left',
        'down and to the left',
        'down',
        'down and to the right',
      ];
      const claimed = names.indexOf(claim.direction) * (Math.PI / 4);
      let gap = Math.abs(measured - claimed) % (2 * Math.PI);
      if (gap > Math.PI) gap = 2 * Math.PI - gap;
      return gap <= (40 * Math.PI) / 180;
    }
    case 'sign':
      return framesNear(scene, claim.time).some((f) => scene.frames[f]?.sign === claim.text);
    case 'counter':
      return framesNear(scene, claim.time).some((f) => scene.frames[f]?.counter === claim.value);
    case 'count': {
      const ids = new Set(
        scene.frames.flatMap((f) =>
          f.objects.filter((o) => o.visible && scene.objects[o.id]?.shape === claim.shape).map((o) => o.id),
        ),
      );
      return ids.size === claim.value;
    }
  }
}

/** The rendered frames of a scene as a frame set (what a clip without a video file gives). */
export function frameSetOfScene(scene: SceneGraph): FrameSet {
  return {
    frames: renderScene(scene),
    times: scene.frames.map((f) => f.index / scene.fps),
    fps: scene.fps,
    durationSec: scene.frameCount / scene.fps,
    width: scene.width,
    height: scene.height,
  };
}
