/**
 * The run manifest (OUT/run.json): digests of the samples file and of every setting that decides
 * the stage outputs. A restarted run only reuses stage records made from the same samples with
 * the same settings; anything else would mix two runs' outputs, so it stops with an error naming
 * the work directory. `limit`, `concurrency` and `retryFailed` may change between runs.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { CurationOptionsError } from '../errors.js';
import { type CurateSettings } from './curate-options.js';

/** Content of run.json. */
export interface RunManifest {
  format: 'vrft-curation-run';
  version: 1;
  samplesPath: string;
  samplesDigest: string;
  settingsDigest: string;
  stages: { describer: string; writer: string; reviser: string };
}

function digest(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The manifest of a run over `samplesPath` with `settings` and these stage implementations. */
export async function buildRunManifest(
  samplesPath: string,
  settings: CurateSettings,
  stages: RunManifest['stages'],
): Promise<RunManifest> {
  const { similarity, ...filter } = settings.filter;
  const decisive = {
    stages,
    endpoint: settings.remote?.endpoint,
    model: settings.remote?.model,
    perception: settings.perception,
    writing: settings.writing,
    checking: settings.checking,
    remoteStages: settings.remoteStages,
    filter: { ...filter, similarity: similarity === undefined ? undefined : similarity.toString() },
    frames: settings.frames,
    maxFrames: settings.maxFrames,
  };
  return {
    format: 'vrft-curation-run',
    version: 1,
    samplesPath,
    samplesDigest: digest(await readFile(samplesPath)),
    settingsDigest: digest(JSON.stringify(decisive)),
    stages,
  };
}

/** Writes the manifest, or checks it against the one a previous run left; throws when they differ. */
export async function claimWorkDirectory(path: string, manifest: RunManifest): Promise<void> {
  let previous: RunManifest | undefined;
  try {
    previous = JSON.parse(await readFile(path, 'utf8')) as RunManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CurationOptionsError('outDir', `${path} is unreadable; delete it or use another directory`, {
        cause: error,
      });
    }
  }
  if (previous !== undefined) {
    if (previous.samplesDigest !== manifest.samplesDigest) {
      throw new CurationOptionsError(
        'outDir',
        `holds a run over other samples (${previous.samplesPath}); use another directory`,
      );
    }
    if (previous.settingsDigest !== manifest.settingsDigest) {
      throw new CurationOptionsError('outDir', 'holds a run made with other stage settings; use another directory');
    }
    return;
  }
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, path);
}
