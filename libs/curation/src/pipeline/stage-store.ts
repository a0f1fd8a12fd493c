/**
 * Append-only JSONL store of one stage's records, keyed by id. Each record is one line written
 * with a single write() on a file opened for appending and fsync'd before the promise resolves,
 * so after a kill the file holds whole records plus at most one torn last line. Opening the store
 * drops that torn tail (truncates the file back to the last newline) and loads the ids already
 * done; a restarted run skips them, so no sample is processed or written twice.
 */
import { type FileHandle, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StageStoreError } from '../errors.js';

/** One line of a stage file: a success with its value, or a failure with its reason. */
export type StageRecord<V> =
  | { id: string; ok: true; value: V; ms: number }
  | { id: string; ok: false; error: { name: string; message: string; kind?: string; attempts?: number }; ms: number };

/** What opening a store found. */
export interface StageStoreStats {
  /** Whole records read back. */
  records: number;
  /** Bytes of a torn last line that were dropped. */
  tornBytes: number;
}

/** An open stage store. Not shared between processes: one run owns its work directory. */
export class StageStore<V> {
  readonly path: string;
  readonly stats: StageStoreStats;
  private readonly records = new Map<string, StageRecord<V>>();
  private file: FileHandle | undefined;
  private chain: Promise<void> = Promise.resolve();

  private constructor(path: string, records: StageRecord<V>[], stats: StageStoreStats) {
    this.path = path;
    this.stats = stats;
    // A later record of an id (a retried failure) supersedes the earlier one.
    for (const record of records) this.records.set(record.id, record);
  }

  /** Opens (creating when missing) the store at `path`, dropping a torn last line. */
  static async open<V>(path: string): Promise<StageStore<V>> {
    await mkdir(dirname(path), { recursive: true });
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StageStoreError(path, 'cannot read', { cause: error });
      }
    }
    const { records, goodBytes } = parseStageText<V>(text, path);
    const totalBytes = Buffer.byteLength(text, 'utf8');
    if (goodBytes < totalBytes) await truncate(path, goodBytes);
    const store = new StageStore<V>(path, records, { records: records.length, tornBytes: totalBytes - goodBytes });
    store.file = await open(path, 'a');
    return store;
  }

  /** Whether `id` has a record (success or failure). */
  has(id: string): boolean {
    return this.records.has(id);
  }

  /** The latest record of `id`. */
  get(id: string): StageRecord<V> | undefined {
    return this.records.get(id);
  }

  /** Every latest record, in first-written order. */
  all(): StageRecord<V>[] {
    return [...this.records.values()];
  }

  /** Appends one record as one fsync'd line; resolves once it is on disk. */
  append(record: StageRecord<V>): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    // Writes are serialised so lines never interleave, even from concurrent workers.
    const next = this.chain.then(async () => {
      const file = this.file;
      if (file === undefined) throw new StageStoreError(this.path, 'store is closed');
      await file.write(line);
      await file.sync();
      this.records.set(record.id, record);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Waits for pending writes and closes the file. */
  async close(): Promise<void> {
    await this.chain;
    await this.file?.close();
    this.file = undefined;
  }
}

/**
 * Parses stage JSONL text: whole lines that hold a record with an id. A last line without its
 * newline, or one that is not JSON, is a torn write and ends the good part; a bad line before the
 * end means the file is not a stage store and throws.
 */
export function parseStageText<V>(text: string, path: string): { records: StageRecord<V>[]; goodBytes: number } {
  const records: StageRecord<V>[] = [];
  let goodBytes = 0;
  let start = 0;
  let lineNumber = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    lineNumber += 1;
    if (end === -1) break; // torn: no newline
    const line = text.slice(start, end);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      if (end === text.length - 1) break; // a torn line that happened to be followed by nothing
      throw new StageStoreError(path, `line ${lineNumber} is not JSON`, { cause });
    }
    if (!isStageRecord(value)) throw new StageStoreError(path, `line ${lineNumber} is not a stage record`);
    records.push(value as StageRecord<V>);
    goodBytes += Buffer.byteLength(line, 'utf8') + 1;
    start = end + 1;
  }
  return { records, goodBytes };
}

function isStageRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['id'] === 'string' && typeof v['ok'] === 'boolean';
}
