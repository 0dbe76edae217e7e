#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (the `prepare` script) and `npm start`.
import '../dist/cli/run.js';
