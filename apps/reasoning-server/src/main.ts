// The reasoning-server process. Run: node apps/reasoning-server/dist/main.js (after npm run build);
// configured by VRFT_* environment variables (docs/config.md).
import 'reflect-metadata';
import { runApp } from '@vrft/runtime';
import { reasoningServerApp } from './app.js';

await runApp(reasoningServerApp);
