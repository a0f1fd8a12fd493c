/**
 * Dataset formats of the method (Video-R1 / VideoRFT JSON and JSONL samples), their conversion to
 * the `Problem` contract, and the prompt template.
 */
export {
  CANONICAL_FIELD_ORDER,
  DATA_TYPES,
  PROBLEM_TYPE_NAMES,
  SAMPLE_FILE_FORMATS,
  SAMPLE_KINDS,
  type DataType,
  type EvalSample,
  type ProblemTypeName,
  type SampleFileFormat,
  type SampleKind,
  type SampleOf,
  type SftSample,
  type VideoSample,
} from './sample-format.js';
export {
  DataOptionsError,
  ProblemTypeError,
  SampleFormatError,
  SampleValidationError,
  formatIssue,
  type SampleIssue,
} from './errors.js';
export { extractAnswer, extractThink } from './answer-tags.js';
export { isValidSample, validateSample, type ValidateSampleOptions } from './sample-rules.js';
export { READ_DEFAULTS, WRITE_DEFAULTS, type ReadSamplesOptions, type WriteSamplesOptions } from './sample-options.js';
export { formatSamples, parseSamples } from './sample-text.js';
export { readSamples, streamSamples, writeSamples, type SampleSource } from './sample-files.js';
export { fromProblemType, resolveMediaUri, toProblem, toProblemType } from './problem-mapping.js';
export { DEFAULT_PROMPT_TEMPLATE, buildPrompt, type PromptProblem, type PromptTemplate } from './prompt-template.js';
export { questionCategory, sampleFromEvalRecord, type EvalRecordOptions } from './eval-sample.js';

// The synthetic video-reasoning benchmark (src/world): a seeded procedural world, its renderer,
// question families for the five problem types, and the dataset generator.
export { createRng, type Rng } from './world/prng.js';
export {
  ARENA_BACKGROUND,
  COLOUR_NAMES,
  PALETTE,
  SHAPE_NAMES,
  type ColourName,
  type Rgb,
  type ShapeName,
} from './world/palette.js';
export {
  DEFAULT_QUESTION_OPTIONS,
  DEFAULT_WORLD_OPTIONS,
  DIFFICULTIES,
  DIFFICULTY_PRESETS,
  parseSyntheticOptions,
  type Difficulty,
  type QuestionOptions,
  type SyntheticOptions,
  type SyntheticOptionsInput,
  type WorldOptions,
} from './world/world-options.js';
export {
  SCENE_GRAPH_VERSION,
  type EdgeName,
  type FrameScene,
  type HudLayout,
  type ObjectSpec,
  type ObjectState,
  type SceneGraph,
  type WorldEvent,
  type WorldEventKind,
} from './world/scene-graph.js';
export { simulateWorld } from './world/simulate.js';
export { renderFrame, renderScene, type WorldFrames } from './world/render.js';
export { FONT_CHARACTERS, GLYPH_HEIGHT, GLYPH_PITCH, GLYPH_WIDTH, drawText, measureText } from './world/bitmap-font.js';
export {
  readBitmapCharacters,
  readBitmapText,
  type ReadCharacter,
  type ReadTextOptions,
  type TextBox,
} from './world/text-reader.js';
export { collectSceneFacts, type ObjectFacts, type SceneFacts } from './world/scene-facts.js';
export {
  SKILLS,
  type FamilyContext,
  type QuestionFamily,
  type Skill,
  type WorldQuestion,
} from './world/question-family.js';
export { QUESTION_FAMILIES, findQuestionFamily } from './world/question-families.js';
export { selectFamilies, writeQuestionOfFamily, writeQuestions } from './world/question-writer.js';
export { describeScene } from './world/families-events.js';
export {
  SPLITS,
  SPLIT_SEED_RANGE,
  clipIdOf,
  clipSeedOf,
  parseSplit,
  problemIdOf,
  splitOfSeed,
  type SplitName,
} from './world/splits.js';
export { SYNTHETIC_DATA_SOURCE, clipPaths, generateClip, toVideoSamples, type WorldClip } from './world/world-clip.js';
export { SCENE_FILE_FORMAT, isSceneFile, type SceneFile } from './world/scene-file.js';
export {
  parseDatasetOptions,
  type DatasetSettings,
  type GenerateDatasetOptions,
  type GenerateProgress,
} from './world/dataset-options.js';
export { DatasetError, generateDataset, readSceneFile, type DatasetSummary } from './world/dataset-writer.js';
export { loadDatasetClip, type DatasetClip } from './world/dataset-reader.js';
export { DIRECTIONS } from './world/families-motion.js';
