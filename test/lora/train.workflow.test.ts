/**
 * LoRA → Train through n8n-core's real WorkflowExecute against the emulator over real HTTP.
 */
import type { EmulatorHandle } from '../../emulator';
import { makeBinaryItem, runWorkflow, shutdownHarness } from '../helpers/harness';
import { emulator, leonardoNode, newKey, recordBodies } from '../node/helpers';
import { png, pngItems } from './images';

let emu: EmulatorHandle;

beforeAll(async () => {
	// Jobs stay PENDING 150 ms; trainings 3 x 150 ms.
	emu = await emulator(150);
});

afterEach(() => emu.admin.clearFaults());

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const trainParams = (extra: Record<string, unknown> = {}) => ({
	resource: 'lora',
	operation: 'train',
	name: 'Studio Style',
	focus: 'Style',
	sdVersion: 'FLUX_DEV',
	imageSource: 'binary',
	binaryPropertyName: 'data',
	waitMode: 'none',
	options: { description: 'our studio art direction' },
	...extra,
});

const datasetsOf = (userId: string) => [...emu.admin.server.store.datasets.values()].filter((d) => d.userId === userId);
const elementsOf = (userId: string) => [...emu.admin.server.store.elements.values()].filter((e) => e.userId === userId);

describe('LoRA → Train: the full flow', () => {
	it('turns 12 binary items into one dataset of 12 images and one training, charged once', async () => {
		const { credentials, key, userId } = newKey(emu, 'MAESTRO');
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [leonardoNode(trainParams())],
			credentials,
			input: pngItems(12),
		});
		expect(result.error).toBeUndefined();
		const out = result.output('Leonardo');
		expect(out).toHaveLength(1);
		const [item] = out;
		expect(item.pairedItem).toEqual(Array.from({ length: 12 }, (_, n) => ({ item: n })));
		expect(item.json).toMatchObject({
			name: 'Studio Style',
			focus: 'Style',
			baseModel: 'FLUX_DEV',
			status: 'PENDING',
			imagesUsed: 12,
			uploadedImages: 12,
			generatedImages: 0,
			plan: 'Maestro',
		});
		expect(item.json.notice).toContain('fewer than the recommended 20-30');
		expect(item.json.userLoraId).toEqual(expect.any(Number));
		expect(item.json.cost ?? item.json.apiCreditCost).toBeTruthy();

		// Emulator side: one dataset holding the 12 uploaded files, one element trained on it.
		const datasets = datasetsOf(userId);
		expect(datasets).toHaveLength(1);
		expect(datasets[0].id).toBe(item.json.datasetId);
		expect(datasets[0].images).toHaveLength(12);
		const uploads = [...emu.admin.server.store.uploads.values()].filter((u) => u.datasetId === datasets[0].id);
		expect(uploads.map((u) => u.bytes?.length).sort()).toEqual(pngItems(12).map((_, n) => png(n).length).sort());
		const elements = elementsOf(userId);
		expect(elements).toHaveLength(1);
		expect(elements[0]).toMatchObject({ id: item.json.userLoraId, datasetId: datasets[0].id, focus: 'Style', baseModel: 'FLUX_DEV' });

		// The training request: FLUX_DEV style defaults (§7.7).
		const [createElement] = bodies.json('POST', '/api/rest/v1/elements');
		expect(createElement).toEqual({
			name: 'Studio Style',
			description: 'our studio art direction',
			datasetId: datasets[0].id,
			instance_prompt: null,
			lora_focus: 'Style',
			sd_version: 'FLUX_DEV',
			resolution: 1024,
			num_train_epochs: 60,
			learning_rate: 1e-5,
			train_text_encoder: true,
		});

		// Charged once: one training job in the ledger, one POST /elements.
		const ledger = emu.admin.ledger(key);
		expect(ledger).toHaveLength(1);
		expect(ledger[0]).toMatchObject({ kind: 'training', jobId: String(item.json.userLoraId) });
		const requests = emu.admin.requests({ key });
		expect(requests.filter((r) => r.method === 'POST' && r.path.endsWith('/elements'))).toHaveLength(1);
		expect(requests.filter((r) => r.method === 'POST' && /\/datasets\/[^/]+\/upload$/.test(r.path))).toHaveLength(12);
	});

	it('adds already generated images by ID (one per item, duplicates removed) and uses the options', async () => {
		const { credentials, userId } = newKey(emu, 'ARTISAN');
		// Generate 10 images on the emulator first (2 generations x 5 images).
		const generation = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'image',
					operation: 'generate',
					prompt: 'a watercolor fox, studio style',
					modelId: { __rl: true, mode: 'id', value: 'de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3' },
					sizeMode: 'custom',
					width: 512,
					height: 512,
					numImages: 5,
					waitMode: 'poll',
					pollIntervalSeconds: 0.5,
					timeoutSeconds: 30,
					download: false,
				}),
			],
			credentials,
			input: [{ json: {} }, { json: {} }],
		});
		expect(generation.error).toBeUndefined();
		const generated = generation.output('Leonardo');
		expect(generated).toHaveLength(10);
		const bodies = recordBodies(emu);
		// The same 10 items plus a duplicate of the first.
		const input = [...generated, generated[0]].map((g) => ({ json: { imageId: g.json.imageId } }));
		const result = await runWorkflow({
			nodes: [
				leonardoNode(
					trainParams({
						name: 'Fox',
						focus: 'Character',
						sdVersion: 'SDXL_1_0',
						instancePrompt: 'sks fox',
						imageSource: 'generated',
						generatedImageIds: '={{ $json.imageId }}',
						options: { datasetName: 'fox refs', epochs: 40, learningRate: 0.000002, trainTextEncoder: false },
					}),
				),
			],
			credentials,
			input,
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output('Leonardo');
		expect(item.json).toMatchObject({ imagesUsed: 10, uploadedImages: 0, generatedImages: 10, focus: 'Character' });
		expect(item.json.notice).toContain('15-25');
		const dataset = datasetsOf(userId).find((d) => d.id === item.json.datasetId);
		expect(dataset?.name).toBe('fox refs');
		expect(dataset?.images).toHaveLength(10);
		expect(bodies.json('POST', '/upload/gen')).toHaveLength(10);
		expect(bodies.json('POST', '/api/rest/v1/elements')[0]).toMatchObject({
			lora_focus: 'Character',
			sd_version: 'SDXL_1_0',
			instance_prompt: 'sks fox',
			num_train_epochs: 40,
			learning_rate: 0.000002,
			train_text_encoder: false,
		});
	});
});

describe('LoRA → Train: refusals before any upload', () => {
	async function expectRefused(
		plan: Parameters<typeof newKey>[1],
		input: ReturnType<typeof pngItems>,
		message: RegExp,
		params: Record<string, unknown> = {},
		credentialExtra: Record<string, unknown> = {},
	) {
		const { credentials, key, userId } = newKey(emu, plan);
		Object.assign(credentials.leonardoApi, credentialExtra);
		const result = await runWorkflow({ nodes: [leonardoNode(trainParams(params))], credentials, input });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(message);
		// Nothing was created: no dataset request at all, no dataset, no element, nothing charged.
		expect(emu.admin.requests({ key, path: '/datasets' })).toHaveLength(0);
		expect(datasetsOf(userId)).toHaveLength(0);
		expect(elementsOf(userId)).toHaveLength(0);
		expect(emu.admin.ledger(key)).toHaveLength(0);
		return { result, key };
	}

	it('fewer than 10 images', async () => {
		const { key, result } = await expectRefused('MAESTRO', pngItems(9), /at least 10 images; the input has 9/);
		expect(result.error?.description).toContain('No image was uploaded');
		expect(emu.admin.requests({ key })).toHaveLength(0);
	});

	it('a binary that is not an image (text named .png)', async () => {
		const input = pngItems(12);
		input[7] = makeBinaryItem(Buffer.from('definitely not pixels'), { fileName: 'notes.png', mimeType: 'image/png' });
		const { key } = await expectRefused('MAESTRO', input, /"notes\.png" \(item 7\) is not a usable training image: it is not a PNG, JPEG or WebP/);
		expect(emu.admin.requests({ key })).toHaveLength(0);
	});

	it('a wrong format (GIF) and an unreadable PNG', async () => {
		const gif = pngItems(12);
		gif[3] = makeBinaryItem(Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00', 'latin1'), { fileName: 'anim.gif', mimeType: 'image/gif' });
		await expectRefused('MAESTRO', gif, /"anim\.gif" \(item 3\) is not a usable training image/);
		const truncated = pngItems(12);
		truncated[11] = makeBinaryItem(png(99).subarray(0, 20), { fileName: 'cut.png' });
		await expectRefused('MAESTRO', truncated, /"cut\.png" \(item 11\).*truncated/);
	});

	it('an item without the binary field', async () => {
		const input = pngItems(12);
		input[5] = { json: { fileName: 'nothing' } };
		await expectRefused('MAESTRO', input, /Input Binary Field: input item 5 has no binary field "data"/);
	});

	it('bad parameters: Flux Dev with General focus, a missing instance prompt, epochs out of range', async () => {
		await expectRefused('MAESTRO', pngItems(12), /FLUX_DEV elements with focus General/, { focus: 'General' });
		await expectRefused('MAESTRO', pngItems(12), /Instance Prompt is required for a Style LoRA on KINO_XL/, { sdVersion: 'KINO_XL' });
		await expectRefused('MAESTRO', pngItems(12), /Epochs must be a whole number from 100 to 200/, {
			focus: 'Character',
			instancePrompt: 'sks person',
			options: { epochs: 250 },
		});
	});

	it('the Free plan (no training, no API access)', async () => {
		const { key } = await expectRefused('FREE', pngItems(12), /Free plan includes no LoRA training: Artisan or Maestro needed/);
		expect(emu.admin.requests({ key })).toHaveLength(0);
	});

	it('the Apprentice plan (no API access)', async () => {
		const { key } = await expectRefused('APPRENTICE', pngItems(12), /Apprentice plan has no Leonardo API access/);
		expect(emu.admin.requests({ key })).toHaveLength(0);
	});

	it("the plan's monthly trainings reached, counted from the account's elements", async () => {
		// A Custom plan with 1 training per month: the first training passes, the second is refused before upload.
		const { credentials, key, userId } = newKey(emu, 'CUSTOM', { limits: { loraTrainingsPerMonth: 1 } });
		credentials.leonardoApi = { ...credentials.leonardoApi, customLoraTrainingsPerMonth: 1 } as typeof credentials.leonardoApi;
		const first = await runWorkflow({ nodes: [leonardoNode(trainParams())], credentials, input: pngItems(10) });
		expect(first.error).toBeUndefined();
		expect(first.output('Leonardo')[0].json).toMatchObject({ trainingsThisMonth: 1, trainingsPerMonth: 1 });
		const datasetRequests = emu.admin.requests({ key, path: '/datasets' }).length;
		const second = await runWorkflow({ nodes: [leonardoNode(trainParams())], credentials, input: pngItems(10, 50) });
		expect(second.status).toBe('error');
		expect(second.error?.message).toMatch(/allows 1 LoRA trainings per month; 1 already started this month/);
		expect(emu.admin.requests({ key, path: '/datasets' })).toHaveLength(datasetRequests);
		expect(datasetsOf(userId)).toHaveLength(1);
		expect(emu.admin.ledger(key)).toHaveLength(1);
	});
});

describe('LoRA → Train: no orphan dataset when an upload is refused', () => {
	it('deletes the dataset and says so', async () => {
		const { credentials, key, userId } = newKey(emu, 'MAESTRO');
		// The next dataset upload request is refused (HTTP 403).
		emu.admin.setFaults({ serverErrors: { next: 1, match: 'POST /datasets/', status: 403 } });
		const result = await runWorkflow({ nodes: [leonardoNode(trainParams())], credentials, input: pngItems(12) });
		expect(result.status).toBe('error');
		expect(result.error?.description).toMatch(/No training was started; the dataset [0-9a-f-]{36} was deleted/);
		const deletes = emu.admin.requests({ key }).filter((r) => r.method === 'DELETE' && r.path.includes('/datasets/'));
		expect(deletes).toHaveLength(1);
		expect(deletes[0].status).toBe(200);
		expect(datasetsOf(userId)).toHaveLength(0);
		expect(elementsOf(userId)).toHaveLength(0);
		expect(emu.admin.ledger(key)).toHaveLength(0);
	});

	it('deletes the dataset when the storage (presigned S3 POST) refuses an upload', async () => {
		const { credentials, key, userId } = newKey(emu, 'MAESTRO');
		// Storage answers the 4th upload with S3's 403 AccessDenied (the emulator has no fault for its S3 route).
		const server = emu.admin.server as unknown as { handleS3(ctx: { res: import('http').ServerResponse }): Promise<void> };
		const original = server.handleS3.bind(server);
		let uploads = 0;
		server.handleS3 = async (ctx) => {
			if (++uploads !== 4) return await original(ctx);
			const payload = '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
			ctx.res.writeHead(403, { 'content-type': 'application/xml' });
			ctx.res.end(payload);
		};
		try {
			const result = await runWorkflow({ nodes: [leonardoNode(trainParams())], credentials, input: pngItems(12) });
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('Upload to Leonardo storage failed (HTTP 403)');
			expect(result.error?.description).toMatch(/\d+ of 12 images had been added\. No training was started; the dataset [0-9a-f-]{36} was deleted/);
		} finally {
			server.handleS3 = original;
		}
		expect(datasetsOf(userId)).toHaveLength(0);
		expect(elementsOf(userId)).toHaveLength(0);
		expect(emu.admin.requests({ key }).filter((r) => r.method === 'POST' && r.path.endsWith('/elements'))).toHaveLength(0);
		expect(emu.admin.ledger(key)).toHaveLength(0);
	});

	it('puts the dataset ID in the error when the delete fails too', async () => {
		const { credentials, key, userId } = newKey(emu, 'MAESTRO');
		// Every request on /datasets/{id}... (uploads AND the clean-up delete) is refused.
		emu.admin.setFaults({ serverErrors: { next: 100, match: '/datasets/', status: 403 } });
		const result = await runWorkflow({ nodes: [leonardoNode(trainParams())], credentials, input: pngItems(12) });
		expect(result.status).toBe('error');
		const [dataset] = datasetsOf(userId);
		expect(dataset).toBeDefined();
		expect(result.error?.description).toContain(`The dataset ${dataset.id} could NOT be deleted`);
		expect(result.error?.description).toContain('LoRA → Delete Dataset');
		expect(emu.admin.requests({ key }).some((r) => r.method === 'DELETE' && r.path.includes(dataset.id))).toBe(true);
		expect(emu.admin.ledger(key)).toHaveLength(0);
	});

	it('with continueOnFail: one error item paired with every input item, carrying the dataset ID', async () => {
		const { credentials, userId } = newKey(emu, 'MAESTRO');
		emu.admin.setFaults({ serverErrors: { next: 100, match: '/datasets/', status: 403 } });
		const result = await runWorkflow({
			nodes: [leonardoNode(trainParams(), { continueOnFail: true })],
			credentials,
			input: pngItems(10),
		});
		expect(result.status).toBe('success');
		const out = result.output('Leonardo');
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toHaveLength(10);
		const [dataset] = datasetsOf(userId);
		expect(out[0].json).toMatchObject({ datasetId: dataset.id });
		expect(String(out[0].json.error)).toBeTruthy();
	});
});
