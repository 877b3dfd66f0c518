/**
 * `npm run demo`: the whole product on a real n8n, in one command.
 *
 *  1. builds the package (npm run build) and packs it (npm pack)
 *  2. starts the Leonardo API emulator (or uses Leonardo's cloud when LEONARDO_API_KEY is set) and a local SMTP server
 *  3. gets n8n 1.x (installed once into ~/.cache/n8n-nodes-leonardo, with progress messages) and starts it
 *  4. installs the tarball as a community package, imports a Leonardo credential, an SMTP credential and the demo
 *     workflow (examples/demo-character-story.json), and runs it with `n8n execute`
 *  5. prints where the outputs are: demo-output/images/*.png, demo-output/video/*.mp4, demo-output/mail/*.eml (+ the attachment)
 *  6. stops everything it started (also on failure and Ctrl+C)
 *
 * Options: --keep (leave n8n running to look at the workflow in the editor, until Ctrl+C), --n8n=v2 (n8n 2.x on Node 24).
 * Env: LEONARDO_API_KEY, LEONARDO_PLAN (default ARTISAN), LEONARDO_BASE_URL (default https://cloud.leonardo.ai).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
	buildAndPack,
	describeResult,
	ensureN8n,
	loadExample,
	mp4Size,
	OWNER,
	pngSize,
	REPO_ROOT,
	startN8n,
	withParameters,
	type N8nFlavor,
} from './n8n';
import { startSmtpServer } from './local-servers/smtp';

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const flavor: N8nFlavor = args.some((a) => a === '--n8n=v2' || a === '--v2') ? 'v2' : 'v1';
const OUT = path.join(REPO_ROOT, 'demo-output');

const say = (msg: string) => console.log(`[demo] ${msg}`);
const cleanups: Array<{ name: string; fn: () => Promise<void> }> = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
	cleaning ??= (async () => {
		for (const c of cleanups.reverse()) {
			try {
				await c.fn();
			} catch (e) {
				console.error(`[demo] could not stop ${c.name}: ${e}`);
			}
		}
	})();
	return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
	process.on(sig, () => {
		say(`${sig}: stopping everything the demo started...`);
		void cleanup().then(() => process.exit(130));
	});
}

async function main(): Promise<void> {
	const t0 = Date.now();
	const cloud = !!process.env.LEONARDO_API_KEY;

	// n8n install can take minutes the first time: start it now, in parallel with the build.
	const n8nReady = ensureN8n(flavor, { log: (l) => say(`n8n: ${l}`) });
	n8nReady.catch(() => undefined);

	say('building and packing the package...');
	const tarball = buildAndPack({ log: (l) => say(l) });
	say(`package: ${path.relative(REPO_ROOT, tarball)}`);

	let leonardo: { apiKey: string; plan: string; baseUrl: string };
	if (cloud) {
		leonardo = {
			apiKey: process.env.LEONARDO_API_KEY!,
			plan: process.env.LEONARDO_PLAN ?? 'ARTISAN',
			baseUrl: process.env.LEONARDO_BASE_URL ?? 'https://cloud.leonardo.ai',
		};
		say(`using Leonardo's cloud at ${leonardo.baseUrl} (plan ${leonardo.plan}): this spends real tokens`);
	} else {
		const { startEmulator, DEFAULT_KEYS } = await import('../emulator');
		const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
		cleanups.push({ name: 'emulator', fn: () => emu.stop() });
		leonardo = { apiKey: DEFAULT_KEYS.MAESTRO, plan: 'MAESTRO', baseUrl: emu.url };
		say(`Leonardo API emulator on ${emu.url} (MAESTRO key ${DEFAULT_KEYS.MAESTRO})`);
	}

	fs.rmSync(OUT, { recursive: true, force: true });
	for (const d of ['images', 'video', 'mail']) fs.mkdirSync(path.join(OUT, d), { recursive: true });
	const smtp = await startSmtpServer({ dir: path.join(OUT, 'mail') });
	cleanups.push({ name: 'SMTP server', fn: () => smtp.stop() });
	say(`local SMTP server on ${smtp.host}:${smtp.port} (saves what it receives to demo-output/mail/)`);

	await n8nReady;
	const n8n = await startN8n({
		flavor,
		packages: [tarball],
		fileAccessDirs: [OUT],
		log: (l) => say(`n8n: ${l}`),
	});
	cleanups.push({ name: 'n8n', fn: () => n8n.stop() });

	const types = await n8n.rest.nodeTypes();
	if (!types.some((t) => t.name === 'n8n-nodes-leonardo.leonardo')) {
		throw new Error(`n8n did not load the package (see ${n8n.logFile})`);
	}
	say('community package n8n-nodes-leonardo loaded by n8n');

	await n8n.importCredentials([
		{ id: 'leonardoDemo001', name: 'Leonardo', type: 'leonardoApi', data: leonardo },
		{ id: 'smtpDemo0000001', name: 'Local SMTP', type: 'smtp', data: smtp.credentialData() },
	]);
	const workflow = withParameters(loadExample('demo-character-story'), {
		'Save Images': {
			fileName: `=${path.join(OUT, 'images')}/{{ $json.generationId }}-{{ $json.index }}.png`,
		},
		'Save Clip': { fileName: `=${path.join(OUT, 'video')}/{{ $json.generationId }}.mp4` },
	});
	await n8n.importWorkflow(workflow);
	say(`imported the workflow "${workflow.name}"; running it with \`n8n execute\`...`);

	const result = await n8n.execute(workflow.id!);
	say(describeResult(result));
	if (result.status !== 'success') throw new Error('the demo workflow failed (see above)');

	const mail = await smtp.waitForMessage(undefined, 30000);

	say('');
	say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s. Outputs in ${path.relative(process.cwd(), OUT) || OUT}/:`);
	for (const dir of ['images', 'video']) {
		for (const f of fs.readdirSync(path.join(OUT, dir)).sort()) {
			const buf = fs.readFileSync(path.join(OUT, dir, f));
			let what = `${buf.length} bytes`;
			try {
				const { width, height } = f.endsWith('.mp4') ? mp4Size(buf) : pngSize(buf);
				what = `${f.endsWith('.mp4') ? 'MP4' : 'PNG'} ${width}x${height}, ${buf.length} bytes`;
			} catch (e) {
				what += ` (${e instanceof Error ? e.message : e})`;
			}
			say(`  ${dir}/${f}  (${what})`);
		}
	}
	say(`  mail/${path.basename(mail.emlFile)}  (email "${mail.subject}" to ${mail.to.join(', ')})`);
	for (const a of mail.attachments) say(`  mail/${path.basename(a.file)}  (attachment ${a.filename}, ${a.contentType}, ${a.size} bytes)`);

	if (keep) {
		say('');
		say(`n8n is still running: open ${n8n.url}/workflow/${workflow.id} and log in as ${OWNER.email} / ${OWNER.password}`);
		say('press Ctrl+C to stop everything');
		await new Promise(() => undefined);
	}
}

main()
	.then(() => cleanup())
	.then(() => process.exit(0))
	.catch(async (e) => {
		console.error(`[demo] FAILED: ${e instanceof Error ? e.message : e}`);
		await cleanup();
		process.exit(1);
	});
