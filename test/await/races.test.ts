/**
 * Relay registry races found in review: several webhook waits in one execution (same execution id),
 * stale static-data copies, and the order of the relay's writes. Real WorkflowExecute + WebhookContext, the
 * emulator sending real callbacks over HTTP to the MiniN8n front.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import { startEmulator, type EmulatorHandle } from '../../emulator';
import { resetRelayCache } from '../../nodes/LeonardoTrigger/relay/registry';
import { signMessage } from '../../nodes/shared/relay';
import { shutdownHarness, type HarnessNode } from '../helpers/harness';
import { generateParams, setup, until } from './setup';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ port: 0, latencyMs: 150 });
});
afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});
beforeEach(() => resetRelayCache());

/** Start → First (wait: webhook) → Second (wait: webhook) → Done. */
function twoWaits(second: Record<string, unknown> = {}) {
	return {
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.noOp' },
			{ name: 'First', type: 'n8n-nodes-leonardo.leonardo', parameters: generateParams() as never },
			{ name: 'Second', type: 'n8n-nodes-leonardo.leonardo', parameters: generateParams({ prompt: 'second', ...second }) as never },
			{ name: 'Done', type: 'n8n-nodes-base.noOp' },
		] as HarnessNode[],
		connections: {
			Start: { main: [[{ node: 'First', type: 'main' as never, index: 0 }]] },
			First: { main: [[{ node: 'Second', type: 'main' as never, index: 0 }]] },
			Second: { main: [[{ node: 'Done', type: 'main' as never, index: 0 }]] },
		},
	};
}

describe('relay registry: several waits in one execution', () => {
	for (const flavor of ['v1', 'v2'] as const) {
		it(`${flavor}: the second wait of the same execution is resumed with its own job only`, async () => {
			const { mini, credentials } = await setup(emu, { flavor });
			try {
				const { id, result } = await mini.run({ ...twoWaits(), credentials, input: [{ json: { prompt: 'first' } }] });
				expect(result.status).toBe('waiting');
				const done = await mini.waitFinished(id);
				expect(done.status).toBe('success');
				const first = done.output('First');
				const second = done.output('Second');
				expect(first).toHaveLength(1);
				expect(second).toHaveLength(1);
				expect(second[0].json).toMatchObject({ status: 'COMPLETE' });
				expect(second[0].json.generationId).not.toBe(first[0].json.generationId);
				expect(done.output('Done')).toHaveLength(1);
			} finally {
				await mini.stop();
			}
		});
	}

	it('a stale static-data copy holding the tombstone of the first wait does not drop the second registration', async () => {
		const { mini, credentials } = await setup(emu, { latencyMs: 60_000 });
		try {
			const secret = credentials.leonardoWebhookApi.callbackApiKey;
			const { id, result } = await mini.run({ ...twoWaits(), credentials, input: [{ json: { prompt: 'first' } }] });
			emu.admin.finishJob(result.output('First')[0].json.generationId as string);
			const parked = await until(
				() => mini.waiting.get(id)?.run.data.resultData.lastNodeExecuted === 'Second' && mini.waiting.get(id),
				10_000,
				'the second wait',
			);
			const secondJob = parked.output('Second')[0].json.generationId as string;
			await emu.admin.webhooksIdle();
			type Stored = { 'node:Leonardo Trigger': { relay: { regs: Record<string, unknown>; done: Record<string, number> } } };
			const current = mini.store.data as unknown as Stored;
			expect(Object.keys(current['node:Leonardo Trigger'].relay.regs)).toEqual([id]);
			expect(Object.keys(current['node:Leonardo Trigger'].relay.done)).toHaveLength(1); // the first wait's tombstone
			// A relay call whose request loaded static data before the second registration was saved (n8n loads
			// the row when the request comes in): it holds the first wait's tombstone and no second registration.
			const stale = JSON.parse(JSON.stringify(current)) as Stored;
			delete stale['node:Leonardo Trigger'].relay.regs[id];
			mini.store.data = stale as never;
			await mini.relay(signMessage(secret, { action: 'reconcile', ts: Date.now() }) as never);
			expect(Object.keys((mini.store.data as unknown as Stored)['node:Leonardo Trigger'].relay.regs)).toEqual([id]);
			resetRelayCache(); // n8n restarts: only the saved static data remains
			emu.admin.finishJob(secondJob);
			const done = await mini.waitFinished(id);
			expect(done.output('Second')[0].json).toMatchObject({ generationId: secondJob, status: 'COMPLETE' });
			expect(done.output('Done')).toHaveLength(1);
		} finally {
			await mini.stop();
		}
	});
});

describe('relay registry: write order', () => {
	it('a callback that starts a run (slow output download) does not overwrite a registration saved meanwhile', async () => {
		// A CDN that answers only when told to: the trigger's download holds its webhook() call open.
		let release!: () => void;
		const released = new Promise<void>((resolve) => (release = resolve));
		let downloads = 0;
		const cdn = http.createServer((_req, res) => {
			downloads++;
			void released.then(() => {
				res.writeHead(200, { 'content-type': 'image/png' });
				res.end(Buffer.from('\x89PNG\r\n\x1a\nnot-really-a-png'));
			});
		});
		await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
		const cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
		const { mini, secret } = await setup(emu, { relay: { download: true } });
		try {
			const callback = {
				type: 'image_generation.complete',
				object: 'generation',
				timestamp: Date.now(),
				data: {
					object: {
						id: '0f0f0f0f-1111-4222-8333-444444444444',
						status: 'COMPLETE',
						images: [{ id: 'img-1', url: `${cdnUrl}/out.png` }],
					},
				},
			};
			// Nobody awaits that job: the trigger starts its own run and downloads the output first.
			const pendingCallback = mini.relay(callback as never, { authorization: `Bearer ${secret}` });
			await until(() => downloads > 0, 5000, 'the download to start');
			const register = await mini.relay(
				signMessage(secret, {
					action: 'register',
					ts: Date.now(),
					executionId: 'w1',
					resumeUrl: `${mini.url}/webhook-waiting/w1`,
					deadline: Date.now() + 60_000,
					jobs: [{ id: '0a0a0a0a-1111-4222-8333-444444444444', kind: 'generation', itemIndex: 0 }],
				}) as never,
			);
			expect(register.code).toBe(200);
			release();
			const answer = await pendingCallback;
			expect(answer.run?.status).toBe('success');
			// n8n 1.x saves the callback's static data after its webhook() returned: it must hold the registration.
			const regs = (mini.store.data['node:Leonardo Trigger'] as { relay: { regs: object } }).relay.regs;
			expect(Object.keys(regs)).toEqual(['w1']);
		} finally {
			release();
			await mini.stop();
			await new Promise<void>((resolve) => cdn.close(() => resolve()));
		}
	});
});

describe('resume when the result cannot be read', () => {
	it('an API error while reading a finished job resumes with an error item carrying its ID (never throws in webhook())', async () => {
		const { mini, credentials } = await setup(emu, { latencyMs: 60_000 });
		try {
			const wf = {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.noOp' },
					{ name: 'Leonardo', type: 'n8n-nodes-leonardo.leonardo', parameters: generateParams() as never },
					{ name: 'Done', type: 'n8n-nodes-base.noOp' },
				] as HarnessNode[],
				connections: {
					Start: { main: [[{ node: 'Leonardo', type: 'main' as never, index: 0 }]] },
					Leonardo: { main: [[{ node: 'Done', type: 'main' as never, index: 0 }]] },
				},
			};
			const { id, result } = await mini.run({ ...wf, credentials, input: [{ json: { prompt: 'a' } }, { json: { prompt: 'b' } }] });
			const [a, b] = result.output('Leonardo').map((item) => item.json.generationId as string);
			// Reading job a at resume time fails (a 4xx: not retried); job b is fine.
			emu.admin.setFaults({ serverErrors: { next: 1, match: `GET /generations/${a}`, status: 400 } });
			emu.admin.finishJob(a);
			emu.admin.finishJob(b);
			const done = await mini.waitFinished(id, 4000);
			expect(mini.resumeAnswers.map((r) => r.code)).toEqual([200]);
			const out = done.output('Done');
			expect(out.map((item) => item.json.generationId)).toEqual([a, b]);
			expect(out[0].json.status).not.toBe('COMPLETE');
			expect(String(out[0].json.error)).toContain(a);
			expect(out[0].binary).toBeUndefined();
			expect(out[1].json).toMatchObject({ generationId: b, status: 'COMPLETE' });
			expect(out[1].json.error).toBeUndefined();
		} finally {
			emu.admin.clearFaults();
			await mini.stop();
		}
	}, 10_000);
});

describe('continueOnFail with Wait for Result "Webhook"', () => {
	it('the error item of an item that failed before its job was created is still output after the resume', async () => {
		const { mini, credentials } = await setup(emu);
		try {
			const wf = {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.noOp' },
					{ name: 'Leonardo', type: 'n8n-nodes-leonardo.leonardo', parameters: generateParams() as never, onError: 'continueRegularOutput' },
					{ name: 'Done', type: 'n8n-nodes-base.noOp' },
				] as HarnessNode[],
				connections: {
					Start: { main: [[{ node: 'Leonardo', type: 'main' as never, index: 0 }]] },
					Leonardo: { main: [[{ node: 'Done', type: 'main' as never, index: 0 }]] },
				},
			};
			const { id, result } = await mini.run({
				...wf,
				credentials,
				input: [{ json: { prompt: 'one' } }, { json: { prompt: '' } }, { json: { prompt: 'three' } }],
			});
			expect(result.status).toBe('waiting');
			const parked = result.output('Leonardo');
			expect(parked).toHaveLength(3);
			expect(parked[1].json.error).toBeDefined();
			const done = await mini.waitFinished(id, 4000);
			const out = done.output('Done');
			expect(out).toHaveLength(3);
			expect(out[0].json).toMatchObject({ status: 'COMPLETE', generationId: parked[0].json.generationId });
			expect(out[1].json.error).toBe(parked[1].json.error);
			expect(out[1].binary).toBeUndefined();
			expect(out[2].json).toMatchObject({ status: 'COMPLETE', generationId: parked[2].json.generationId });
		} finally {
			await mini.stop();
		}
	}, 10_000);
});
