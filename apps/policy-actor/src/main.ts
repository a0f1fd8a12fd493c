// The policy-actor process. Run: node apps/policy-actor/dist/main.js (after npm run build);
// configured by VRFT_* environment variables (docs/config.md).
import 'reflect-metadata';
import { runApp } from '@vrft/runtime';
import { policyActorApp } from './app.js';

await runApp(policyActorApp);
