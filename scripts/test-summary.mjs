// Reads vitest's JSON report and prints the plain closing line "N passed, N failed, N skipped".
// With --fail-on-skip (CI) any skipped or todo test fails the run, naming it.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const failOnSkip = args.includes('--fail-on-skip');
const file = args.find((a) => !a.startsWith('--')) ?? 'test-results/vitest.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const skipped = [];
for (const suite of report.testResults ?? []) {
  for (const t of suite.assertionResults ?? []) {
    if (t.status === 'skipped' || t.status === 'pending' || t.status === 'todo') skipped.push(`${suite.name}: ${t.fullName}`);
  }
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
if (skipped.length > 0) {
  console.log(`skipped tests (${skipped.length}):`);
  for (const s of skipped) console.log(`  - ${s}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped.length} skipped`);
if (failed > 0 || report.success === false) process.exit(1);
if (failOnSkip && skipped.length > 0) {
  console.log('CI must run every test: install what the skipped suites name (see .ci/run) and run again.');
  process.exit(1);
}
if (passed === 0) {
  console.log('no test ran');
  process.exit(1);
}
