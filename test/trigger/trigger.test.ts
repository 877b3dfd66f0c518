/**
 * Leonardo Trigger through n8n-core's real WebhookContext + WorkflowExecute: bearer check, redaction,
 * event filter, binary download, static data handling.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

import { startEmulator, type EmulatorHandle } from '../../emulator';
import { resetRelayCache } from '../../nodes/LeonardoTrigger/relay/registry';
import { binaryBuffer, shutdownHarness } from '../helpers/harness';
import { generateParams, setup, until } from '../await/setup';

const FIXTURE = JSON.parse(
	readFileSync(path.join(__dirname, '../fixtures/webhook-image_generation.complete.example.json'), 'utf8'),
) as { body: Record<string, unknown> };

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ port: 0, latencyMs: 100 });
});
afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});
beforeEach(() => resetRelayCache());

/** The documented example with a real secret, API key and a CDN url that exists (no download here). */
function fixtureBody(secret: string, apiKey: string) {
	const body = JSON.parse(JSON.stringify(FIXTURE.body)) as {
		data: { object: { id: string; apiKey: Record<string, string>; images: Array<{ url: string }> } };
	};
	body.data.object.id = '11111111-2222-4333-8444-555555555555';
	body.data.object.apiKey.key = apiKey;
	body.data.object.apiKey.webhookCallbackApiKey = secret;
	body.data.object.apiKey.webhookCallbackUrl = 'https://n8n.example.com/webhook/x/callback';
	return body as unknown as Record<string, unknown>;
}

describe('Leonardo Trigger webhook', () => {
	it('answers 401 and starts nothing without the right bearer key (and writes no static data)', async () => {
		const { mini, secret, key } = await setup(emu, { relay: { download: false } });
		try {
			const body = fixtureBody(secret, key);
			for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: secret }, { authorization: `Bearer ${secret}x` }]) {
				const answer = await mini.relay(body as never, headers as Record<string, string>);
				expect(answer.code).toBe(401);
				expect(answer.run).toBeUndefined();
				expect(JSON.stringify(answer.body)).not.toContain(secret);
			}
			expect(mini.store.saves).toBe(0);
			expect(mini.triggerRuns).toHaveLength(0);
			const ok = await mini.relay(body as never, { authorization: `Bearer ${secret}` });
			expect(ok.code).toBe(200);
			expect(ok.run?.status).toBe('success');
		} finally {
			await mini.stop();
		}
	});

	it('redacts the echoed API key and webhook secret everywhere in the output', async () => {
		const { mini, secret, key } = await setup(emu, { relay: { download: false } });
		try {
			const body = fixtureBody(secret, key);
			// An extra echo somewhere else must be caught too.
			(body as { note?: string }).note = `key was ${key}`;
			const answer = await mini.relay(body as never, { authorization: `Bearer ${secret}` });
			const out = answer.run!.output('After Trigger');
			expect(out).toHaveLength(1);
			const text = JSON.stringify(out.map((i) => i.json));
			expect(text).not.toContain(secret);
			expect(text).not.toContain(key);
			expect(text).not.toContain('webhookCallbackApiKey');
			expect(text).not.toContain('webhookCallbackUrl');
			expect(out[0].json).toMatchObject({
				event: 'image_generation.complete',
				generationId: '11111111-2222-4333-8444-555555555555',
				status: 'COMPLETE',
				awaitedByExecution: false,
			});
			const data = out[0].json.data as { apiKey: Record<string, unknown>; prompt: string };
			expect(data.prompt).toBe('An oil painting of a cat');
			expect(Object.keys(data.apiKey).sort()).toEqual(['id', 'name', 'type']);
		} finally {
			await mini.stop();
		}
	});

	it('redacts the configured Leonardo API key even when the echo does not carry it in apiKey.key', async () => {
		const { mini, secret, key } = await setup(emu, { relay: { download: false } });
		try {
			const body = fixtureBody(secret, key);
			const echo = (body as { data: { object: { apiKey: Record<string, string> } } }).data.object.apiKey;
			delete echo.key; // an echo shape without the key field...
			(body as { data: { object: Record<string, unknown> } }).data.object.requestedWith = `Bearer ${key}`; // ...but the key elsewhere
			const answer = await mini.relay(body as never, { authorization: `Bearer ${secret}` });
			const text = JSON.stringify(answer.run!.output('After Trigger').map((i) => i.json));
			expect(text).not.toContain(key);
			expect(text).toContain('[redacted]');
		} finally {
			await mini.stop();
		}
	});

	it('filters by event; a *.complete callback with status FAILED is a failed event and not success-looking', async () => {
		const { mini, secret, key } = await setup(emu, {
			relay: { download: false, events: ['image_generation.failed', 'video_generation.complete'] },
		});
		try {
			const complete = fixtureBody(secret, key);
			const a = await mini.relay(complete as never, { authorization: `Bearer ${secret}` });
			expect(a.code).toBe(200);
			expect(a.run).toBeUndefined();
			const failed = fixtureBody(secret, key) as { data: { object: { status: string } } };
			failed.data.object.status = 'FAILED';
			const b = await mini.relay(failed as never, { authorization: `Bearer ${secret}` });
			const [item] = b.run!.output('After Trigger');
			expect(item.json).toMatchObject({ event: 'image_generation.failed', status: 'FAILED' });
			expect(String(item.json.error)).toContain('failed');
		} finally {
			await mini.stop();
		}
	});

	it('a real emulator callback starts a run with the image downloaded as binary', async () => {
		const { mini, credentials } = await setup(emu, { relay: { download: true } });
		try {
			const { runWorkflow } = await import('../helpers/harness');
			const gen = await runWorkflow({
				nodes: [{ name: 'Leonardo', type: 'n8n-nodes-leonardo.leonardo', parameters: generateParams({ waitMode: 'none', numImages: 2 }) as never }],
				credentials,
				input: [{ json: { prompt: 'a lighthouse' } }],
			});
			expect(gen.error).toBeUndefined();
			const generationId = gen.output('Leonardo')[0].json.generationId as string;
			const run = await until(() => mini.triggerRuns[0]?.run, 10_000, 'trigger run');
			const out = run.output('After Trigger');
			expect(out).toHaveLength(2);
			for (const item of out) {
				expect(item.json.generationId).toBe(generationId);
				const bytes = await binaryBuffer(item, 'data');
				expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
			}
			expect(JSON.stringify(out.map((i) => i.json))).not.toContain(credentials.leonardoWebhookApi.callbackApiKey);
			expect(JSON.stringify(out.map((i) => i.json))).not.toContain(credentials.leonardoApi.apiKey);
		} finally {
			await mini.stop();
		}
	});
});
