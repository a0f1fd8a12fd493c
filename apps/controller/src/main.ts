// The controller process. Run: node apps/controller/dist/main.js (after npm run build);
// configured by VRFT_* environment variables (docs/config.md).
import 'reflect-metadata';
import { runApp } from '@vrft/runtime';
import { controllerApp } from './app.js';

await runApp(controllerApp);
