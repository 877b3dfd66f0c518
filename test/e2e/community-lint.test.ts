/**
 * n8n's verification scanner lints the published tarball (every .js file + package.json) with the community-node
 * rules and ignores inline eslint-disable comments. scripts/n8n/lint-tarball.mjs does the same on our `npm pack`.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { buildAndPack, REPO_ROOT } from '../../scripts/n8n';

test('the packed tarball passes the n8n community-node lint like the verification scanner runs it', () => {
	const tarball = buildAndPack();
	const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'n8n', 'lint-tarball.mjs'), tarball], {
		encoding: 'utf8',
		timeout: 180000,
	});
	if (r.status !== 0) throw new Error(`lint-tarball failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
	expect(r.stdout).toMatch(/lint-tarball: \d+ file\(s\) of .* clean/);
}, 240000);
