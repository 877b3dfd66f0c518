/**
 * Gets a real n8n installed outside the repo (cached) through scripts/ensure-n8n.sh, and describes how to run it.
 *
 *   const inst = await ensureN8n('v1')   // n8n 1.123.x on the system Node 20
 *   const inst = await ensureN8n('v2')   // n8n 2.41.x on Node 24 from the npm registry
 *
 * The first install takes 5-8 minutes; a progress line is printed every 20 s while it runs (the shell script
 * holds a flock, so concurrent callers wait for the same install instead of racing it).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export type N8nFlavor = 'v1' | 'v2';

export interface N8nInstall {
	flavor: N8nFlavor;
	/** folder that holds node_modules/n8n */
	dir: string;
	/** the node binary to run n8n with */
	nodeBin: string;
	/** node_modules/n8n/bin/n8n */
	n8nBin: string;
	/** n8n's version (from its package.json) */
	version: string;
	/** extra env required by this flavor (PATH with Node 24, npm_config_nodedir, ...) */
	env: Record<string, string>;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'ensure-n8n.sh');

export function cacheDir(): string {
	return process.env.N8N_LEONARDO_CACHE ?? path.join(process.env.HOME ?? '/root', '.cache', 'n8n-nodes-leonardo');
}

export interface EnsureOptions {
	/** called with human-readable progress lines (default: stderr with a prefix) */
	log?: (line: string) => void;
	/** interval of the "still installing" message in ms (default 20 s) */
	progressEveryMs?: number;
}

function describe(flavor: N8nFlavor, dir: string): N8nInstall {
	const n8nPkg = path.join(dir, 'node_modules', 'n8n', 'package.json');
	const version = JSON.parse(fs.readFileSync(n8nPkg, 'utf8')).version as string;
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (flavor === 'v1') {
		// the system Node 20 (the one running this script); N8N_V1_NODE overrides it
		return { flavor, dir, nodeBin: process.env.N8N_V1_NODE ?? process.execPath, n8nBin, version, env: {} };
	}
	const node24 = fs.realpathSync(path.join(dir, 'node24'));
	return {
		flavor,
		dir,
		nodeBin: path.join(node24, 'bin', 'node'),
		n8nBin,
		version,
		env: { PATH: `${path.join(node24, 'bin')}:${process.env.PATH ?? ''}`, npm_config_nodedir: node24 },
	};
}

/** Returns the install if it is already complete, without running the script. */
export function findInstalled(flavor: N8nFlavor): N8nInstall | undefined {
	if (!fs.existsSync(cacheDir())) return undefined;
	const prefix = flavor === 'v1' ? 'n8n-v1-' : 'n8n-v2-';
	const wanted =
		flavor === 'v1' ? process.env.N8N_V1_VERSION ?? '1.123.81' : process.env.N8N_V2_VERSION ?? '2.41.1';
	const dir = path.join(cacheDir(), prefix + wanted);
	if (fs.existsSync(path.join(dir, '.done'))) return describe(flavor, dir);
	return undefined;
}

export async function ensureN8n(flavor: N8nFlavor, opts: EnsureOptions = {}): Promise<N8nInstall> {
	const found = findInstalled(flavor);
	if (found) return found;
	const log = opts.log ?? ((l: string) => process.stderr.write(`[n8n ${flavor}] ${l}\n`));
	log(`n8n ${flavor} is not installed yet: installing it into ${cacheDir()} (first time only, 5-8 minutes)...`);
	const started = Date.now();
	const dir = await new Promise<string>((resolve, reject) => {
		const child = spawn('bash', [SCRIPT, flavor], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let errTail = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.stderr.on('data', (d: Buffer) => {
			const s = d.toString();
			errTail = (errTail + s).slice(-4000);
			for (const line of s.split('\n')) if (line.startsWith('[ensure-n8n]')) log(line.replace('[ensure-n8n] ', ''));
		});
		const timer = setInterval(
			() => log(`still installing n8n ${flavor}... ${Math.round((Date.now() - started) / 1000)} s`),
			opts.progressEveryMs ?? 20000,
		);
		child.on('error', (e) => {
			clearInterval(timer);
			reject(e);
		});
		child.on('close', (code) => {
			clearInterval(timer);
			if (code !== 0) return reject(new Error(`ensure-n8n.sh ${flavor} failed (exit ${code}):\n${errTail}`));
			const lines = out.trim().split('\n');
			resolve(lines[lines.length - 1].trim());
		});
	});
	log(`n8n ${flavor} ready in ${dir} (${Math.round((Date.now() - started) / 1000)} s)`);
	return describe(flavor, dir);
}
