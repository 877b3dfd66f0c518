/**
 * Builds the package (`npm run build`) and packs it (`npm pack`) into <repo>/.tmp/pack/. The tarball is cached by a
 * hash of the sources that go into it, so several e2e test files in one run build only once.
 * LEONARDO_E2E_TARBALL=<path> uses a given tarball instead; after the first build it is set for the rest of the process,
 * so all e2e test files of one jest run test the same tarball even while the sources change.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './ensure';

function hashSources(): string {
	const h = crypto.createHash('sha256');
	const walk = (dir: string) => {
		if (!fs.existsSync(dir)) return;
		for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) walk(p);
			else {
				h.update(path.relative(REPO_ROOT, p));
				h.update(fs.readFileSync(p));
			}
		}
	};
	for (const d of ['nodes', 'credentials', 'icons']) walk(path.join(REPO_ROOT, d));
	for (const f of ['package.json', 'tsconfig.json', 'gulpfile.js']) {
		const p = path.join(REPO_ROOT, f);
		if (fs.existsSync(p)) h.update(fs.readFileSync(p));
	}
	return h.digest('hex').slice(0, 16);
}

export function buildAndPack(opts: { log?: (l: string) => void; force?: boolean } = {}): string {
	const log = opts.log ?? ((l: string) => process.stderr.write(`[pack] ${l}\n`));
	if (process.env.LEONARDO_E2E_TARBALL) return path.resolve(process.env.LEONARDO_E2E_TARBALL);
	const packDir = path.join(REPO_ROOT, '.tmp', 'pack');
	const hash = hashSources();
	const cached = path.join(packDir, `${hash}.tgz`);
	if (!opts.force && fs.existsSync(cached)) {
		log(`reusing ${path.relative(REPO_ROOT, cached)} (sources unchanged)`);
		process.env.LEONARDO_E2E_TARBALL = cached;
		return cached;
	}
	fs.mkdirSync(packDir, { recursive: true });
	const started = Date.now();
	log('npm run build ...');
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
	const out = execFileSync('npm', ['pack', '--pack-destination', packDir, '--silent'], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const name = out.trim().split('\n').pop()!.trim();
	fs.renameSync(path.join(packDir, name), cached);
	log(`built and packed ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	// the rest of this process (the next jest test files of a --runInBand run) uses this same tarball
	process.env.LEONARDO_E2E_TARBALL = cached;
	return cached;
}
