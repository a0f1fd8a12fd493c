/**
 * The special tokens the method needs. trainBpe gives them the first ids, in this order, so their
 * ids never move when the vocabulary is retrained:
 *
 * | id | role        | token       | use                                              |
 * | -- | ----------- | ----------- | ------------------------------------------------ |
 * | 0  | pad         | `<pad>`     | padding in batches                               |
 * | 1  | bos         | `<bos>`     | start of a sequence                              |
 * | 2  | eos         | `<eos>`     | end of a sequence; generation stops here         |
 * | 3  | video       | `<video>`   | placeholder the model replaces by visual tokens  |
 * | 4  | thinkStart  | `<think>`   | opens the reasoning                              |
 * | 5  | thinkEnd    | `</think>`  | closes the reasoning                             |
 * | 6  | answerStart | `<answer>`  | opens the final answer                           |
 * | 7  | answerEnd   | `</answer>` | closes the final answer                          |
 *
 * The 256 byte tokens follow (id 8 + byte value), then the learned merges.
 */
export const SPECIAL_TOKENS = {
  pad: '<pad>',
  bos: '<bos>',
  eos: '<eos>',
  video: '<video>',
  thinkStart: '<think>',
  thinkEnd: '</think>',
  answerStart: '<answer>',
  answerEnd: '</answer>',
} as const;

/** A role a special token plays. */
export type SpecialTokenRole = keyof typeof SPECIAL_TOKENS;

/** The default special tokens in id order (see SPECIAL_TOKENS). */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = Object.values(SPECIAL_TOKENS);

/** Which token content plays each role; tokenizers loaded from elsewhere may name them differently. */
export type SpecialTokenNames = Readonly<Record<SpecialTokenRole, string>>;
