/**
 * A real n8n (1.x or 2.x) with the packed package, the emulator sending real callbacks to the Leonardo
 * Trigger (examples/trigger-store-outputs.json as the relay) and an await workflow:
 *   Webhook (POST /webhook/await-generate) → Leonardo Generate (Wait for Result: Webhook) → Write Files.
 * Used by test/e2e/await.v*.test.ts and bench/resume-latency.ts.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { startEmulator, type EmulatorHandle } from '../../emulator';
import {
	buildAndPack,
	loadExample,
	newUserFolder,
	startN8n,
	withParameters,
	type N8nFlavor,
	type N8nInstance,
	type WorkflowJson,
} from '../../scripts/n8n';
import { signMessage } from '../../nodes/shared/relay';

export const PHOENIX_ID = 'de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3';

export function awaitWorkflow(outDir: string): WorkflowJson {
	return {
		id: 'leoAwaitWebhk01',
		name: 'Await: generate, wait for the callback, write files',
		nodes: [
			{
				id: randomUUID(),
				name: 'Start',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'a0a0a0a0-0000-4000-8000-00000000a0a0',
				parameters: { httpMethod: 'POST', path: 'await-generate', responseMode: 'onReceived', options: {} },
			},
			{
				id: randomUUID(),
				name: 'Generate',
				type: 'n8n-nodes-leonardo.leonardo',
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					resource: 'image',
					operation: 'generate',
					apiVersion: 'v1',
					prompt: '={{ $json.body.prompt }}',
					modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
					sizeMode: 'aspectRatio',
					aspectRatio: '1:1',
					longSide: 512,
					numImages: 1,
					options: {},
					waitMode: 'webhook',
					webhookTimeoutMinutes: 10,
					download: true,
					binaryPropertyOutput: 'data',
				},
				credentials: {
					leonardoApi: { id: 'leonardoCred001', name: 'Leonardo' },
					leonardoWebhookApi: { id: 'leonardoHook001', name: 'Leonardo Webhook' },
				},
			},
			{
				id: randomUUID(),
				name: 'Write Files',
				type: 'n8n-nodes-base.readWriteFile',
				typeVersion: 1,
				position: [480, 0],
				parameters: {
					operation: 'write',
					fileName: `=${outDir}/{{ $json.generationId }}-{{ $json.index }}.png`,
					dataPropertyName: 'data',
					options: {},
				},
			},
		],
		connections: {
			Start: { main: [[{ node: 'Generate', type: 'main', index: 0 }]] },
			Generate: { main: [[{ node: 'Write Files', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

export interface AwaitLab {
	n8n: N8nInstance;
	emu: EmulatorHandle;
	key: string;
	secret: string;
	relayUrl: string;
	outDir: string;
	callbackDir: string;
	relayWorkflowId: string;
	awaitWorkflowId: string;
	/** Starts one await execution (production webhook); resolves with its execution id once it waits. */
	startAwait(prompt: string): Promise<{ executionId: string; generationId: string }>;
	execution(id: string): Promise<any>;
	waitStatus(id: string, statuses: string[], timeoutMs: number): Promise<any>;
	reconcileNow(): Promise<void>;
	stop(): Promise<void>;
}

export async function startAwaitLab(flavor: N8nFlavor, opts: { latencyMs?: number; log?: (l: string) => void } = {}): Promise<AwaitLab> {
	const tarball = buildAndPack({ log: opts.log });
	const work = newUserFolder(`await-${flavor}`);
	const outDir = path.join(work, 'out');
	const callbackDir = path.join(work, 'callbacks');
	fs.mkdirSync(outDir, { recursive: true });
	fs.mkdirSync(callbackDir, { recursive: true });
	const emu = await startEmulator({ port: 0, host: '127.0.0.1', latencyMs: opts.latencyMs ?? 300 });
	const n8n = await startN8n({ flavor, userFolder: path.join(work, 'n8n'), packages: [tarball], fileAccessDirs: [outDir, callbackDir] });
	const key = randomUUID();
	const secret = `whsec-${randomUUID()}`;
	const relayUrl = `${n8n.url.replace(/\/$/, '')}/webhook/leonardo-relay/callback`;
	emu.admin.addKey({ key, plan: 'MAESTRO', webhookUrl: relayUrl, webhookSecret: secret });
	await n8n.importCredentials([
		{ id: 'leonardoCred001', name: 'Leonardo', type: 'leonardoApi', data: { apiKey: key, plan: 'MAESTRO', baseUrl: emu.url } },
		{ id: 'leonardoHook001', name: 'Leonardo Webhook', type: 'leonardoWebhookApi', data: { callbackApiKey: secret, relayUrl } },
	]);
	const relay = withParameters(loadExample('trigger-store-outputs'), {
		'Leonardo Trigger': { options: { reconcileAfterSeconds: 5 } },
		'Store Output': { fileName: `=${callbackDir}/{{ $json.jobId }}-{{ $json.index }}.png` },
	});
	const awaitWf = awaitWorkflow(outDir);
	await n8n.importWorkflow([relay, awaitWf]);
	await n8n.activate(relay.id!);
	await n8n.activate(awaitWf.id!);
	const publicApi = (method: string, p: string) => n8n.rest.publicApi((n8n as unknown as { apiKey: string }).apiKey, method, p);
	const seen = new Set<string>();

	const execution = async (id: string) => await publicApi('GET', `/executions/${id}?includeData=true`);
	const findNewAwaitExecution = async (): Promise<string | undefined> => {
		for (let id = 1; id < 400; id++) {
			if (seen.has(String(id))) continue;
			let e: any;
			try {
				e = await publicApi('GET', `/executions/${id}`);
			} catch {
				continue;
			}
			if (!e?.id) continue;
			if (String(e.workflowId) !== awaitWf.id) {
				seen.add(String(id));
				continue;
			}
			seen.add(String(id));
			return String(id);
		}
		return undefined;
	};
	const waitStatus = async (id: string, statuses: string[], timeoutMs: number) => {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const e = await execution(id);
			if (statuses.includes(e.status)) return e;
			if (Date.now() > deadline) throw new Error(`execution ${id} is ${e.status}, expected ${statuses.join('/')}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	};
	const lab: AwaitLab = {
		n8n,
		emu,
		key,
		secret,
		relayUrl,
		outDir,
		callbackDir,
		relayWorkflowId: relay.id!,
		awaitWorkflowId: awaitWf.id!,
		async startAwait(prompt: string) {
			const before = emu.admin.requests({ key }).filter((r) => r.method === 'POST' && r.path.endsWith('/generations')).length;
			for (let attempt = 0; ; attempt++) {
				const res = await fetch(`${n8n.url.replace(/\/$/, '')}/webhook/await-generate`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ prompt }),
				});
				if (res.status !== 404 || attempt > 20) break;
				await new Promise((r) => setTimeout(r, 250));
			}
			let executionId: string | undefined;
			const deadline = Date.now() + 30_000;
			while (!executionId && Date.now() < deadline) {
				executionId = await findNewAwaitExecution();
				if (!executionId) await new Promise((r) => setTimeout(r, 100));
			}
			if (!executionId) throw new Error('await execution not found');
			const posts = () => emu.admin.requests({ key }).filter((r) => r.method === 'POST' && r.path.endsWith('/generations'));
			while (posts().length <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
			const ledger = emu.admin.ledger(key);
			const generationId = String(ledger[ledger.length - 1]?.jobId ?? "");
			return { executionId, generationId };
		},
		execution,
		waitStatus,
		async reconcileNow() {
			await fetch(relayUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(signMessage(secret, { action: 'reconcile', ts: Date.now() })),
			});
		},
		async stop() {
			await n8n.stop();
			await emu.stop();
		},
	};
	return lab;
}
