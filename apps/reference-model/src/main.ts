// The reference-model process. Run: node apps/reference-model/dist/main.js (after npm run build);
// configured by VRFT_* environment variables (docs/config.md).
import 'reflect-metadata';
import { runApp } from '@vrft/runtime';
import { referenceModelApp } from './app.js';

await runApp(referenceModelApp);
