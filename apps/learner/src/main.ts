// The learner process. Run: node apps/learner/dist/main.js (after npm run build);
// configured by VRFT_* environment variables (docs/config.md).
import 'reflect-metadata';
import { runApp } from '@vrft/runtime';
import { learnerApp } from './app.js';

await runApp(learnerApp);
