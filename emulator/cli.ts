/**
 * npm run emulator -- [--port N] [--host H] [--key KEY:PLAN]... [--webhook KEY=URL]... [--webhook-secret KEY=SECRET]...
 *                     [--latency MS] [--training-latency MS] [--tokens KEY=N]... [--public-url URL]
 * Without --key: one key per plan (DEFAULT_KEYS).
 */
import { PLAN_IDS, isPlanId } from '../nodes/shared/plans';
import { DEFAULT_KEYS, defaultKeyOptions, startEmulator } from './index';
import type { KeyOptions } from './state';

function fail(msg: string): never {
	process.stderr.write(`emulator: ${msg}\n`);
	process.exit(2);
}

export function parseArgs(argv: string[]) {
	const keys: KeyOptions[] = [];
	const webhooks = new Map<string, string>();
	const secrets = new Map<string, string>();
	const tokens = new Map<string, number>();
	let port = 3789;
	let host = '127.0.0.1';
	let latencyMs: number | undefined;
	let trainingLatencyMs: number | undefined;
	let publicUrl: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.includes('=') && arg.startsWith('--') && !['--webhook', '--webhook-secret', '--tokens'].includes(arg.split('=')[0]) ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
		const pair = (v: string, sep: string) => {
			const at = v.indexOf(sep);
			if (at <= 0) fail(`${flag} expects KEY${sep}VALUE, got "${v}"`);
			return [v.slice(0, at), v.slice(at + 1)] as const;
		};
		switch (flag) {
			case '--port':
				port = Number(value());
				break;
			case '--host':
				host = value();
				break;
			case '--latency':
				latencyMs = Number(value());
				break;
			case '--training-latency':
				trainingLatencyMs = Number(value());
				break;
			case '--public-url':
				publicUrl = value();
				break;
			case '--key': {
				const v = value();
				const at = v.lastIndexOf(':');
				const key = at > 0 ? v.slice(0, at) : v;
				const plan = (at > 0 ? v.slice(at + 1) : 'MAESTRO').toUpperCase();
				if (!isPlanId(plan)) fail(`unknown plan "${plan}" (use ${PLAN_IDS.join(', ')})`);
				keys.push({ key, plan });
				break;
			}
			case '--webhook': {
				const [k, u] = pair(value(), '=');
				webhooks.set(k, u);
				break;
			}
			case '--webhook-secret': {
				const [k, s] = pair(value(), '=');
				secrets.set(k, s);
				break;
			}
			case '--tokens': {
				const [k, n] = pair(value(), '=');
				tokens.set(k, Number(n));
				break;
			}
			case '--help':
			case '-h':
				process.stdout.write(
					'Usage: npm run emulator -- [--port N] [--host H] [--key KEY:PLAN]... [--webhook KEY=URL]... [--webhook-secret KEY=SECRET]... [--latency MS] [--training-latency MS] [--tokens KEY=N]... [--public-url URL]\n',
				);
				process.exit(0);
				break;
			default:
				fail(`unknown option ${arg}`);
		}
	}
	const finalKeys = keys.length ? keys : defaultKeyOptions();
	const byName = (k: string) => {
		// allow the plan name as shorthand for the default key of that plan
		const up = k.toUpperCase();
		return isPlanId(up) && !finalKeys.some((x) => x.key === k) ? finalKeys.find((x) => x.plan === up)?.key ?? k : k;
	};
	for (const [k, u] of webhooks) {
		const key = finalKeys.find((x) => x.key === byName(k)) ?? fail(`--webhook for unknown key ${k}`);
		key.webhookUrl = u;
	}
	for (const [k, s] of secrets) {
		const key = finalKeys.find((x) => x.key === byName(k)) ?? fail(`--webhook-secret for unknown key ${k}`);
		key.webhookSecret = s;
	}
	for (const [k, n] of tokens) {
		const key = finalKeys.find((x) => x.key === byName(k)) ?? fail(`--tokens for unknown key ${k}`);
		key.tokens = n;
	}
	if (!Number.isInteger(port) || port < 0) fail('--port must be an integer >= 0');
	return { port, host, keys: finalKeys, latencyMs: latencyMs ?? 2000, trainingLatencyMs, publicUrl };
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	const emu = await startEmulator(opts);
	const lines = [
		`Leonardo API emulator listening on ${emu.url}`,
		`  credential Base URL : ${emu.url}`,
		`  API v1              : ${emu.url}/api/rest/v1`,
		`  API v2              : ${emu.url}/api/rest/v2`,
		`  admin               : ${emu.url}/_emulator/`,
		`  job latency         : ${opts.latencyMs} ms`,
		'  keys:',
		...emu.keys.map(
			(k) =>
				`    ${k.plan.padEnd(10)} ${k.key}${k.key === DEFAULT_KEYS[k.plan] ? ' (default)' : ''}${k.webhookUrl ? `  webhook -> ${k.webhookUrl}${k.webhookSecret ? ' (with callback key)' : ''}` : ''}`,
		),
	];
	process.stdout.write(lines.join('\n') + '\n');
	const shutdown = () => {
		void emu.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

if (require.main === module) void main();
