// The tag conventions of the format: the first <answer>…</answer> (or <think>…</think>) block,
// content may span lines. Trimmed, as the accuracy reward compares trimmed text (method.md §4).
const ANSWER_BLOCK = /<answer>([\s\S]*?)<\/answer>/;
const THINK_BLOCK = /<think>([\s\S]*?)<\/think>/;

/** The trimmed text inside the first `<answer>…</answer>` of `text`, or `undefined` when there is none. */
export function extractAnswer(text: string): string | undefined {
  return ANSWER_BLOCK.exec(text)?.[1]?.trim();
}

/** The trimmed text inside the first `<think>…</think>` of `text`, or `undefined` when there is none. */
export function extractThink(text: string): string | undefined {
  return THINK_BLOCK.exec(text)?.[1]?.trim();
}

// "A. text" and "A) text" both occur in public files.
const OPTION_LETTER = /^\s*([A-Z])\s*[.)]/;

/** The letter an option starts with (`"B. a cat"` → `"B"`), or `undefined` when it has none. */
export function optionLetter(option: string): string | undefined {
  return OPTION_LETTER.exec(option)?.[1];
}

// Numbers as the numerical reward parses them once thousands commas are removed.
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether `text` reads as a number once commas are removed (`"1,250.5"` yes, `"about 3"` no). */
export function isNumberText(text: string): boolean {
  return NUMBER_TEXT.test(text.replaceAll(',', ''));
}
