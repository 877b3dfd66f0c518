/**
 * Installs a packed community package (.tgz from `npm pack`) into an n8n user folder the way n8n's own
 * community-package installer lays it out: <userFolder>/.n8n/nodes/node_modules/<name>, with the package's
 * dev/peer/optional dependencies stripped and its runtime dependencies (ours has none) installed, and the
 * package recorded in <userFolder>/.n8n/nodes/package.json. n8n loads it on the next start
 * (node types `<package>.<node>`, e.g. `n8n-nodes-leonardo.leonardo`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface InstalledPackage {
	name: string;
	version: string;
	dir: string;
}

export function installCommunityPackage(userFolder: string, tarball: string): InstalledPackage {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const staging = fs.mkdtempSync(path.join(userFolder, 'pkg-'));
	execFileSync('tar', ['-xzf', path.resolve(tarball), '-C', staging]);
	const src = path.join(staging, 'package');
	const pkgJsonPath = path.join(src, 'package.json');
	const pkg = JSON.parse(fs.readFileSync(pkgJsonPath, 'utf8'));
	const { name, version } = pkg as { name: string; version: string };
	if (!/^(@[^/]+\/)?n8n-nodes-/.test(name)) throw new Error(`${name} is not named like a community package (n8n-nodes-*)`);
	// what n8n's installer does after `npm pack`-ing a package: keep only the runtime dependencies
	delete pkg.devDependencies;
	delete pkg.peerDependencies;
	delete pkg.optionalDependencies;
	fs.writeFileSync(pkgJsonPath, JSON.stringify(pkg, null, 2));
	const dest = path.join(nodesDir, 'node_modules', name);
	fs.rmSync(dest, { recursive: true, force: true });
	fs.mkdirSync(path.dirname(dest), { recursive: true });
	fs.renameSync(src, dest);
	fs.rmSync(staging, { recursive: true, force: true });
	if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
		execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: dest,
			stdio: 'inherit',
		});
	}
	const nodesPkgPath = path.join(nodesDir, 'package.json');
	const nodesPkg = fs.existsSync(nodesPkgPath)
		? JSON.parse(fs.readFileSync(nodesPkgPath, 'utf8'))
		: { name: 'installed-nodes', private: true, dependencies: {} };
	nodesPkg.dependencies = { ...(nodesPkg.dependencies ?? {}), [name]: version };
	fs.writeFileSync(nodesPkgPath, JSON.stringify(nodesPkg, null, 2));
	return { name, version, dir: dest };
}
