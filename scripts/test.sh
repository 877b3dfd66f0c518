#!/usr/bin/env bash
# The whole suite (`npm test`): build, n8n community lint, typecheck, unit + integration tests (emulator over
# real HTTP, n8n-core's real WorkflowExecute), then end-to-end tests in real n8n 1.x and 2.x processes and the
# editor in headless Chromium. Prints one summary line "Tests: N passed, N failed" at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
status=0
step() { echo; echo "=== $*"; }

step "build (tsc + icons)"
npm run -s build || status=1

step "lint (n8n community rules)"
npm run -s lint || status=1

step "typecheck (nodes, emulator, tests, scripts)"
npx tsc -p tsconfig.dev.json || status=1

step "unit + integration tests"
npx jest --selectProjects unit --json --outputFile=.tmp/jest-unit.json || status=1

if [ "${LEONARDO_SKIP_E2E:-}" = "1" ]; then
	echo "LEONARDO_SKIP_E2E=1: end-to-end tests not run"
	rm -f .tmp/jest-e2e.json
else
	step "end-to-end tests (real n8n 1.x and 2.x, editor in Chromium)"
	npx jest --selectProjects e2e --runInBand --json --outputFile=.tmp/jest-e2e.json || status=1
fi

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of [".tmp/jest-unit.json", ".tmp/jest-e2e.json"]) {
  if (!fs.existsSync(f)) continue;
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  skipped += r.numPendingTests + r.numTodoTests;
}
console.log("");
console.log(`Tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
exit $status
