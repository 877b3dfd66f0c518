/** The CLI: argument parsing, and a real `tsx emulator/cli.ts` process printing its keys and serving the API. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { DEFAULT_KEYS } from '../../emulator';
import { parseArgs } from '../../emulator/cli';

test('parseArgs: keys, webhooks, secrets, latency', () => {
	const o = parseArgs(['--port', '0', '--key', 'k1:artisan', '--key', 'k2:CUSTOM', '--webhook', 'k1=http://x/h', '--webhook-secret', 'k1=s', '--latency', '50']);
	expect(o.port).toBe(0);
	expect(o.latencyMs).toBe(50);
	expect(o.keys).toEqual([
		{ key: 'k1', plan: 'ARTISAN', webhookUrl: 'http://x/h', webhookSecret: 's' },
		{ key: 'k2', plan: 'CUSTOM' },
	]);
	const d = parseArgs(['--webhook', 'MAESTRO=http://y']);
	expect(d.keys.map((k) => k.key)).toEqual(Object.values(DEFAULT_KEYS));
	expect(d.keys.find((k) => k.plan === 'MAESTRO')?.webhookUrl).toBe('http://y');
});

test('npm run emulator equivalent: prints the URL and one key per plan, serves /me', async () => {
	const root = path.join(__dirname, '..', '..');
	const child = spawn(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(root, 'emulator', 'cli.ts'), '--port', '0', '--latency', '10'], { cwd: root });
	try {
		let out = '';
		const url = await new Promise<string>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20000);
			child.stdout.on('data', (c) => {
				out += c.toString();
				const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
				if (m && out.includes('CUSTOM')) {
					clearTimeout(timer);
					resolve(m[1]);
				}
			});
			child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
		});
		for (const k of Object.values(DEFAULT_KEYS)) expect(out).toContain(k);
		const res = await fetch(`${url}/api/rest/v1/me`, { headers: { authorization: `Bearer ${DEFAULT_KEYS.MAESTRO}` } });
		expect(res.status).toBe(200);
	} finally {
		child.kill('SIGTERM');
	}
}, 30000);
