/**
 * Image editing operations through n8n's real WorkflowExecute against the emulator over real HTTP.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { EmulatorHandle } from '../../emulator';
import { encodePng, pngInfo } from '../../emulator/images';
import { binaryBuffer, makeBinaryItem, runWorkflow, shutdownHarness } from '../helpers/harness';
import { PHOENIX_ID, PNG_MAGIC, emulator, leonardoNode, newKey, recordBodies } from '../node/helpers';

let emu: EmulatorHandle;

beforeAll(async () => {
	emu = await emulator(100);
});

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const poll = { waitMode: 'poll', pollIntervalSeconds: 0.5, timeoutSeconds: 60 };
const model = { __rl: true, mode: 'id', value: PHOENIX_ID };

const generateParams = {
	resource: 'image',
	operation: 'generate',
	prompt: 'a red fox in snow',
	modelId: model,
	sizeMode: 'custom',
	width: 512,
	height: 384,
	numImages: 1,
	download: false,
	...poll,
};

const requestsOf = (key: string) => emu.admin.requests({ key }).map((r) => `${r.method} ${r.path}`);

function png(width: number, height: number, value = 128) {
	return encodePng(width, height, new Uint8Array(width * height * 3).fill(value));
}

/** An input item with the image under `data` and (optionally) a mask under `mask`. */
function canvasItem(image: Buffer, mask?: Buffer): INodeExecutionData {
	const item = makeBinaryItem(image, { fileName: 'image.png', mimeType: 'image/png' });
	if (mask) item.binary!.mask = makeBinaryItem(mask, { fileName: 'mask.png', property: 'mask' }).binary!.mask;
	return item;
}

async function generatedImageId(credentials: Record<string, Record<string, unknown>>) {
	const result = await runWorkflow({ nodes: [leonardoNode(generateParams)], credentials: credentials as never });
	expect(result.error).toBeUndefined();
	return String(result.output('Leonardo')[0].json.imageId);
}

async function expectPng(item: INodeExecutionData) {
	expect(item.binary?.data?.mimeType).toBe('image/png');
	const bytes = await binaryBuffer(item, 'data');
	expect(bytes.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
	const info = pngInfo(bytes);
	expect(info).not.toBeNull();
	return { bytes, info: info! };
}

describe('Image → Upscale', () => {
	it('Universal Upscaler (style) on the image of a previous Generate, PNG output', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				{ ...leonardoNode(generateParams), name: 'Generate' },
				leonardoNode({ resource: 'image', operation: 'upscale', upscalerStyle: 'CINEMATIC', ...poll }, { name: 'Upscale' }),
			],
			connections: { Generate: { main: [[{ node: 'Upscale', type: 'main', index: 0 }]] } },
			credentials,
		});
		expect(result.error).toBeUndefined();
		const imageId = result.output('Generate')[0].json.imageId;
		expect(bodies.json('POST', 'universal-upscaler').at(-1)).toEqual({
			creativityStrength: 5,
			upscaleMultiplier: 1.5,
			upscalerStyle: 'CINEMATIC',
			generatedImageId: imageId,
		});
		const [item] = result.output('Upscale');
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			status: 'COMPLETE',
			transformType: 'UPSCALE',
			sourceImageId: imageId,
			operation: 'upscale',
			plan: 'Artisan',
		});
		expect(item.json.variationId).toEqual(expect.any(String));
		expect(item.json.cost).toEqual(expect.objectContaining({ amount: expect.any(String) }));
		const { info } = await expectPng(item);
		expect(info).toMatchObject({ width: 768, height: 576 });
		expect(requestsOf(key).filter((r) => r.startsWith('GET') && r.includes('/variations/')).length).toBeGreaterThan(0);
	});

	it('Universal Upscaler (ultra) from an input binary: init-image upload, no upscalerStyle sent', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'image',
					operation: 'upscale',
					source: 'binary',
					upscaleMode: 'ultra',
					ultraUpscaleStyle: 'REALISTIC',
					upscaleMultiplier: 2,
					detailContrast: 7,
					similarity: 3,
					...poll,
				}),
			],
			credentials,
			input: [makeBinaryItem(png(64, 48))],
		});
		expect(result.error).toBeUndefined();
		expect(requestsOf(key)).toContain('POST /api/rest/v1/init-image');
		const sent = bodies.json('POST', 'universal-upscaler').at(-1)!;
		expect(sent).toMatchObject({ ultraUpscaleStyle: 'REALISTIC', upscaleMultiplier: 2, detailContrast: 7, similarity: 3 });
		expect(sent).not.toHaveProperty('upscalerStyle');
		expect(sent.initImageId).toEqual(expect.any(String));
		await expectPng(result.output('Leonardo')[0]);
	});

	it('Universal Upscaler on a previous variation (variationId)', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				{ ...leonardoNode({ resource: 'image', operation: 'upscale', imageId, download: false, ...poll }), name: 'First' },
				leonardoNode({ resource: 'image', operation: 'upscale', source: 'variation', ...poll }, { name: 'Second' }),
			],
			connections: { First: { main: [[{ node: 'Second', type: 'main', index: 0 }]] } },
			credentials,
		});
		expect(result.error).toBeUndefined();
		const first = result.output('First')[0].json.variationId;
		expect(bodies.json('POST', 'universal-upscaler').at(-1)).toMatchObject({ variationId: first });
		await expectPng(result.output('Second')[0]);
	});

	it('classic upscale sends {id} to /variations/upscale', async () => {
		const { credentials } = newKey(emu, 'MAESTRO');
		const imageId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'upscale', upscaler: 'classic', imageId, ...poll })],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies.json('POST', '/variations/upscale')).toEqual([{ id: imageId }]);
		const [item] = result.output('Leonardo');
		expect(item.json).toMatchObject({ transformType: 'UPSCALE', plan: 'Maestro' });
		const { info } = await expectPng(item);
		expect(info).toMatchObject({ width: 1024, height: 768 });
	});

	it.each([
		[{ upscaler: 'classic', source: 'binary' }, /classic upscale takes a generated image ID only/],
		[{ imageId: 'abc' }, /Image ID "abc" is not a Leonardo ID/],
		[{ imageId: '11111111-2222-4333-8444-555555555555', upscaleMultiplier: 2.5 }, /Upscale Multiplier must be between 1.0 and 2.0/],
		[{ imageId: '11111111-2222-4333-8444-555555555555', creativityStrength: 0 }, /Creativity Strength must be a whole number from 1 to 10/],
		[{ source: 'binary', binaryPropertyName: 'missing' }, /Input Binary Field: input item 0 has no binary property "missing"/],
	])('refuses %j before any request', async (params, message) => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'upscale', ...params, ...poll })],
			credentials,
			input: [makeBinaryItem(png(16, 16))],
		});
		expect(result.error?.message).toMatch(message);
		expect(requestsOf(key)).toEqual([]);
	});
});

describe('Image → Remove Background / Unzoom', () => {
	it('Remove Background outputs a transparent PNG (RGBA)', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'removeBackground', imageId, ...poll })],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies.json('POST', '/variations/nobg')).toEqual([{ id: imageId }]);
		const [item] = result.output('Leonardo');
		expect(item.json).toMatchObject({ transformType: 'NOBG', sourceImageId: imageId, operation: 'removeBackground' });
		const { info } = await expectPng(item);
		expect(info.colorType).toBe(6); // RGBA: the background is transparent
	});

	it('Unzoom on a variation sends isVariation', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				{ ...leonardoNode({ resource: 'image', operation: 'removeBackground', imageId, download: false, ...poll }), name: 'NoBg' },
				leonardoNode({ resource: 'image', operation: 'unzoom', source: 'variation', ...poll }, { name: 'Unzoom' }),
			],
			connections: { NoBg: { main: [[{ node: 'Unzoom', type: 'main', index: 0 }]] } },
			credentials,
		});
		expect(result.error).toBeUndefined();
		const variationId = result.output('NoBg')[0].json.variationId;
		expect(bodies.json('POST', '/variations/unzoom')).toEqual([{ id: variationId, isVariation: true }]);
		const [item] = result.output('Unzoom');
		expect(item.json).toMatchObject({ transformType: 'UNZOOM', sourceVariationId: variationId });
		await expectPng(item);
	});

	it("Don't Wait returns the variation ID and cost at once", async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		emu.admin.clearRequests();
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'removeBackground', imageId, waitMode: 'none' })],
			credentials,
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output('Leonardo');
		expect(item.json).toMatchObject({ status: 'PENDING', operation: 'removeBackground' });
		expect(item.json.variationId).toEqual(expect.any(String));
		expect(item.json.cost).toEqual(expect.objectContaining({ amount: expect.any(String) }));
		expect(item.binary).toBeUndefined();
		expect(requestsOf(key)).toEqual(['POST /api/rest/v1/variations/nobg']);
	});

	it('a failing item does not lose the variation ID of an item that was submitted alongside it', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		emu.admin.clearRequests();
		// Item 0 is valid (its job is submitted), item 1 is refused by validation while item 0 runs.
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'removeBackground', imageId: '={{ $json.imageId }}', waitMode: 'none' })],
			credentials,
			input: [{ json: { imageId } }, { json: { imageId: 'not-an-id' } }],
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Image ID "not-an-id"/);
		const submitted = emu.admin.ledger(key).filter((entry) => entry.operation.includes('nobg')).map((entry) => entry.jobId);
		expect(submitted).toHaveLength(1);
		expect(result.error?.description).toContain(submitted[0]);
	});
});

describe('Image → Image to Image', () => {
	it('from an input binary: uploads an init image and sends init_image_id + init_strength', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'image',
					operation: 'imageToImage',
					source: 'binary',
					initStrength: 0.3,
					prompt: 'as a watercolor',
					modelId: model,
					numImages: 2,
					width: 512,
					height: 512,
					...poll,
				}),
			],
			credentials,
			input: [makeBinaryItem(png(64, 64))],
		});
		expect(result.error).toBeUndefined();
		const paths = requestsOf(key);
		expect(paths.indexOf('POST /api/rest/v1/init-image')).toBeLessThan(paths.indexOf('POST /api/rest/v1/generations'));
		const sent = bodies.json('POST', '/api/rest/v1/generations').at(-1)!;
		expect(sent).toMatchObject({ prompt: 'as a watercolor', modelId: PHOENIX_ID, num_images: 2, width: 512, height: 512, init_strength: 0.3 });
		expect(sent.init_image_id).toEqual(expect.any(String));
		expect(sent).not.toHaveProperty('init_generation_image_id');
		const out = result.output('Leonardo');
		expect(out).toHaveLength(2);
		for (const item of out) {
			expect(item.json).toMatchObject({ operation: 'imageToImage', initStrength: 0.3, width: 512, height: 512 });
			await expectPng(item);
		}
	});

	it('from a generated image ID sends init_generation_image_id', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'image',
					operation: 'imageToImage',
					source: 'generated',
					imageId,
					prompt: 'at night',
					modelId: model,
					...poll,
				}),
			],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies.json('POST', '/api/rest/v1/generations').at(-1)).toEqual({
			prompt: 'at night',
			modelId: PHOENIX_ID,
			num_images: 1,
			init_strength: 0.5,
			init_generation_image_id: imageId,
		});
		await expectPng(result.output('Leonardo')[0]);
	});

	it.each([
		[{ initStrength: 0.95 }, /Init Strength must be between 0.1 and 0.9 \(got 0.95\)/],
		[{ width: 512, height: 0 }, /Width \(Px\) and Height \(Px\) must be set together/],
		[{ width: 500, height: 512 }, /Width \(Px\) must be a multiple of 8/],
		[{ numImages: 9 }, /Number of Images must be at most 8 \(got 9\)/],
		[{ width: 1024, height: 1024, numImages: 5 }, /Number of Images must be at most 4 when width or height is over 768 px/],
	])('refuses %j before any request', async (params, message) => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'image',
					operation: 'imageToImage',
					source: 'binary',
					prompt: 'x',
					modelId: model,
					...params,
					...poll,
				}),
			],
			credentials,
			input: [makeBinaryItem(png(64, 64))],
		});
		expect(result.error?.message).toMatch(message);
		expect(requestsOf(key)).toEqual([]);
	});

	it('refuses a binary that is not an image before any request', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'imageToImage', source: 'binary', prompt: 'x', modelId: model, ...poll })],
			credentials,
			input: [makeBinaryItem(Buffer.from('hello, not a picture'), { fileName: 'a.png', mimeType: 'image/png' })],
		});
		expect(result.error?.message).toMatch(/Input Binary Field: binary property "data" is not a PNG, JPEG or WebP image/);
		expect(requestsOf(key)).toEqual([]);
	});
});

describe('Image → Inpaint / Outpaint (canvas)', () => {
	it('Inpaint uploads image and mask through /canvas-init-image and sends the canvas request', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'image',
					operation: 'inpaint',
					prompt: 'a red door',
					modelId: model,
					initStrength: 0.4,
					...poll,
				}),
			],
			credentials,
			input: [canvasItem(png(96, 64), png(96, 64, 255))],
		});
		expect(result.error).toBeUndefined();
		expect(bodies.json('POST', 'canvas-init-image')).toEqual([{ initExtension: 'png', maskExtension: 'png' }]);
		// Two presigned uploads (no API key on them).
		expect(bodies.bodies.filter((b) => b.method === 'POST' && b.url.includes('/_s3/'))).toHaveLength(2);
		const sent = bodies.json('POST', '/api/rest/v1/generations').at(-1)!;
		expect(sent).toMatchObject({
			prompt: 'a red door',
			canvasRequest: true,
			canvasRequestType: 'INPAINT',
			init_strength: 0.4,
			width: 96,
			height: 64,
		});
		expect(sent.canvasInitId).toEqual(expect.any(String));
		expect(sent.canvasMaskId).toEqual(expect.any(String));
		expect(sent.canvasInitId).not.toBe(sent.canvasMaskId);
		expect(requestsOf(key).filter((r) => r === 'POST /api/rest/v1/generations')).toHaveLength(1);
		const [item] = result.output('Leonardo');
		expect(item.json).toMatchObject({ operation: 'inpaint', canvasRequestType: 'INPAINT', width: 96, height: 64 });
		await expectPng(item);
	});

	it('Outpaint without a mask uploads the image only', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'outpaint', prompt: 'more sky', modelId: model, ...poll })],
			credentials,
			input: [canvasItem(png(64, 64))],
		});
		expect(result.error).toBeUndefined();
		expect(bodies.bodies.filter((b) => b.method === 'POST' && b.url.includes('/_s3/'))).toHaveLength(1);
		const sent = bodies.json('POST', '/api/rest/v1/generations').at(-1)!;
		expect(sent).toMatchObject({ canvasRequest: true, canvasRequestType: 'OUTPAINT', init_strength: 0.5 });
		expect(sent).not.toHaveProperty('canvasMaskId');
		await expectPng(result.output('Leonardo')[0]);
	});

	it.each([
		['mask of another size', canvasItem(png(64, 64), png(64, 48)), {}, /Mask Binary Field: the mask is 64x48 but the image is 64x64/],
		['side not a multiple of 8', canvasItem(png(60, 64), png(60, 64)), {}, /Image Binary Field: the image width must be a multiple of 8 px \(it is 60x64\)/],
		['side over 1536', canvasItem(png(1544, 8), png(1544, 8)), {}, /the image width must be between 32 and 1536 px/],
		['no mask', canvasItem(png(64, 64)), {}, /Mask Binary Field: input item 0 has no binary property "mask"/],
		['mask not an image', canvasItem(png(64, 64), Buffer.from('nope')), {}, /Mask Binary Field: binary property "mask" is not a PNG, JPEG or WebP image/],
		['init strength too low', canvasItem(png(64, 64), png(64, 64)), { initStrength: 0.1 }, /Init Strength must be between 0.2 and 0.9/],
	])('Inpaint refuses %s before any request', async (_label, input, params, message) => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'image', operation: 'inpaint', prompt: 'x', modelId: model, ...params, ...poll })],
			credentials,
			input: [input],
		});
		expect(result.error?.message).toMatch(message);
		expect(requestsOf(key)).toEqual([]);
	});
});

describe('Editing plan rules', () => {
	it.each(['FREE', 'APPRENTICE'] as const)('%s: every edit refused before any request', async (plan) => {
		const { credentials, key } = newKey(emu, plan);
		for (const operation of ['upscale', 'removeBackground', 'unzoom', 'imageToImage', 'inpaint', 'outpaint']) {
			const result = await runWorkflow({
				nodes: [
					leonardoNode({
						resource: 'image',
						operation,
						imageId: '11111111-2222-4333-8444-555555555555',
						prompt: 'x',
						modelId: model,
						...poll,
					}),
				],
				credentials,
				input: [canvasItem(png(64, 64), png(64, 64))],
			});
			expect(result.error?.message).toMatch(/has no Leonardo API access/);
		}
		expect(requestsOf(key)).toEqual([]);
	});
});
