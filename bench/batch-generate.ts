/**
 * Batch generation benchmark: our node vs the pattern the existing community node uses.
 *
 *   npx tsx bench/batch-generate.ts [--items 10] [--latency 3000]
 *
 * One run, same emulator, same plan key type (Artisan: 30 requests/min, 5 concurrent jobs), same job latency:
 *  - "leonardo node": Image → Generate with Wait: Poll and the image downloaded as binary, N input items,
 *    run through n8n-core's real WorkflowExecute (the engine n8n uses).
 *  - "peer pattern": what the weak community node does, modelled faithfully: items one after another,
 *    create, then a fixed 2 s status poll loop capped at 120 s, URL only (no binary download).
 * Prints wall time, requests per job, 429s seen, jobs charged, and the ratios (measured in this run).
 */
import * as path from 'path';

process.env.N8N_USER_FOLDER ??= path.join(__dirname, '..', '.n8n-test-home');
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ??= 'false';

import { randomUUID } from 'crypto';

import { startEmulator, type EmulatorHandle } from '../emulator';
import { runWorkflow, shutdownHarness } from '../test/helpers/harness';

const arg = (name: string, fallback: number) => {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = arg('items', 10);
const LATENCY_MS = arg('latency', 3000);
const PHOENIX_ID = 'de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3';

interface Figures {
	wallMs: number;
	requests: number;
	statusReads: number;
	rateLimited: number;
	jobsCharged: number;
	imagesWithBinary: number;
}

function figures(emu: EmulatorHandle, key: string, wallMs: number, imagesWithBinary: number): Figures {
	const requests = emu.admin.requests({ key });
	return {
		wallMs,
		requests: requests.length,
		statusReads: requests.filter((r) => r.method === 'GET' && r.path.includes('/generations/')).length,
		rateLimited: requests.filter((r) => r.status === 429).length,
		jobsCharged: emu.admin.ledger(key).length,
		imagesWithBinary,
	};
}

async function runNode(emu: EmulatorHandle): Promise<Figures> {
	const key = randomUUID();
	emu.admin.addKey({ key, plan: 'ARTISAN' });
	const started = Date.now();
	const result = await runWorkflow({
		nodes: [
			{
				name: 'Leonardo',
				type: 'n8n-nodes-leonardo.leonardo',
				parameters: {
					resource: 'image',
					operation: 'generate',
					prompt: '={{ $json.prompt }}',
					modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
					sizeMode: 'aspectRatio',
					aspectRatio: '1:1',
					numImages: 1,
					waitMode: 'poll',
				},
			},
		],
		credentials: { leonardoApi: { apiKey: key, plan: 'ARTISAN', baseUrl: emu.url } },
		input: Array.from({ length: ITEMS }, (_, i) => ({ json: { prompt: `benchmark scene number ${i}` } })),
	});
	const wallMs = Date.now() - started;
	if (result.error) throw new Error(`node run failed: ${result.error.message}`);
	const withBinary = result.output('Leonardo').filter((o) => o.binary?.data).length;
	return figures(emu, key, wallMs, withBinary);
}

/** The existing community node's behaviour: sequential items, 2 s poll loop capped at 120 s, URL only. */
async function runPeerPattern(emu: EmulatorHandle): Promise<Figures> {
	const key = randomUUID();
	emu.admin.addKey({ key, plan: 'ARTISAN' });
	const api = `${emu.url}/api/rest/v1`;
	const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
	const started = Date.now();
	for (let i = 0; i < ITEMS; i++) {
		const created = await fetch(`${api}/generations`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ prompt: `benchmark scene number ${i}`, modelId: PHOENIX_ID, width: 1024, height: 1024, num_images: 1 }),
		});
		const body = (await created.json()) as { sdGenerationJob?: { generationId: string } };
		const id = body.sdGenerationJob?.generationId;
		if (!id) continue; // the peer swallows errors
		const deadline = Date.now() + 120_000;
		while (Date.now() < deadline) {
			await new Promise((r) => setTimeout(r, 2000));
			const res = await fetch(`${api}/generations/${id}`, { headers });
			if (!res.ok) continue;
			const g = (await res.json()) as { generations_by_pk?: { status: string } };
			if (g.generations_by_pk?.status !== 'PENDING') break;
		}
	}
	return figures(emu, key, Date.now() - started, 0);
}

function row(name: string, f: Figures) {
	const perJob = (f.requests / ITEMS).toFixed(2);
	console.log(
		`${name.padEnd(16)} wall ${(f.wallMs / 1000).toFixed(1).padStart(6)} s   requests/job ${perJob.padStart(5)}   status reads ${String(f.statusReads).padStart(3)}   429s ${String(f.rateLimited).padStart(2)}   jobs charged ${f.jobsCharged}   images as binary ${f.imagesWithBinary}`,
	);
}

async function main() {
	const emu = await startEmulator({ port: 0, latencyMs: LATENCY_MS });
	try {
		console.log(`batch of ${ITEMS} items, 1 image each (1024x1024 Phoenix), job latency ${LATENCY_MS} ms, Artisan key (30 req/min, 5 concurrent)`);
		const node = await runNode(emu);
		const peer = await runPeerPattern(emu);
		row('leonardo node', node);
		row('peer pattern', peer);
		console.log(
			`ratio: wall time peer/node = ${(peer.wallMs / node.wallMs).toFixed(2)}x, requests per job node/peer = ${(node.requests / peer.requests).toFixed(2)}`,
		);
		console.log('(the node also downloads every image as n8n binary data; the peer pattern returns URLs only)');
	} finally {
		await emu.stop();
		await shutdownHarness();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
