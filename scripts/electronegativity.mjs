#!/usr/bin/env node
// Security scan of the Electron code with Doyensec's electronegativity: prints every finding, exits 1 on any HIGH or MEDIUM one.
//
// Why the programmatic API and not the CLI + a report file:
// - the CLI (`electronegativity -i src ...`) crashes in this project with "_commander2.default.version is not a function":
//   electronegativity 1.10.3 requires `commander` without declaring it, so it gets our commander 14, whose API differs;
// - of its two report formats, SARIF drops the severity (its `level` only says whether a manual review is needed), and
//   the CSV is written with two racing asynchronous writes (header 'w', rows 'a') after the run has already returned.
// `run()` (the package's `main`) returns the same issue objects those reports are made from, with severity and confidence.
//
// Suppressing a false positive: after reviewing the code, put `// eng-disable CHECK_ID` on the very line the finding points
// at (electronegativity's own inline syntax, which hides only that check on that line), with a comment above saying why.
// Never exclude a check for the whole scan here: AvailableSecurityFixesGlobalCheck is the only exclusion, because it
// downloads Electron's release list (no network in CI); keeping Electron patched is Dependabot/`npm outdated` work.
//
// Usage: node scripts/electronegativity.mjs [--input DIR]   (default: src)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const BLOCKING = new Set(['HIGH', 'MEDIUM']);
const SEVERITY_ORDER = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
const OFFLINE_EXCLUDED = ['AvailableSecurityFixesGlobalCheck'];

const { values } = parseArgs({ options: { input: { type: 'string', default: 'src' } } });
const input = resolve(root, values.input);
// The Electron the app ships (pinned in package.json), so version-specific checks apply to 45, not to a guess.
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

// electronegativity first tries to fetch fresh translations (hard 1 s timeout) and logs a line when it cannot: noise here.
const log = console.log;
console.log = (...args) => {
  if (String(args[0]).startsWith('Could not retrieve updated translations')) return;
  log(...args);
};
const run = require('@doyensec/electronegativity');
const started = Date.now();
let result;
try {
  result = await run({
    input,
    electronVersionOverride: electronVersion,
    excludeFromScan: OFFLINE_EXCLUDED,
    customScan: [],
    parserPlugins: [],
    isRelative: true,
  });
} finally {
  console.log = log;
}

// CSP_GLOBAL_CHECK only says "seems to be vulnerable": add the CSP evaluator's reasons so a reader can judge the finding.
const cspEvaluator = createRequire(require.resolve('@doyensec/electronegativity'))('@doyensec/csp-evaluator');
function cspReasons(policy) {
  try {
    const evaluated = new cspEvaluator.CspEvaluator(new cspEvaluator.CspParser(policy).csp, cspEvaluator.Version.CSP3).evaluate();
    return evaluated.filter((f) => f.severity < cspEvaluator.severities.INFO).map((f) => `${f.directive} ${f.value}: ${f.description}`);
  } catch {
    return [];
  }
}

const findings = result.issues
  .map((issue) => ({
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    id: issue.id,
    where: issue.file === 'N/A' ? '(whole app)' : `${issue.file}:${issue.location.line}:${issue.location.column + 1}`,
    review: issue.manualReview === true,
    description: [issue.description, ...(issue.id === 'CSP_GLOBAL_CHECK' && typeof issue.sample === 'string' ? cspReasons(issue.sample) : [])].join(' — '),
  }))
  .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.where.localeCompare(b.where));

const shown = relative(root, input) || '.';
const out = process.stdout;
out.write(`electronegativity ${require('@doyensec/electronegativity/package.json').version} on ${shown}/ for Electron ${electronVersion}: ` +
  `${result.atomicChecks} atomic + ${result.globalChecks} global checks (excluded: ${OFFLINE_EXCLUDED.join(', ')}), ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

if (findings.length > 0) {
  const widths = ['severity', 'confidence', 'id', 'where'].map((key) => Math.max(key.length, ...findings.map((f) => f[key].length)));
  const row = (cells) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell)).join('  ');
  out.write(`${row(['SEVERITY', 'CONFIDENCE', 'CHECK', 'WHERE', 'WHAT'])}\n`);
  for (const f of findings) out.write(`${row([f.severity, f.confidence, f.id, f.where, `${f.review ? '[review] ' : ''}${f.description}`])}\n`);
}

// A file it could not parse is a file it did not scan: that must not pass silently.
const unparsed = result.errors.filter((error) => !error.tolerable);
for (const error of result.errors) {
  out.write(`${error.tolerable ? 'parse warning' : 'NOT SCANNED'}: ${relative(root, error.file)}: ${error.message}\n`);
}

const blocking = findings.filter((f) => BLOCKING.has(f.severity));
if (blocking.length > 0 || unparsed.length > 0) {
  out.write(`\n✗ ${blocking.length} HIGH/MEDIUM finding(s), ${unparsed.length} file(s) not scanned. Fix the code; if a finding is a false ` +
    'positive, explain why in a comment and add `// eng-disable CHECK_ID` on that line (see the head of scripts/electronegativity.mjs).\n');
  process.exit(1);
}
out.write(`✓ no HIGH or MEDIUM findings${findings.length > 0 ? ` (${findings.length} LOW/INFORMATIONAL shown above)` : ''}\n`);
