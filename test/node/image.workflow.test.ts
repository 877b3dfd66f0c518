/**
 * Image resource breadth through the real WorkflowExecute harness: LoRAs + Consistent Character (request
 * bodies as received by the emulator), v2 models, Get / Get Many / Delete, and the Account resource.
 */
import type { EmulatorHandle } from '../../emulator';
import type { ElementRecord } from '../../emulator/state';
import { makeBinaryItem, runWorkflow, shutdownHarness } from '../helpers/harness';
import { LIGHTNING_XL_ID, PHOENIX_ID, TINY_PNG, emulator, leonardoNode, newKey, recordBodies } from './helpers';

let emu: EmulatorHandle;
let recorder: ReturnType<typeof recordBodies>;

beforeAll(async () => {
	emu = await emulator(100);
	recorder = recordBodies(emu);
});

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const STUDIO_STYLE = '0c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f'; // platform element, weight -1..2

/** A trained (COMPLETE) user LoRA of the key's account, as the LoRA resource would leave it. */
function trainedLora(userId: string, key: string): number {
	const store = (emu.admin.server as unknown as { store: { elements: Map<number, ElementRecord>; nextElementId: number } }).store;
	const id = store.nextElementId++;
	store.elements.set(id, {
		id,
		key,
		userId,
		name: 'Hero character',
		description: '',
		focus: 'Character',
		baseModel: 'FLUX_DEV',
		instancePrompt: 'hero',
		learningRate: 0.0005,
		resolution: 1024,
		trainTextEncoder: true,
		trainingEpoch: 135,
		datasetId: 'd',
		status: 'COMPLETE',
		createdAt: new Date(),
		updatedAt: new Date(),
		cost: 0,
	});
	return id;
}

const generate = (extra: Record<string, unknown>) =>
	leonardoNode({
		resource: 'image',
		operation: 'generate',
		prompt: 'the hero in our studio style',
		modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
		sizeMode: 'custom',
		width: 512,
		height: 768,
		numImages: 1,
		waitMode: 'poll',
		pollIntervalSeconds: 0.5,
		timeoutSeconds: 30,
		...extra,
	});

describe('LoRAs + Consistent Character', () => {
	it('sends studio style 0.8 + character 0.6 and an uploaded character reference (Phoenix → 397)', async () => {
		const { credentials, key, userId } = newKey(emu, 'ARTISAN');
		const userLoraId = trainedLora(userId, key);
		const result = await runWorkflow({
			nodes: [
				generate({
					loras: {
						lora: [
							{ element: `platform:${STUDIO_STYLE}`, weight: 0.8 },
							{ element: `user:${userLoraId}`, weight: 0.6 },
						],
					},
					characterReference: {
						reference: { source: 'binary', binaryPropertyName: 'data', strength: 'High', modelFamily: 'auto' },
					},
					options: { alchemy: true, contrast: 3.5, styleUUID: '111dc692-d470-4eec-b791-3475abac4c46', seed: 42 },
				}),
			],
			credentials,
			input: [makeBinaryItem(TINY_PNG, { fileName: 'hero.png', mimeType: 'image/png' })],
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output('Leonardo');
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary?.data).toBeDefined();

		const paths = emu.admin.requests({ key }).map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')}`);
		expect(paths.slice(0, 3)).toEqual(['GET /api/rest/v1/elements', 'POST /api/rest/v1/init-image', 'POST /api/rest/v1/generations']);
		const initImage = recorder.json('POST', '/init-image').pop();
		expect(initImage).toEqual({ extension: 'png' });
		const upload = emu.admin.requests({ key: undefined }).find((r) => r.path.startsWith('/_s3'));
		expect(upload?.status).toBe(204);

		const body = recorder.json('POST', '/api/rest/v1/generations').pop() as Record<string, unknown>;
		expect(body).toMatchObject({
			prompt: 'the hero in our studio style',
			modelId: PHOENIX_ID,
			width: 512,
			height: 768,
			num_images: 1,
			alchemy: true,
			contrast: 3.5,
			styleUUID: '111dc692-d470-4eec-b791-3475abac4c46',
			seed: 42,
			elements: [{ akUUID: STUDIO_STYLE, weight: 0.8 }],
			userElements: [{ userLoraId, weight: 0.6 }],
		});
		const controlnets = body.controlnets as Array<Record<string, unknown>>;
		expect(controlnets).toHaveLength(1);
		expect(controlnets[0]).toMatchObject({ initImageType: 'UPLOADED', preprocessorId: 397, strengthType: 'High' });
		const uploaded = emu.admin.requests({ key }).find((r) => r.path === '/api/rest/v1/init-image');
		expect(uploaded?.status).toBe(200);
		expect(typeof controlnets[0].initImageId).toBe('string');
	});

	it('uses preprocessor 133 for an SDXL-family model and a generated image id as reference', async () => {
		const { credentials, key } = newKey(emu, 'MAESTRO');
		const first = await runWorkflow({ nodes: [generate({ modelId: { __rl: true, mode: 'id', value: LIGHTNING_XL_ID }, download: false })], credentials });
		const imageId = first.output('Leonardo')[0].json.imageId as string;
		const second = await runWorkflow({
			nodes: [
				generate({
					modelId: { __rl: true, mode: 'list', value: LIGHTNING_XL_ID, cachedResultName: 'Leonardo Lightning XL' },
					download: false,
					characterReference: { reference: { source: 'imageId', imageId, imageType: 'GENERATED', strength: 'Low', modelFamily: 'auto' } },
				}),
			],
			credentials,
		});
		expect(second.error).toBeUndefined();
		expect(second.output('Leonardo')[0].json.model).toBe('Leonardo Lightning XL');
		const body = recorder.json('POST', '/api/rest/v1/generations').pop() as Record<string, unknown>;
		expect(body.controlnets).toEqual([{ initImageId: imageId, initImageType: 'GENERATED', preprocessorId: 133, strengthType: 'Low' }]);
		expect(emu.admin.ledger(key)).toHaveLength(2);
	});
});

describe('v2 models', () => {
	it('POSTs /api/rest/v2/generations with slug + parameters and reads the result through v1', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [
				generate({
					apiVersion: 'v2',
					modelSlug: 'flux-schnell',
					v2Parameters: '{"prompt_enhance": "OFF"}',
					sizeMode: 'aspectRatio',
					aspectRatio: '4:3',
					longSide: 1024,
					numImages: 2,
				}),
			],
			credentials,
		});
		expect(result.error).toBeUndefined();
		const out = result.output('Leonardo');
		expect(out).toHaveLength(2);
		expect(out[0].json).toMatchObject({ apiVersion: 'v2', model: 'flux-schnell', width: 1024, height: 768 });
		const body = recorder.json('POST', '/api/rest/v2/generations').pop();
		expect(body).toEqual({
			model: 'flux-schnell',
			public: false,
			parameters: { prompt: 'the hero in our studio style', width: 1024, height: 768, quantity: 2, prompt_enhance: 'OFF' },
		});
		const gets = emu.admin.requests({ key }).filter((r) => r.method === 'GET');
		expect(gets.every((r) => r.path.startsWith('/api/rest/v1/generations/'))).toBe(true);
	});
});

describe('Get, Get Many, Delete', () => {
	it('gets a generation, lists with paging, deletes it', async () => {
		const { credentials } = newKey(emu, 'MAESTRO');
		const made = await runWorkflow({
			nodes: [generate({ download: false, prompt: '={{ $json.p }}' })],
			credentials,
			input: [{ json: { p: 'one' } }, { json: { p: 'two' } }, { json: { p: 'three' } }],
		});
		const ids = made.output('Leonardo').map((o) => o.json.generationId as string);
		expect(ids).toHaveLength(3);

		const got = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'get', generationId: ids[1], output: 'images', download: true })],
			credentials,
		});
		const [image] = got.output('Leonardo');
		expect(image.json).toMatchObject({ generationId: ids[1], prompt: 'two', plan: 'Maestro' });
		expect(image.binary?.data?.mimeType).toBe('image/png');

		const page = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'getAll', returnAll: false, limit: 2, offset: 0 })],
			credentials,
		});
		expect(page.output('Leonardo')).toHaveLength(2);
		const all = await runWorkflow({ nodes: [leonardoNode({ resource: 'image', operation: 'getAll', returnAll: true })], credentials });
		expect(all.output('Leonardo').map((o) => o.json.id).sort()).toEqual([...ids].sort());

		const deleted = await runWorkflow({ nodes: [leonardoNode({ resource: 'image', operation: 'delete', generationId: ids[0] })], credentials });
		expect(deleted.output('Leonardo')[0].json).toEqual({ generationId: ids[0], deleted: true });
		const gone = await runWorkflow({ nodes: [leonardoNode({ resource: 'image', operation: 'get', generationId: ids[0] })], credentials });
		expect(gone.status).toBe('error');
		expect(gone.error?.message).toContain(ids[0]);
	});
});

describe('Account', () => {
	it('gets tokens, concurrency, plan and user id', async () => {
		const { credentials, userId } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({ nodes: [leonardoNode({ resource: 'account', operation: 'get' })], credentials });
		expect(result.output('Leonardo')[0].json).toMatchObject({
			userId,
			apiConcurrencySlots: 5,
			plan: 'Artisan',
			commercialUse: true,
			planLimits: { requestsPerMinute: 30, concurrentJobs: 5, loraTrainingsPerMonth: 5 },
		});
		expect(result.output('Leonardo')[0].json.apiTokens).toEqual(expect.any(Number));
	});

	it('estimates the cost of a generation with the pricing calculator', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'account',
					operation: 'estimateCost',
					service: 'IMAGE_GENERATION',
					imageWidth: 1024,
					imageHeight: 1024,
					numImages: 2,
					imageOptions: { alchemyMode: true, isPhoenix: true },
				}),
			],
			credentials,
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output('Leonardo');
		expect(item.json.cost).toEqual(expect.any(Number));
		expect(recorder.json('POST', '/pricing-calculator').pop()).toEqual({
			service: 'IMAGE_GENERATION',
			serviceParams: { IMAGE_GENERATION: { imageWidth: 1024, imageHeight: 1024, numImages: 2, alchemyMode: true, isPhoenix: true } },
		});
	});
});
