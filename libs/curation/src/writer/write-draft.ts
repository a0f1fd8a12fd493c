/**
 * The built-in CoT writer (method.md §2 step 2): from the clip's representation and the question
 * alone it writes a chain of thought through the five stages — browse the video, understand the
 * question, localise the relevant moments, reason visually, answer with a self-check — and ends
 * with the answer its observations imply. Wording varies with a seed per sample (several
 * phrasings per stage), and never mentions that it worked from a written description.
 */
import { createRng, type Rng, type VideoSample } from '@vrft/data';
import { type ClipRepresentation } from '../representation.js';
import { answerIntent, placeOf, type WorkedAnswer } from './answer-intent.js';
import { collectClipFacts, formatSeconds, nameTrack, type ClipFacts } from './clip-facts.js';
import { capitalise, hashString, say } from './phrases.js';
import { parseOptions, parseQuestion } from './question-intent.js';

/** A draft: the full completion text and what it was built from. */
export interface Draft {
  /** `<think>…</think>\n<answer>…</answer>`. */
  text: string;
  answer: string;
  /** The question family the writer recognised (`unknown` when none). */
  intent: string;
  writer: string;
}

/** Options of the built-in writer. */
export interface BuiltinWriterOptions {
  /** Mixed into each sample's seed; the same seed gives the same drafts. Default 0. */
  seed: number;
  /** Sampled moments mentioned while browsing (first, evenly spread, last). Default 4. */
  browseMoments: number;
}

/** Defaults of {@link BuiltinWriterOptions}. */
export const DEFAULT_WRITER_OPTIONS: Readonly<BuiltinWriterOptions> = { seed: 0, browseMoments: 4 };

/** Writes the draft CoT for one sample (see the file header). */
export function writeDraft(
  sample: Pick<VideoSample, 'problem_id' | 'problem' | 'options' | 'problem_type'>,
  rep: ClipRepresentation,
  options: BuiltinWriterOptions = DEFAULT_WRITER_OPTIONS,
): Draft {
  const rng = createRng(hashString(`${options.seed}:${String(sample.problem_id)}`), 7);
  const facts = collectClipFacts(rep);
  const intent = parseQuestion(sample.problem);
  const choices = parseOptions(sample.options);
  const worked = answerIntent(intent, facts, choices, rng);
  const paragraphs = [
    browse(facts, rng, options.browseMoments),
    understand(sample.problem, worked, rng),
    localise(worked, rng),
    reason(worked, rng),
    verify(worked, sample.problem_type, rng),
  ];
  const think = paragraphs.join('\n\n');
  return {
    text: `<think>${think}</think>\n<answer>${worked.answer}</answer>`,
    answer: worked.answer,
    intent: intent.kind,
    writer: 'builtin',
  };
}

function browse(facts: ClipFacts, rng: Rng, moments: number): string {
  const opening = say(rng, [
    'Let me watch the clip from the beginning.',
    'First, I will go through the video from start to finish.',
    'I will start by playing the whole video through once.',
    'Let me look over the video before focusing on the question.',
  ]);
  const frames = facts.rep.frames;
  const picked = new Set<number>();
  for (let i = 0; i < Math.min(moments, frames.length); i += 1) {
    picked.add(Math.round((i * (frames.length - 1)) / Math.max(1, moments - 1)));
  }
  const lines: string[] = [opening];
  for (const index of [...picked].sort((a, b) => a - b)) {
    const frame = frames[index];
    if (!frame) continue;
    const objects = frame.objects.filter((o) => !o.uncertain);
    const unclear = frame.objects.length - objects.length;
    const seen = objects.map((o) => `the ${o.colour} ${o.shape} is at the ${placeOf(o.x, o.y)}`);
    const lead = say(rng, [
      `At ${formatSeconds(frame.time)}`,
      `Around ${formatSeconds(frame.time)}`,
      `By ${formatSeconds(frame.time)}`,
    ]);
    let sentence = seen.length > 0 ? `${lead}, ${seen.join(', ')}.` : `${lead}, I cannot make out any object clearly.`;
    if (unclear > 0)
      sentence += say(rng, [
        ' There is also something I cannot make out well.',
        ' Another shape is too blurry to name.',
      ]);
    lines.push(sentence);
  }
  for (const event of facts.rep.events.slice(0, 4)) {
    if (event.uncertain) continue;
    const track = facts.tracks.find((t) => t.id === event.objects[0]);
    if (!track) continue;
    const name = nameTrack(track, event.time - facts.sampleInterval);
    if (event.kind === 'colour-change') {
      lines.push(`Around ${formatSeconds(event.time)}, ${name} turns ${event.detail.split(' to ').at(-1) ?? ''}.`);
    } else if (event.kind === 'enter')
      lines.push(`Around ${formatSeconds(event.time)}, ${name} comes in from the ${event.detail}.`);
    else if (event.kind === 'leave')
      lines.push(`Around ${formatSeconds(event.time)}, ${name} slips out on the ${event.detail} side.`);
  }
  const sign = facts.signReadings.find((r) => !r.uncertain);
  if (sign)
    lines.push(
      say(rng, [`The sign at the top left reads "${sign.text}".`, `Up at the top left, the sign says "${sign.text}".`]),
    );
  return lines.join(' ');
}

/**
 * Quotes the question before restating what it asks. Why: the browse paragraph sits between the
 * prompt and this one, and a small model copies a quoted line far more reliably than it maps a
 * distant question to its paraphrase; with the copy, every question token is also a training
 * target, so SFT cannot reach a low loss while ignoring the question (measured: without the quote,
 * 275 of 300 tiny-model completions restated every question as "read the sign").
 */
function understand(question: string, worked: WorkedAnswer, rng: Rng): string {
  const lead = say(rng, [
    'Now, the question:',
    'Next, what is being asked?',
    'Turning to the question:',
    'Now let me read the question carefully:',
  ]);
  return `${lead} "${question.trim()}" ${worked.understand}`;
}

function localise(worked: WorkedAnswer, rng: Rng): string {
  if (worked.moments.length === 0) {
    return say(rng, [
      'This needs the whole clip rather than a single moment.',
      'No single moment settles this; I have to keep the whole video in mind.',
    ]);
  }
  const times = [...new Set(worked.moments.map((t) => formatSeconds(t)))].slice(0, 4);
  return say(rng, [
    `The moments that matter are around ${times.join(', ')}.`,
    `I should look closely at ${times.join(', ')}.`,
    `The key parts of the video are near ${times.join(', ')}.`,
  ]);
}

function reason(worked: WorkedAnswer, rng: Rng): string {
  const lead = say(rng, [
    'Looking closely:',
    'Let me reason it through.',
    'Going step by step:',
    'Focusing on those moments:',
  ]);
  return [lead, ...worked.steps].join(' ');
}

function verify(worked: WorkedAnswer, problemType: string, rng: Rng): string {
  const lead = say(rng, [
    'Let me double-check.',
    'Before answering, a quick check.',
    'One more look to be sure.',
    'Checking my reasoning once more.',
  ]);
  // Every close states the answer, so <answer> copies the text just before it; a free-form close
  // that only pointed back ("I will give that account") left the tiny model answering a number.
  const close =
    problemType === 'free-form'
      ? say(rng, [`So my account is: ${worked.answer}`, `In short: ${worked.answer}`])
      : say(rng, [
          `So my answer is ${worked.answer}.`,
          `The answer is ${worked.answer}.`,
          `I am fairly confident: ${worked.answer}.`,
        ]);
  return `${lead} ${capitalise(worked.check)} ${close}`;
}
