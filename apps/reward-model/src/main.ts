// The reward-model process. Run: node apps/reward-model/dist/main.js (after npm run build);
// configured by VRFT_* environment variables (docs/config.md).
import 'reflect-metadata';
import { runApp } from '@vrft/runtime';
import { rewardModelApp } from './app.js';

await runApp(rewardModelApp);
