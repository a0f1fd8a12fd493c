/**
 * @vrft/curation — the CoT curation pipeline of method.md §2: describe a clip literally from its
 * pixels, draft a five-stage chain of thought from that description alone, revise the draft's
 * visual claims against the real frames, filter by answer accuracy; resumable, parallel, with
 * built-in stages and pluggable OpenAI-compatible endpoints.
 *
 * Run: `runCuration({ dataDir, outDir })` (or `vrft curate --data DIR --out DIR`).
 */
export {
  CurationOptionsError,
  RemoteModelError,
  StageError,
  StageStoreError,
  type RemoteFailureKind,
} from './errors.js';
export {
  CLIP_EVENT_KINDS,
  formatRepresentation,
  parseRepresentation,
  type ClipEvent,
  type ClipEventKind,
  type ClipRepresentation,
  type FrameDescription,
  type MotionNote,
  type SeenObject,
  type SeenText,
} from './representation.js';
export {
  DatasetFrameSource,
  frameAt,
  frameIndexAt,
  type DatasetFrameSourceOptions,
  type FrameSet,
  type FrameSource,
} from './frame-source.js';
export { findBlobs, classifyShape, nameColour, type BlobOptions, type PixelBlob } from './perception/pixel-blobs.js';
export { detectHud, readHud, type HudGeometry, type HudReading } from './perception/hud-text.js';
export {
  DEFAULT_PERCEPTION_OPTIONS,
  perceiveClip,
  sampleIndices,
  type PerceptionOptions,
} from './perception/perceive-clip.js';
export { DIRECTION_NAMES, directionOf, type DirectionName } from './perception/geometry-words.js';
export {
  parseQuestion,
  parseObjectRef,
  parseOptions,
  type ObjectRef,
  type OptionRef,
  type QuestionIntent,
} from './writer/question-intent.js';
export { collectClipFacts, type ClipFacts, type TrackFacts } from './writer/clip-facts.js';
export { DEFAULT_WRITER_OPTIONS, writeDraft, type BuiltinWriterOptions, type Draft } from './writer/write-draft.js';
export {
  extractClaims,
  joinSentences,
  splitSentences,
  type Claim,
  type ClaimSpan,
  type Sentences,
} from './revise/claims.js';
export {
  checkClaim,
  DEFAULT_CHECK_OPTIONS,
  FrameInspector,
  type ClaimCheckOptions,
  type Verdict,
} from './revise/check-claims.js';
export { describeClaim, reviseDraft, type ClaimReview, type Revision } from './revise/revise-draft.js';
export {
  ChatClient,
  parseChatClientOptions,
  readContent,
  type ChatClientOptions,
  type ChatClientStats,
  type ChatContentPart,
  type ChatMessage,
} from './remote/chat-client.js';
export { encodePng, pngDataUrl } from './remote/png.js';
export {
  DEFAULT_REMOTE_STAGE_OPTIONS,
  RemoteDescriber,
  RemoteReviser,
  RemoteWriter,
  frameParts,
  parseJsonAnswer,
  type RemoteStageOptions,
} from './remote/remote-stages.js';
export {
  BuiltinDescriber,
  BuiltinReviser,
  BuiltinWriter,
  type Describer,
  type Reviser,
  type Writer,
} from './pipeline/stages.js';
export { StageStore, parseStageText, type StageRecord, type StageStoreStats } from './pipeline/stage-store.js';
export {
  DEFAULT_FILTER_OPTIONS,
  filterSample,
  parseFilterOptions,
  type DropReason,
  type FilterOptions,
  type FilterVerdict,
} from './pipeline/filter.js';
export {
  parseCurateOptions,
  type CurateOptions,
  type CurateProgress,
  type CurateSettings,
  type StageBackend,
} from './pipeline/curate-options.js';
export { formatReportMarkdown, type CurationReport, type SampleFailure, type StageCounts } from './pipeline/report.js';
export { curationPaths } from './pipeline/curation-paths.js';
export { runCuration, sampleState, type CurationDependencies, type CurationStores } from './pipeline/run-curation.js';
