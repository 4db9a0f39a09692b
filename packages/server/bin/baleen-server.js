#!/usr/bin/env node
// A committed entry point, so npm can link the bin before the TypeScript is built.
import '../dist/cli.js';
