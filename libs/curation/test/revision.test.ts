import { describe, expect, it } from 'vitest';
import { extractThink, generateClip, parseSyntheticOptions, toVideoSamples } from '@vrft/data';
import { extractClaims, perceiveClip, reviseDraft, splitSentences, writeDraft } from '@vrft/curation';
import { frameSetOfScene, isClaimTrue } from './support/scene-oracle.js';

describe('cross-modal revision', () => {
  it('lowers the rate of false visual claims in drafts (scene graph as the oracle, in this test only)', () => {
    const options = parseSyntheticOptions({ difficulty: 'hard', questions: { questionsPerClip: 2 } });
    const before = { claims: 0, false: 0 };
    const after = { claims: 0, false: 0 };
    let rewritten = 0;
    for (let seed = 0; seed < 30; seed += 1) {
      const clip = generateClip('train', seed, options);
      const set = frameSetOfScene(clip.scene);
      const rep = perceiveClip(set);
      for (const sample of toVideoSamples(clip)) {
        const draft = writeDraft(sample, rep);
        const revision = reviseDraft(draft.text, set);
        rewritten += revision.claimsRevised;
        for (const [text, tally] of [
          [draft.text, before],
          [revision.text, after],
        ] as const) {
          for (const claim of extractClaims(splitSentences(extractThink(text) ?? ''))) {
            tally.claims += 1;
            if (!isClaimTrue(claim, clip.scene)) tally.false += 1;
          }
        }
        // The revision keeps the final answer.
        expect(revision.text.slice(revision.text.indexOf('</think>'))).toBe(
          draft.text.slice(draft.text.indexOf('</think>')),
        );
        expect(revision.claimsChecked).toBeGreaterThan(0);
      }
    }
    const rateBefore = before.false / before.claims;
    const rateAfter = after.false / after.claims;
    console.log(
      `revision: false-claim rate before ${(100 * rateBefore).toFixed(2)} % (${before.false}/${before.claims}), ` +
        `after ${(100 * rateAfter).toFixed(2)} % (${after.false}/${after.claims}); ${rewritten} claims rewritten`,
    );
    expect(before.false).toBeGreaterThan(0);
    expect(rateAfter).toBeLessThan(rateBefore);
  });

  it('rewrites a wrong colour, a wrong shape and a wrong sign reading, and drops an object that is not there', () => {
    const options = parseSyntheticOptions({});
    const clip = generateClip('train', 11, options);
    const set = frameSetOfScene(clip.scene);
    const first = clip.scene.frames[0];
    const object = first?.objects.find((o) => o.visible);
    const spec = object ? clip.scene.objects[object.id] : undefined;
    if (!first || !object || !spec) throw new Error('no visible object');
    const otherShape =
      ['circle', 'square', 'triangle', 'diamond'].find(
        (s) => s !== spec.shape && !clip.scene.objects.some((o) => o.shape === s && o.colour === object.colour),
      ) ?? 'circle';
    const absentColour = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'cyan', 'white'].find(
      (c) => !clip.scene.frames.some((f) => f.objects.some((o) => o.colour === c)),
    );
    const draft =
      `<think>At 0 s, the ${object.colour} ${otherShape} is near the middle. ` +
      `The sign at the top left reads "ZZZZ 0". ` +
      (absentColour ? `At 0 s, the ${absentColour} ${spec.shape} is at the top. ` : '') +
      `Nothing else happens.\n\nSo the answer follows.</think>\n<answer>A</answer>`;
    const revision = reviseDraft(draft, set);
    const think = extractThink(revision.text) ?? '';
    expect(think).toContain(`the ${object.colour} ${spec.shape} is near the middle`);
    expect(think).toContain(`reads "${first.sign}"`);
    if (absentColour) expect(think).not.toContain(absentColour);
    expect(revision.claimsRevised).toBe(absentColour ? 3 : 2);
    expect(revision.text.endsWith('<answer>A</answer>')).toBe(true);
  });
});
