#!/usr/bin/env node
// Launcher for the devmesh CLI: runs the TypeScript sources through tsx, so `npm run serve` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli.ts');
