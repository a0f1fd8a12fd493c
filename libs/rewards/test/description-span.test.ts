import { ZeroReason } from '@vrft/proto';
import { describe, expect, it } from 'vitest';
import { extractDescriptionSpan } from '../src/description-span.js';

const withThink = (think: string): string => `<think>${think}</think><answer>A</answer>`;

describe('extractDescriptionSpan', () => {
  it.each([
    [
      'plain',
      'The question asks about colour. The video shows a red ball rolling left. So A.',
      'The video shows a red ball rolling left.',
    ],
    ['decimal point before the first stop', 'Pi is 3.14 here. The clip shows a circle.', 'The clip shows a circle.'],
    ['bare fraction', 'It costs .5 dollars. A coin spins.', 'A coin spins.'],
    ['number at the end of a sentence', 'Count to 3. Then a dog barks.', 'Then a dog barks.'],
    ['e.g. before the first stop', 'Consider cues, e.g. colour and shape. A man walks in.', 'A man walks in.'],
    ['i.e. and etc.', 'Shapes, i.e. cubes, spheres, etc. are on a table. Two cubes move.', 'Two cubes move.'],
    ['dotted abbreviation U.S.', 'Made in the U.S. today. A flag waves.', 'A flag waves.'],
    ['listed abbreviation vs.', 'Red vs. blue matters. Blue wins.', 'Blue wins.'],
    ['three-dot ellipsis', 'Wait... let me think. The video shows a kite.', 'The video shows a kite.'],
    ['unicode ellipsis', 'Hmm… okay. Frames show a boat.', 'Frames show a boat.'],
    ['file name', 'Open clip.mp4 first. It shows rain.', 'It shows rain.'],
    ['closing quote after the stop', 'He says "go." The car moves.', 'The car moves.'],
    ['question marks are not full stops', 'Is it red? Yes. The ball is red.', 'The ball is red.'],
    ['last sentence without a stop', 'First. the video shows a lamp', 'the video shows a lamp'],
    ['newlines around the span', 'Question first.\n  A woman sings.\nThen...', 'A woman sings.'],
    ['ideographic full stop', '问题是颜色。视频显示红球。所以选A。', '视频显示红球。'],
    ['accents and emoji', 'Voilà. Un café ☕ fume sur la table. Fin.', 'Un café ☕ fume sur la table.'],
  ])('%s', (_name, think, span) => {
    expect(extractDescriptionSpan(withThink(think))).toEqual({ ok: true, text: span });
  });

  it('ignores full stops outside <think>', () => {
    expect(extractDescriptionSpan('Preface. <think>Q. Desc here.</think><answer>A. B.</answer>')).toEqual({
      ok: true,
      text: 'Desc here.',
    });
  });

  it("extent 'rest' runs to the end of <think>", () => {
    expect(extractDescriptionSpan(withThink('One. Two. Three'), { extent: 'rest' })).toEqual({
      ok: true,
      text: 'Two. Three',
    });
  });

  it('takes the abbreviation list from the options', () => {
    const think = 'See Fig. 2 now. A bird flies.';
    expect(extractDescriptionSpan(withThink(think))).toEqual({ ok: true, text: 'A bird flies.' });
    expect(extractDescriptionSpan(withThink(think), { abbreviations: [] })).toEqual({ ok: true, text: '2 now.' });
  });

  it('applies the truncate hook last', () => {
    const seen: string[] = [];
    const truncate = (text: string): string => {
      seen.push(text);
      return text.split(' ').slice(0, 3).join(' ');
    };
    const span = extractDescriptionSpan(withThink('Q. The video shows a red ball. A.'), { truncate });
    expect(seen).toEqual(['The video shows a red ball.']);
    expect(span).toEqual({ ok: true, text: 'The video shows' });
  });

  it.each([
    ['empty <think>', '<think></think><answer>A</answer>', ZeroReason.EMPTY_DESCRIPTION, 'empty <think>'],
    ['blank <think>', '<think> \n </think><answer>A</answer>', ZeroReason.EMPTY_DESCRIPTION, 'empty <think>'],
    ['no full stop', withThink('No full stop here'), ZeroReason.EMPTY_DESCRIPTION, 'no full stop in <think>'],
    ['only a decimal', withThink('It is 3.14'), ZeroReason.EMPTY_DESCRIPTION, 'no full stop in <think>'],
    [
      'nothing after the stop',
      withThink('One sentence. '),
      ZeroReason.EMPTY_DESCRIPTION,
      'nothing after the first full stop in <think>',
    ],
    ['no <think>', '<answer>A</answer>', ZeroReason.MISSING_TAGS, 'no <think> tag'],
    ['nested <think>', '<think>a. <think>b. c.</think>', ZeroReason.MALFORMED_TAGS, 'nested <think> tags'],
  ])('%s has no span', (_name, completion, reason, detail) => {
    expect(extractDescriptionSpan(completion)).toEqual({ ok: false, reason, detail });
  });

  it('reports a truncate hook that empties the span', () => {
    expect(extractDescriptionSpan(withThink('Q. Desc.'), { truncate: () => ' ' })).toMatchObject({
      ok: false,
      reason: ZeroReason.EMPTY_DESCRIPTION,
    });
  });
});
