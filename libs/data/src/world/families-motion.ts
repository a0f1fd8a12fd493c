/**
 * Motion and layout families: which way an object moves (direction), which moves fastest (speed),
 * how many times faster one is than another (regression), where one is relative to another
 * (spatial relation). Screen coordinates have y pointing down; "up" is −y.
 */
import { minRatio, type FamilyContext, type QuestionFamily } from './question-family.js';
import { buildChoice, capitalise, formatDecimal, nameObject } from './question-text.js';
import { type ObjectFacts } from './scene-facts.js';

/** The eight compass directions, counter-clockwise from "right" in 45° steps. */
export const DIRECTIONS = [
  'right',
  'up and to the right',
  'up',
  'up and to the left',
  'left',
  'down and to the left',
  'down',
  'down and to the right',
] as const;

/**
 * The net displacement of an object over its first stretch of straight motion: from its first
 * visible frame to the frame before its first bounce or collision, at most one second.
 */
export function firstStraightMove(
  facts: ObjectFacts,
  context: FamilyContext,
): { dx: number; dy: number; from: number; to: number } | undefined {
  const { scene } = context.facts;
  const from = facts.firstVisible;
  if (from === undefined) return undefined;
  const interrupt = scene.events.find(
    (e) =>
      e.frame > from &&
      ((e.kind === 'bounce' && e.object === facts.spec.id) ||
        (e.kind === 'collision' && e.objects.includes(facts.spec.id))),
  );
  let to = Math.min(from + Math.round(scene.fps), (interrupt?.frame ?? scene.frameCount) - 1, scene.frameCount - 1);
  while (to > from && !facts.states[to]?.visible) to -= 1;
  const a = facts.states[from];
  const b = facts.states[to];
  if (!a || !b || to - from < Math.max(2, Math.round(scene.fps / 4))) return undefined;
  return { dx: b.x - a.x, dy: b.y - a.y, from, to };
}

/** "Which way is the red circle moving when it first appears?" — 8 directions, clear-cut angles only. */
export const direction: QuestionFamily = {
  name: 'direction',
  skill: 'direction',
  problemType: 'multiple choice',
  write(context) {
    const { facts, rng, closeness } = context;
    // Allowed distance from a pure compass direction: 7.5° (easy) … 20° (hard).
    const tolerance = ((7.5 + 12.5 * closeness) * Math.PI) / 180;
    for (const target of rng.shuffle(facts.appeared)) {
      const move = firstStraightMove(target, context);
      if (!move || Math.hypot(move.dx, move.dy) < 3) continue;
      const angle = Math.atan2(-move.dy, move.dx); // counter-clockwise from right, y up
      const sector = Math.round(angle / (Math.PI / 4));
      if (Math.abs(angle - sector * (Math.PI / 4)) > tolerance) continue;
      const index = (sector + 8) % 8;
      const at = (offset: number): string => DIRECTIONS[(index + offset + 8) % 8] ?? 'right';
      // Opposite and perpendicular directions; close distractors add a 45° neighbour.
      const distractors = [at(4), at(2), at(-2)];
      if (closeness >= 0.5) distractors[rng.int(1, 2)] = at(rng.chance(0.5) ? 1 : -1);
      const choice = buildChoice(rng, capitalise(at(0)), distractors.map(capitalise));
      if (!choice) continue;
      const when = move.from === 0 ? 'at the start of the video' : 'when it first appears';
      return { problem: `Which way is ${nameObject(target, move.from)} moving ${when}?`, ...choice };
    }
    return undefined;
  },
};

function speedRanking(context: FamilyContext): ObjectFacts[] {
  return context.facts.appeared
    .filter((o) => o.meanSpeed !== undefined && o.visibleFrames >= 3)
    .sort((a, b) => (b.meanSpeed ?? 0) - (a.meanSpeed ?? 0));
}

/** "Which object moves fastest (slowest) on average?" — only when the winner leads by the minimum ratio. */
export const speedExtreme: QuestionFamily = {
  name: 'speed-extreme',
  skill: 'speed',
  problemType: 'multiple choice',
  write(context) {
    const { rng } = context;
    const ranked = speedRanking(context);
    if (ranked.length < 2) return undefined;
    const slowest = rng.chance(0.35);
    const order = slowest ? [...ranked].reverse() : ranked;
    const [winner, runnerUp] = order;
    if (!winner || !runnerUp) return undefined;
    const fast = slowest ? (runnerUp.meanSpeed ?? 0) : (winner.meanSpeed ?? 0);
    const slow = slowest ? (winner.meanSpeed ?? 0) : (runnerUp.meanSpeed ?? 0);
    if (fast < slow * minRatio(context)) return undefined;
    const choice = buildChoice(
      rng,
      capitalise(nameObject(winner)),
      order.slice(1).map((o) => capitalise(nameObject(o))),
    );
    const word = slowest ? 'slowest' : 'fastest';
    return choice && { problem: `Which object moves ${word} on average while it is visible?`, ...choice };
  },
};

/** "About how many times faster than B does A move?" — mean speeds, one decimal. */
export const speedRatio: QuestionFamily = {
  name: 'speed-ratio',
  skill: 'speed',
  problemType: 'regression',
  write(context) {
    const ranked = speedRanking(context);
    if (ranked.length < 2) return undefined;
    const pairs: [ObjectFacts, ObjectFacts][] = [];
    for (const [i, a] of ranked.entries()) {
      for (const b of ranked.slice(i + 1)) if ((a.meanSpeed ?? 0) >= 1.2 * (b.meanSpeed ?? 0)) pairs.push([a, b]);
    }
    if (pairs.length === 0) return undefined;
    const [fast, slow] = context.rng.pick(pairs);
    const ratio = (fast.meanSpeed ?? 0) / (slow.meanSpeed ?? 1);
    return {
      problem: `On average, how many times faster than ${nameObject(slow)} does ${nameObject(fast)} move?`,
      options: [],
      answer: formatDecimal(ratio, 1),
    };
  },
};

const RELATIONS = ['To its left', 'To its right', 'Above it', 'Below it'] as const;

/** "At the end of the video, where is A relative to B?" — one axis must dominate clearly. */
export const spatialRelation: QuestionFamily = {
  name: 'spatial-relation',
  skill: 'spatial relation',
  problemType: 'multiple choice',
  write(context) {
    const { facts, rng, closeness } = context;
    const atStart = rng.chance(0.3);
    const frame = atStart ? 0 : facts.scene.frameCount - 1;
    const visible = facts.objects.filter((o) => o.states[frame]?.visible);
    const dominance = 2.5 - 1.2 * closeness;
    for (const a of rng.shuffle(visible)) {
      for (const b of rng.shuffle(visible)) {
        const pa = a.states[frame];
        const pb = b.states[frame];
        if (a === b || !pa || !pb) continue;
        const dx = pa.x - pb.x;
        const dy = pa.y - pb.y;
        const [major, minor] = Math.abs(dx) >= Math.abs(dy) ? [dx, dy] : [dy, dx];
        if (Math.abs(major) < 4 || Math.abs(major) < dominance * Math.abs(minor)) continue;
        const relation =
          Math.abs(dx) >= Math.abs(dy) ? (dx < 0 ? RELATIONS[0] : RELATIONS[1]) : dy < 0 ? RELATIONS[2] : RELATIONS[3];
        const choice = buildChoice(
          rng,
          relation,
          RELATIONS.filter((r) => r !== relation),
        );
        if (!choice) continue;
        const when = atStart ? 'At the start of the video' : 'At the end of the video';
        return {
          problem: `${when}, where is ${nameObject(a, frame)} relative to ${nameObject(b, frame)}?`,
          ...choice,
        };
      }
    }
    return undefined;
  },
};
