/**
 * Wait for Result "Webhook" / Job → Await (webhook) end to end inside jest: real WorkflowExecute, real
 * WebhookContext, the emulator sending real callbacks over HTTP to a MiniN8n front that runs the Leonardo
 * Trigger (relay) and the waiting-webhook route.
 */
import { startEmulator, type EmulatorHandle } from '../../emulator';
import { resetRelayCache } from '../../nodes/LeonardoTrigger/relay/registry';
import { signMessage } from '../../nodes/shared/relay';
import { binaryBuffer, runWorkflow, shutdownHarness } from '../helpers/harness';
import { pngItems } from '../lora/images';
import { awaitWorkflow, generateParams, setup, until } from './setup';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ port: 0, latencyMs: 150 });
});
afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});
beforeEach(() => resetRelayCache());

const pngOf = async (item: Parameters<typeof binaryBuffer>[0]) => (await binaryBuffer(item, 'data')).subarray(1, 4).toString('ascii');

describe('Generate with Wait for Result "Webhook"', () => {
	it('parks the execution, resumes on the callback and outputs images with binary and pairedItem', async () => {
		const { mini, credentials } = await setup(emu);
		try {
			const wf = awaitWorkflow(generateParams({ numImages: 2 }));
			const { id, result } = await mini.run({ ...wf, credentials, input: [{ json: { prompt: 'a red fox' } }] });
			expect(result.error).toBeUndefined();
			expect(result.status).toBe('waiting');
			expect(result.waitTill!.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
			const done = await mini.waitFinished(id);
			expect(done.status).toBe('success');
			const out = done.output('Leonardo');
			expect(done.output('Done')).toHaveLength(2);
			expect(out).toHaveLength(2);
			for (const item of out) {
				expect(item.json).toMatchObject({ status: 'COMPLETE', plan: 'Maestro' });
				// n8n-core re-pairs a resumed (disabled) node's output to the webhook data itself: only presence is ours.
				expect(item.pairedItem).toBeDefined();
				expect(await pngOf(item)).toBe('PNG');
			}
			expect(mini.triggerRuns).toHaveLength(0); // startRunsFor: notAwaited
			expect(mini.resumeAnswers.map((a) => a.code)).toEqual([200]);
			// The relay cleaned up (saved when its callback request ends): no registration left, a tombstone instead.
			await until(() => mini.relayAnswers.length >= 2, 5000, 'callback answer');
			const relay = mini.store.data['node:Leonardo Trigger'] as { relay: { regs: object; done: object } };
			expect(Object.keys(relay.relay.regs)).toHaveLength(0);
			expect(Object.keys(relay.relay.done)).toEqual([expect.stringMatching(new RegExp(`^${id}@`))]);
		} finally {
			await mini.stop();
		}
	});

	it('several items: ONE registration, resumes only when all jobs are done', async () => {
		const { mini, credentials, key } = await setup(emu, { latencyMs: 60_000 });
		try {
			const wf = awaitWorkflow(generateParams());
			const { id, result } = await mini.run({
				...wf,
				credentials,
				input: [{ json: { prompt: 'one' } }, { json: { prompt: 'two' } }, { json: { prompt: 'three' } }],
			});
			expect(result.status).toBe('waiting');
			const pending = result.output('Leonardo');
			expect(pending).toHaveLength(3);
			const ids = pending.map((p) => p.json.generationId as string);
			const registers = emu.admin.requests({ key }).length; // (requests to Leonardo only)
			expect(registers).toBeGreaterThanOrEqual(3);
			emu.admin.finishJob(ids[2]);
			emu.admin.finishJob(ids[0]);
			await emu.admin.webhooksIdle();
			expect(mini.waiting.has(id)).toBe(true);
			expect(mini.resumeAnswers).toHaveLength(0);
			emu.admin.finishJob(ids[1], 'FAILED');
			const done = await mini.waitFinished(id);
			const out = done.output('Leonardo');
			expect(done.output('Done')).toHaveLength(3);
			expect(out.map((o) => o.json.generationId)).toEqual(ids); // input order kept
			expect(out[0].json).toMatchObject({ status: 'COMPLETE', generationId: ids[0] });
			expect(out[2].json).toMatchObject({ status: 'COMPLETE', generationId: ids[2] });
			// A failed job never looks like a success.
			expect(out[1].json).toMatchObject({ status: 'FAILED', generationId: ids[1] });
			expect(String(out[1].json.error)).toContain(ids[1]);
			expect(out[1].binary).toBeUndefined();
		} finally {
			await mini.stop();
		}
	});

	it('a duplicate callback does not resume twice and causes no error', async () => {
		const { mini, credentials } = await setup(emu);
		try {
			emu.admin.setFaults({ webhook: { duplicate: 1 } });
			const { id } = await mini.run({ ...awaitWorkflow(generateParams()), credentials, input: [{ json: { prompt: 'dup' } }] });
			const done = await mini.waitFinished(id);
			await emu.admin.webhooksIdle();
			expect(done.status).toBe('success');
			expect(mini.relayAnswers.filter((a) => a.code === 200).length).toBeGreaterThanOrEqual(3); // register + 2 callbacks
			expect(mini.relayAnswers.every((a) => a.code === 200)).toBe(true);
			expect(mini.resumeAnswers.filter((a) => a.code === 200)).toHaveLength(1);
			expect(done.output('Done')).toHaveLength(1);
		} finally {
			emu.admin.clearFaults();
			await mini.stop();
		}
	});

	it('a callback that arrives before the execution is parked (409 running) is retried', async () => {
		const { mini, credentials } = await setup(emu, { latencyMs: 20 });
		try {
			mini.parkDelayMs = 400;
			const { id } = await mini.run({ ...awaitWorkflow(generateParams()), credentials, input: [{ json: { prompt: 'fast' } }] });
			const done = await mini.waitFinished(id);
			expect(done.status).toBe('success');
			expect(mini.resumeAnswers.some((a) => a.code === 409)).toBe(true);
			expect(mini.resumeAnswers.filter((a) => a.code === 200)).toHaveLength(1);
		} finally {
			await mini.stop();
		}
	});

	it('a job finished before the Await registers (early callback): outputs at once, no waiting', async () => {
		const { mini, credentials } = await setup(emu, { relay: { startRunsFor: 'none' } });
		try {
			const gen = await runWorkflow({
				nodes: [{ name: 'Leonardo', type: 'n8n-nodes-leonardo.leonardo', parameters: generateParams({ waitMode: 'none' }) as never }],
				credentials,
				input: [{ json: { prompt: 'early' } }],
			});
			const generationId = gen.output('Leonardo')[0].json.generationId as string;
			await until(() => mini.relayAnswers.length >= 1, 5000, 'callback');
			const { result } = await mini.run({
				...awaitWorkflow({ resource: 'job', operation: 'await', jobIds: generationId, waitMode: 'webhook', webhookTimeoutMinutes: 5 }),
				credentials,
			});
			expect(result.error).toBeUndefined();
			expect(result.status).toBe('success');
			const [item] = result.output('Done');
			expect(item.json).toMatchObject({ generationId, status: 'COMPLETE' });
			expect(await pngOf(item)).toBe('PNG');
		} finally {
			await mini.stop();
		}
	});

	it('a forged resume request is refused with 401 and resumes nothing; the real one still works', async () => {
		const { mini, credentials, key } = await setup(emu, { latencyMs: 60_000 });
		try {
			const { id, result } = await mini.run({ ...awaitWorkflow(generateParams()), credentials, input: [{ json: { prompt: 'x' } }] });
			const generationId = result.output('Leonardo')[0].json.generationId as string;
			const jobs = [{ id: generationId, kind: 'generation' as const, itemIndex: 0, status: 'COMPLETE' as const }];
			const post = async (body: unknown) =>
				await fetch(`${mini.url}/webhook-waiting/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
			const forged = [
				{ jobId: generationId, status: 'COMPLETE' },
				signMessage('not-the-secret', { action: 'resume', ts: Date.now(), executionId: id, jobs }),
				signMessage(credentials.leonardoWebhookApi.callbackApiKey, { action: 'resume', ts: Date.now(), executionId: 'other', jobs }),
				signMessage(credentials.leonardoWebhookApi.callbackApiKey, { action: 'resume', ts: Date.now() - 3_600_000, executionId: id, jobs }),
				// a genuine resume of another Leonardo node's wait in the same execution (replayed into this one)
				signMessage(credentials.leonardoWebhookApi.callbackApiKey, { action: 'resume', ts: Date.now(), executionId: id, jobs, node: 'Another Leonardo' }),
			];
			for (const body of forged) {
				const res = await post(body);
				expect(res.status).toBe(401);
			}
			expect(mini.waiting.has(id)).toBe(true);
			expect(emu.admin.requests({ key }).filter((r) => r.method === 'GET').length).toBe(0);
			emu.admin.finishJob(generationId);
			const done = await mini.waitFinished(id);
			expect(done.output('Done')[0].json).toMatchObject({ generationId, status: 'COMPLETE' });
		} finally {
			await mini.stop();
		}
	});
});

describe('fallback: lost callback, deadline, restart', () => {
	it('a dropped callback: the reconcile reads the real state from the API and resumes', async () => {
		const { mini, credentials } = await setup(emu, { relay: { options: { reconcileAfterSeconds: 0 } } });
		try {
			emu.admin.setFaults({ webhook: { drop: 1 } });
			const { id } = await mini.run({ ...awaitWorkflow(generateParams()), credentials, input: [{ json: { prompt: 'lost' } }] });
			await new Promise((r) => setTimeout(r, 500));
			await emu.admin.webhooksIdle();
			expect(mini.waiting.has(id)).toBe(true);
			const secret = credentials.leonardoWebhookApi.callbackApiKey;
			const answer = await mini.relay(signMessage(secret, { action: 'reconcile', ts: Date.now() }) as never);
			expect(answer.code).toBe(200);
			const done = await mini.waitFinished(id);
			expect(done.output('Done')[0].json).toMatchObject({ status: 'COMPLETE' });
			expect(await pngOf(done.output('Done')[0])).toBe('PNG');
		} finally {
			emu.admin.clearFaults();
			await mini.stop();
		}
	});

	it('LoRA training (no callback from Leonardo) is awaited durably: the reconcile poll reads GET /elements/{id}', async () => {
		const { mini, credentials, key } = await setup(emu, { relay: { options: { reconcileAfterSeconds: 0 } } });
		try {
			emu.admin.setLatency({ key, trainingMs: 300 });
			const wf = awaitWorkflow({
				resource: 'lora',
				operation: 'train',
				name: 'Durable Style',
				focus: 'Style',
				sdVersion: 'FLUX_DEV',
				imageSource: 'binary',
				binaryPropertyName: 'data',
				waitMode: 'webhook',
				webhookTimeoutMinutes: 60,
			});
			const { id, result } = await mini.run({ ...wf, credentials, input: pngItems(10) });
			expect(result.error).toBeUndefined();
			expect(result.status).toBe('waiting');
			const userLoraId = result.output('Leonardo')[0].json.userLoraId as number;
			expect(Number.isInteger(userLoraId)).toBe(true);
			await new Promise((r) => setTimeout(r, 600));
			expect(mini.waiting.has(id)).toBe(true); // trainings send no callback: still parked, no worker held
			const secret = credentials.leonardoWebhookApi.callbackApiKey;
			await mini.relay(signMessage(secret, { action: 'reconcile', ts: Date.now() }) as never);
			const done = await mini.waitFinished(id);
			const [item] = done.output('Done');
			expect(item.json).toMatchObject({ status: 'COMPLETE' });
			expect(JSON.stringify(item.json)).toContain(String(userLoraId));
			expect(item.json.error).toBeUndefined();
			expect(emu.admin.requests({ key }).some((r) => r.method === 'GET' && r.path.endsWith(`/elements/${userLoraId}`))).toBe(true);
		} finally {
			await mini.stop();
		}
	});

	it('at the deadline an unfinished job resumes the execution with an error item carrying the generation ID', async () => {
		const { mini, credentials } = await setup(emu, { latencyMs: 120_000 });
		try {
			const { id, result } = await mini.run({
				...awaitWorkflow(generateParams({ webhookTimeoutMinutes: 0.01 })),
				credentials,
				input: [{ json: { prompt: 'slow' } }],
			});
			const generationId = result.output('Leonardo')[0].json.generationId as string;
			await new Promise((r) => setTimeout(r, 800));
			await mini.relay(signMessage(credentials.leonardoWebhookApi.callbackApiKey, { action: 'reconcile', ts: Date.now() }) as never);
			const done = await mini.waitFinished(id);
			const [item] = done.output('Done');
			expect(item.json).toMatchObject({ status: 'TIMEOUT', generationId });
			expect(String(item.json.error)).toContain(generationId);
			expect(item.binary).toBeUndefined();
		} finally {
			await mini.stop();
		}
	});

	it('survives a restart of n8n (registry from static data only) between registration and callback', async () => {
		const { mini, credentials } = await setup(emu, { latencyMs: 60_000 });
		try {
			const { id, result } = await mini.run({ ...awaitWorkflow(generateParams()), credentials, input: [{ json: { prompt: 'r' } }] });
			const generationId = result.output('Leonardo')[0].json.generationId as string;
			resetRelayCache(); // process restart: only what n8n saved remains
			emu.admin.finishJob(generationId);
			const done = await mini.waitFinished(id);
			expect(done.output('Done')[0].json).toMatchObject({ generationId, status: 'COMPLETE' });
		} finally {
			await mini.stop();
		}
	});

	it('n8n 2.x drops the static-data write of a call that starts a run; the next call persists it', async () => {
		const { mini, credentials } = await setup(emu, { flavor: 'v2', relay: { startRunsFor: 'all', download: false } });
		try {
			const { id } = await mini.run({ ...awaitWorkflow(generateParams()), credentials, input: [{ json: { prompt: 'v2' } }] });
			const done = await mini.waitFinished(id);
			expect(done.status).toBe('success');
			await until(() => mini.triggerRuns.length === 1, 5000, 'trigger run');
			const regs = () => Object.keys((mini.store.data['node:Leonardo Trigger'] as { relay: { regs: object } }).relay.regs);
			expect(regs()).toEqual([id]); // the callback's write (tombstone) was dropped, as measured on 2.x
			await mini.relay(signMessage(credentials.leonardoWebhookApi.callbackApiKey, { action: 'reconcile', ts: Date.now() }) as never);
			expect(regs()).toEqual([]);
			expect(mini.resumeAnswers.filter((a) => a.code === 200)).toHaveLength(1);
		} finally {
			await mini.stop();
		}
	});

	it('20 concurrent registrations all survive (merge cache against lost static-data updates)', async () => {
		const { mini, credentials } = await setup(emu);
		try {
			const secret = credentials.leonardoWebhookApi.callbackApiKey;
			await Promise.all(
				Array.from({ length: 20 }, async (_, n) =>
					await fetch(mini.relayUrl, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(
							signMessage(secret, {
								action: 'register',
								ts: Date.now(),
								executionId: `c${n}`,
								resumeUrl: `${mini.url}/webhook-waiting/c${n}`,
								deadline: Date.now() + 60_000,
								jobs: [{ id: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`, kind: 'generation', itemIndex: 0 }],
							}),
						),
					}),
				),
			);
			const regs = (mini.store.data['node:Leonardo Trigger'] as { relay: { regs: object } }).relay.regs;
			expect(Object.keys(regs)).toHaveLength(20);
		} finally {
			await mini.stop();
		}
	});
});
