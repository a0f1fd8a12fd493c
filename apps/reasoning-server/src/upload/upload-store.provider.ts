import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@vrft/config';
import type { ReasoningServerConfig } from '../reasoning-server.config.js';
import { UploadStore } from './upload-store.js';

/** The app's upload store, with eviction of expired uploads every minute. */
@Injectable()
export class UploadStoreProvider extends UploadStore implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(APP_CONFIG) config: ReasoningServerConfig) {
    const { dir, maxUploadBytes, maxTotalBytes, ttlSeconds, maxConcurrentUploads } = config.uploads;
    super({ dir, maxUploadBytes, maxTotalBytes, ttlMs: ttlSeconds * 1000, maxConcurrentUploads });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.evict(), 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
