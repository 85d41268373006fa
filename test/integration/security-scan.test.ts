// The electronegativity gate (scripts/electronegativity.mjs) really fails on HIGH/MEDIUM findings and unscannable files, and honours inline reviews.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';

interface ScanResult {
  code: number;
  output: string;
}

function scan(fixture: string): Promise<ScanResult> {
  const script = join(REPO_ROOT, 'scripts', 'electronegativity.mjs');
  return new Promise((resolve) => {
    execFile(process.execPath, [script, '--input', join('test', 'fixtures', 'electronegativity', fixture)], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: stdout + stderr });
    });
  });
}

describe('electronegativity gate', () => {
  // The three scans run at once: each spends most of its ~3 s parsing, so this keeps the file short.
  const results = Promise.all([scan('unsafe'), scan('reviewed'), scan('unparseable')]);

  it('fails on a window with Node integration and no isolation, naming the checks', async () => {
    const [unsafe] = await results;
    expect(unsafe.code).toBe(1);
    expect(unsafe.output).toMatch(/HIGH\s+\S+\s+CONTEXT_ISOLATION_JS_CHECK\s+main\.ts:4/);
    expect(unsafe.output).toMatch(/MEDIUM\s+\S+\s+SANDBOX_JS_CHECK/);
    expect(unsafe.output).toContain('HIGH/MEDIUM finding(s)');
  }, 60_000);

  it('passes a hardened window whose reviewed findings are suppressed on their line, still printing LOW ones', async () => {
    const [, reviewed] = await results;
    expect(reviewed.output).not.toContain('OPEN_EXTERNAL_JS_CHECK');
    expect(reviewed.output).not.toContain('PRELOAD_JS_CHECK');
    expect(reviewed.output).toMatch(/LOW\s+\S+\s+CSP_GLOBAL_CHECK\s+index\.html:4/);
    expect(reviewed.output).toContain('no HIGH or MEDIUM findings');
    expect(reviewed.code).toBe(0);
  }, 60_000);

  it('fails when a file cannot be parsed instead of skipping it', async () => {
    const [, , unparseable] = await results;
    expect(unparseable.code).toBe(1);
    expect(unparseable.output).toMatch(/NOT SCANNED: test\/fixtures\/electronegativity\/unparseable\/main\.ts/);
  }, 60_000);
});
