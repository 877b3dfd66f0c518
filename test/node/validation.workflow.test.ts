/**
 * Plan refusals and bad input: a NodeOperationError naming the parameter, raised before any request
 * (the emulator's request log for the key stays empty), and continueOnFail error items with pairedItem.
 */
import type { EmulatorHandle } from '../../emulator';
import { makeBinaryItem, runWorkflow, shutdownHarness } from '../helpers/harness';
import { PHOENIX_ID, TINY_PNG, emulator, leonardoNode, newKey } from './helpers';

let emu: EmulatorHandle;

beforeAll(async () => {
	emu = await emulator(100);
});

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const base = {
	resource: 'image',
	operation: 'generate',
	prompt: 'a castle on a hill',
	modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
	sizeMode: 'aspectRatio',
	aspectRatio: '1:1',
	longSide: 512,
	numImages: 1,
	waitMode: 'poll',
	pollIntervalSeconds: 0.5,
	timeoutSeconds: 30,
	download: false,
};

describe('plan refusals before any request', () => {
	it.each(['FREE', 'APPRENTICE'] as const)('%s key: no API access, names the plan needed', async (plan) => {
		const { credentials, key } = newKey(emu, plan);
		for (const params of [base, { resource: 'account', operation: 'get' }]) {
			const result = await runWorkflow({ nodes: [leonardoNode(params)], credentials });
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/no Leonardo API access: Artisan or Maestro needed/);
			expect(result.error?.message).toContain(plan === 'FREE' ? 'Free' : 'Apprentice');
		}
		expect(emu.admin.requests({ key })).toEqual([]);
	});
});

describe('bad input is refused before any request, naming the parameter', () => {
	const cases: Array<[string, Record<string, unknown>, RegExp]> = [
		['empty prompt', { prompt: '  ' }, /^Prompt must not be empty/],
		['prompt over 1500 characters', { prompt: 'x'.repeat(1501) }, /^Prompt is 1501 characters long; Leonardo accepts at most 1500/],
		['width not a multiple of 8', { sizeMode: 'custom', width: 1001, height: 512 }, /^Width \(Px\) must be a multiple of 8/],
		['height over 2048', { sizeMode: 'custom', width: 512, height: 4096 }, /^Height \(Px\) must be between 32 and 2048/],
		['too many large images', { sizeMode: 'custom', width: 1024, height: 1024, numImages: 8 }, /^Number of Images must be at most 4/],
		['model id not a UUID (expression)', { modelId: { __rl: true, mode: 'id', value: '={{ "phoenix" }}' } }, /^Model "phoenix" is not a Leonardo model ID/],
		['LoRA weight out of range', { loras: { lora: [{ element: 'user:100001', weight: 5 }] } }, /^LoRAs \(Elements\) #1: Weight must be between 0 and 2/],
		['LoRA element not an element', { loras: { lora: [{ element: 'nope', weight: 1 }] } }, /^LoRAs \(Elements\) #1: "nope" is not an element/],
		['bad v2 JSON', { apiVersion: 'v2', modelSlug: 'flux-schnell', v2Parameters: '{oops' }, /^Parameters \(JSON\) is not valid JSON/],
		['Ultra with Alchemy', { options: { ultra: true, alchemy: true } }, /^Options Ultra and Alchemy cannot be used together/],
		['low contrast with Alchemy', { options: { alchemy: true, contrast: 1.8 } }, /^Option Contrast must be at least 2.5 with Alchemy/],
		['poll interval too small', { pollIntervalSeconds: 0.1 }, /^Poll Interval \(Seconds\) must be at least 0.5/],
	];
	it.each(cases)('%s', async (_name, params, message) => {
		const { credentials, key } = newKey(emu, 'MAESTRO');
		const result = await runWorkflow({ nodes: [leonardoNode({ ...base, ...params })], credentials });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(message);
		expect(emu.admin.requests({ key })).toEqual([]);
	});

	it('an unknown model ID (a UUID that is no platform or custom model) is refused before any job', async () => {
		const { credentials, key } = newKey(emu, 'MAESTRO');
		const unknown = '0f0f0f0f-1111-4222-8333-444455556666';
		const params = { ...base, modelId: { __rl: true, mode: 'id', value: unknown } };
		const result = await runWorkflow({ nodes: [leonardoNode(params)], credentials });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			`Model ${unknown} is neither a Leonardo platform model nor one of your custom models`,
		);
		const requests = emu.admin.requests({ key });
		// only catalogue reads, no job: nothing created, nothing charged
		expect(requests.every((r) => r.method === 'GET')).toBe(true);
		expect(requests.some((r) => r.path.endsWith('/platformModels'))).toBe(true);
		expect(emu.admin.ledger(key)).toEqual([]);
	});

	it('a custom model trained after the model lists were cached is accepted (the lists are re-read once)', async () => {
		const { credentials, key, userId } = newKey(emu, 'MAESTRO');
		const fresh = '0f0f0f0f-2222-4333-8444-555566667777';
		const params = { ...base, modelId: { __rl: true, mode: 'id', value: fresh } };
		// First run: the model does not exist yet; the refusal caches both model lists of this key.
		const before = await runWorkflow({ nodes: [leonardoNode(params)], credentials });
		expect(before.error?.message).toMatch(/is neither a Leonardo platform model nor one of your custom models/);
		// The user finishes training a custom model (e.g. in Leonardo's web app) with that id.
		const now = new Date();
		emu.admin.server.store.customModels.set(fresh, {
			id: fresh,
			key,
			userId,
			name: 'Studio style',
			description: '',
			instancePrompt: 'studio style',
			modelHeight: 512,
			modelWidth: 512,
			sdVersion: 'SDXL_1_0',
			type: 'GENERAL',
			status: 'COMPLETE',
			createdAt: now,
			updatedAt: now,
			cost: 0,
		});
		const after = await runWorkflow({ nodes: [leonardoNode(params)], credentials });
		expect(after.error).toBeUndefined();
		expect(after.output('Leonardo')[0].json.modelId).toBe(fresh);
		expect(emu.admin.ledger(key)).toHaveLength(1);
	});

	it('a platform model outside the built-in table is checked against /platformModels and accepted', async () => {
		const { credentials, key } = newKey(emu, 'MAESTRO');
		const platform = (await (await fetch(`${emu.url}/api/rest/v1/platformModels`, {
			headers: { authorization: `Bearer ${key}` },
		})).json()) as { custom_models: Array<{ id: string; name: string }> };
		const { familyFromKnownModel } = await import('../../nodes/Leonardo/helpers/models');
		const outside = platform.custom_models.find((m) => !familyFromKnownModel(m.id));
		expect(outside).toBeDefined();
		const result = await runWorkflow({
			nodes: [leonardoNode({ ...base, modelId: { __rl: true, mode: 'id', value: outside!.id } })],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(emu.admin.ledger(key)).toHaveLength(1);
	});

	const reference = (binaryPropertyName: string) => ({
		characterReference: { reference: { source: 'binary', binaryPropertyName, strength: 'Mid', modelFamily: 'auto' } },
	});

	it('character reference: binary property missing', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ ...base, ...reference('face') })],
			credentials,
			input: [await makeBinaryItem(TINY_PNG, { fileName: 'face.png', mimeType: 'image/png' })],
		});
		expect(result.error?.message).toBe('Consistent Character Input Binary Field: input item 0 has no binary property "face"');
		expect(emu.admin.requests({ key })).toEqual([]);
	});

	it('character reference: binary is not an image', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ ...base, ...reference('data') })],
			credentials,
			input: [await makeBinaryItem(Buffer.from('hello, not a picture'), { fileName: 'face.png', mimeType: 'image/png' })],
		});
		expect(result.error?.message).toBe(
			'Consistent Character Input Binary Field: binary property "data" is not a PNG, JPEG or WebP image',
		);
		expect(emu.admin.requests({ key })).toEqual([]);
	});

	it("a platform element's own weight range is enforced before any job is created", async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		// Dolly In: weightMin 0, weightMax 2 in the catalogue; -0.5 is inside the static range but not its own
		const result = await runWorkflow({
			nodes: [leonardoNode({ ...base, loras: { lora: [{ element: 'platform:ece8c6a9-3deb-430e-8c93-4d5061b6adbf', weight: -0.5 }] } })],
			credentials,
		});
		expect(result.error?.message).toMatch(/^LoRAs \(Elements\) #1 \(Dolly In\): Weight must be between 0 and 2/);
		expect(emu.admin.requests({ key }).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/rest/v1/elements']);
	});
});

describe('continueOnFail', () => {
	it('yields error items with pairedItem next to successful items, in order', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ ...base, prompt: '={{ $json.prompt }}' }, { onError: 'continueRegularOutput' })],
			credentials,
			input: [{ json: { prompt: 'a good one' } }, { json: { prompt: '' } }, { json: { prompt: 'another good one' } }],
		});
		expect(result.status).toBe('success');
		const out = result.output('Leonardo');
		expect(out).toHaveLength(3);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.generationId).toEqual(expect.any(String));
		expect(out[1].json.error).toBe('Prompt must not be empty');
		expect(out[1].json.generationId).toBeUndefined();
		expect(out[2].json.prompt).toBe('another good one');
		expect(emu.admin.ledger(key)).toHaveLength(2);
	});

	it('a FAILED job is an error item carrying the generation id', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		emu.admin.setFaults({ failPrompts: ['doomed'] });
		try {
			const result = await runWorkflow({
				nodes: [leonardoNode({ ...base, prompt: 'a doomed ship' }, { onError: 'continueRegularOutput' })],
				credentials,
			});
			const [item] = result.output('Leonardo');
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json.error).toMatch(/^Leonardo generation [0-9a-f-]{36} failed$/);
			expect(item.json.generationId).toEqual(String(item.json.error).split(' ')[2]);
		} finally {
			emu.admin.clearFaults();
		}
	});

	it('without continueOnFail a FAILED job fails the execution with the generation id', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		emu.admin.setFaults({ failJobs: { next: 1 } });
		try {
			const result = await runWorkflow({ nodes: [leonardoNode(base)], credentials });
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/^Leonardo generation [0-9a-f-]{36} failed$/);
		} finally {
			emu.admin.clearFaults();
		}
	});
});
