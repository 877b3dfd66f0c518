#!/usr/bin/env node
/**
 * Lints a packed tarball the way n8n's verification scanner (@n8n/scan-community-package) lints the published npm
 * package: every **\/*.js file of the tarball plus its package.json, with the n8n community-node rules
 * (@n8n/eslint-plugin-community-nodes "recommended", as bundled with @n8n/node-cli) and inline
 * `eslint-disable` comments ignored (allowInlineConfig: false).
 *
 *   node scripts/n8n/lint-tarball.mjs <package.tgz>     exit 0 = clean, 1 = problems (printed), 2 = usage/setup error
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const tarball = process.argv[2];
if (!tarball || !fs.existsSync(tarball)) {
	console.error('usage: lint-tarball.mjs <package.tgz>');
	process.exit(2);
}
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const cliDir = path.join(repoRoot, 'node_modules', '@n8n', 'node-cli');
const requireFromCli = createRequire(path.join(cliDir, 'package.json'));
const { ESLint } = await import(requireFromCli.resolve('eslint'));
const communityPlugin = await import(requireFromCli.resolve('@n8n/eslint-plugin-community-nodes'));
const n8nNodesBase = requireFromCli('eslint-plugin-n8n-nodes-base');
const recommended = (communityPlugin.configs ?? communityPlugin.default.configs).recommended;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-tarball-'));
try {
	execFileSync('tar', ['-xzf', path.resolve(tarball), '-C', dir]);
	const root = path.join(dir, 'package');
	const pkgJsonParser = {
		// package.json as a JS expression, so the package.json rules can read its AST
		parseForESLint(code) {
			const espree = requireFromCli(requireFromCli.resolve('espree'));
			const ast = espree.parse(`(${code})`, { ecmaVersion: 'latest', range: true, loc: true, comment: true, tokens: true });
			return { ast };
		},
	};
	const eslint = new ESLint({
		cwd: root,
		overrideConfigFile: true,
		allowInlineConfig: false,
		overrideConfig: [
			{
				files: ['**/*.js'],
				languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs' },
				plugins: { ...recommended.plugins, 'n8n-nodes-base': n8nNodesBase },
				rules: { ...recommended.rules },
			},
			{
				files: ['package.json'],
				languageOptions: { parser: pkgJsonParser },
				plugins: { ...recommended.plugins, 'n8n-nodes-base': n8nNodesBase },
				rules: Object.fromEntries(
					Object.entries(n8nNodesBase.configs?.community?.rules ?? {}).filter(([r]) => r.startsWith('n8n-nodes-base/community-package-json')),
				),
			},
		],
	});
	const results = await eslint.lintFiles(['**/*.js', 'package.json']);
	const errors = results.reduce((n, r) => n + r.errorCount, 0);
	const files = results.length;
	if (errors > 0) {
		const formatter = await eslint.loadFormatter('stylish');
		console.log(await formatter.format(results));
		console.log(`lint-tarball: ${errors} error(s) in ${files} file(s)`);
		process.exit(1);
	}
	console.log(`lint-tarball: ${files} file(s) of ${path.basename(tarball)} clean (n8n community rules, inline disables ignored)`);
} finally {
	fs.rmSync(dir, { recursive: true, force: true });
}
