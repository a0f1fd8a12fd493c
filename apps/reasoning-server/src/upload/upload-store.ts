import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

/** Limits of the upload store (config section `uploads`). */
export interface UploadStoreOptions {
  /** Directory holding finished uploads (created if missing). */
  dir: string;
  /** Largest single upload in bytes. */
  maxUploadBytes: number;
  /** Most bytes held by all finished uploads together; the oldest are evicted first. */
  maxTotalBytes: number;
  /** Uploads older than this are deleted. */
  ttlMs: number;
  /** Uploads in progress at once; more are refused. */
  maxConcurrentUploads: number;
}

/** Why an upload was refused; `kind` decides the status code. */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  constructor(
    readonly kind: 'invalid' | 'too-large' | 'busy' | 'not-found' | 'digest-mismatch',
    message: string,
  ) {
    super(message);
  }
}

/** The header of an upload, as sent first on the stream. */
export interface UploadHeaderInfo {
  sizeBytes: number;
  sha256: string;
}

/** A finished upload. */
export interface StoredUpload {
  uploadId: string;
  sha256: string;
  sizeBytes: number;
}

const UPLOAD_ID = /^[0-9a-f]{64}$/;

/**
 * Finished uploads on disk, named by their SHA-256 (the same clip uploaded twice
 * is stored once), written through a temporary file and renamed when complete
 * and verified, so a cancelled or failed upload leaves nothing behind.
 */
export class UploadStore {
  private active = 0;

  constructor(private readonly options: UploadStoreOptions) {}

  /** Receives one upload: header first, then chunks. */
  async receive(
    header: UploadHeaderInfo,
    chunks: AsyncIterable<Uint8Array>,
    signal: AbortSignal,
  ): Promise<StoredUpload> {
    if (header.sizeBytes <= 0) throw new UploadError('invalid', 'header.size_bytes: must be > 0');
    if (header.sizeBytes > this.options.maxUploadBytes) {
      throw new UploadError(
        'too-large',
        `header.size_bytes: ${header.sizeBytes} exceeds the limit of ${this.options.maxUploadBytes} bytes`,
      );
    }
    if (header.sha256 !== '' && !UPLOAD_ID.test(header.sha256)) {
      throw new UploadError('invalid', 'header.sha256: expected 64 lower-case hex characters');
    }
    if (this.active >= this.options.maxConcurrentUploads) {
      throw new UploadError('busy', `too many uploads in progress (limit ${this.options.maxConcurrentUploads})`);
    }
    this.active += 1;
    await mkdir(this.options.dir, { recursive: true });
    const temp = join(this.options.dir, `.partial-${randomUUID()}`);
    try {
      const { sha256, size } = await this.writeChunks(temp, header.sizeBytes, chunks, signal);
      if (size !== header.sizeBytes) {
        throw new UploadError('invalid', `received ${size} bytes, header.size_bytes declared ${header.sizeBytes}`);
      }
      if (header.sha256 !== '' && header.sha256 !== sha256) {
        throw new UploadError(
          'digest-mismatch',
          `header.sha256 ${header.sha256} does not match the received bytes (${sha256})`,
        );
      }
      await rename(temp, join(this.options.dir, sha256));
      await this.evict();
      return { uploadId: sha256, sha256, sizeBytes: size };
    } finally {
      this.active -= 1;
      await rm(temp, { force: true });
    }
  }

  private async writeChunks(path: string, declared: number, chunks: AsyncIterable<Uint8Array>, signal: AbortSignal) {
    const hash = createHash('sha256');
    const file = createWriteStream(path, { flags: 'wx' });
    let size = 0;
    try {
      for await (const chunk of chunks) {
        if (signal.aborted) throw new UploadError('invalid', 'upload cancelled');
        size += chunk.byteLength;
        if (size > declared) throw new UploadError('invalid', `received more than the declared ${declared} bytes`);
        hash.update(chunk);
        if (!file.write(chunk)) await once(file, 'drain');
      }
    } finally {
      file.end();
      await once(file, 'close');
    }
    return { sha256: hash.digest('hex'), size };
  }

  /** The bytes of a finished upload. */
  async read(uploadId: string): Promise<Uint8Array> {
    if (!UPLOAD_ID.test(uploadId)) throw new UploadError('invalid', 'upload_id: not an id issued by UploadVideo');
    try {
      return await readFile(join(this.options.dir, uploadId));
    } catch {
      throw new UploadError('not-found', `upload_id ${uploadId}: no such upload (expired or never finished)`);
    }
  }

  /** Deletes expired uploads, then the oldest ones until the total fits. */
  async evict(now = Date.now()): Promise<number> {
    let entries: { path: string; size: number; mtime: number }[] = [];
    for (const name of await readdir(this.options.dir).catch(() => [])) {
      if (!UPLOAD_ID.test(name)) continue;
      const path = join(this.options.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info) entries.push({ path, size: info.size, mtime: info.mtimeMs });
    }
    let removed = 0;
    const expired = entries.filter((e) => now - e.mtime > this.options.ttlMs);
    entries = entries.filter((e) => now - e.mtime <= this.options.ttlMs).sort((a, b) => a.mtime - b.mtime);
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    const victims = [...expired];
    while (total > this.options.maxTotalBytes && entries.length > 0) {
      const oldest = entries.shift()!;
      total -= oldest.size;
      victims.push(oldest);
    }
    for (const victim of victims) {
      await rm(victim.path, { force: true });
      removed += 1;
    }
    return removed;
  }
}
