#!/usr/bin/env node
// The `bank-api` command. A checked-in file rather than dist/serve.js itself, so installing the workspace before
// its first build can link the bin without warnings.
import '../dist/serve.js';
