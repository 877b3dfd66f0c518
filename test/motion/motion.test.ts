/**
 * Motion resource through n8n's real WorkflowExecute against the emulator over real HTTP.
 */
import { Readable } from 'stream';

import { BinaryDataService } from 'n8n-core';

import type { EmulatorHandle } from '../../emulator';
import { topLevelBoxes } from '../../emulator/video';
import { encodePng } from '../../emulator/images';
import { motionPlanProblem, VIDEO_MODEL_INFO } from '../../nodes/Leonardo/actions/motion/common';
import { PLAN_PROFILES } from '../../nodes/shared/plans';
import { binaryBuffer, makeBinaryItem, runWorkflow, shutdownHarness } from '../helpers/harness';
import { PHOENIX_ID, emulator, leonardoNode, newKey, recordBodies } from '../node/helpers';

let emu: EmulatorHandle;

beforeAll(async () => {
	emu = await emulator(100);
});

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const poll = { waitMode: 'poll', pollIntervalSeconds: 0.5, timeoutSeconds: 60 };

const generateParams = {
	resource: 'image',
	operation: 'generate',
	prompt: 'a lighthouse at dusk',
	modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
	sizeMode: 'custom',
	width: 512,
	height: 288,
	numImages: 1,
	...poll,
};

const requestsOf = (key: string) => emu.admin.requests({ key }).map((r) => `${r.method} ${r.path}`);

/** Generates one image with the Leonardo node and returns its image id. */
async function generatedImageId(credentials: Record<string, Record<string, unknown>>) {
	const result = await runWorkflow({
		nodes: [leonardoNode(generateParams)],
		credentials: credentials as never,
	});
	expect(result.error).toBeUndefined();
	return String(result.output('Leonardo')[0].json.imageId);
}

async function expectMp4(bytes: Buffer) {
	expect(bytes.length).toBeGreaterThan(0);
	const boxes = topLevelBoxes(bytes).map((b) => b.type);
	expect(boxes[0]).toBe('ftyp');
	expect(boxes).toEqual(expect.arrayContaining(['moov', 'mdat']));
	// Box sizes add up to the file: the container was not truncated.
	expect(topLevelBoxes(bytes).reduce((sum, b) => sum + b.size, 0)).toBe(bytes.length);
}

describe('Motion → Generate from Image (SVD)', () => {
	it('chains Image Generate → Motion with {{$json.imageId}} and outputs the MP4 as binary', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [
				{ name: 'Trigger', type: 'n8n-nodes-base.manualTrigger' },
				{ ...leonardoNode(generateParams), name: 'Generate' },
				leonardoNode(
					{ resource: 'motion', operation: 'generateFromImage', motionStrength: 7, ...poll },
					{ name: 'Motion' },
				),
			],
			connections: {
				Trigger: { main: [[{ node: 'Generate', type: 'main', index: 0 }]] },
				Generate: { main: [[{ node: 'Motion', type: 'main', index: 0 }]] },
			},
			credentials,
		});
		expect(result.error).toBeUndefined();
		const imageId = result.output('Generate')[0].json.imageId;
		const out = result.output('Motion');
		expect(out).toHaveLength(1);
		const item = out[0];
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			status: 'COMPLETE',
			sourceImageId: imageId,
			motionStrength: 7,
			modelId: 'SVD',
			plan: 'Artisan',
			priorityProcessing: false,
		});
		expect(item.json.generationId).toEqual(expect.any(String));
		expect(String(item.json.url)).toMatch(/\.mp4$/);
		expect(item.json.videoUrl).toBe(item.json.url);
		expect(item.json.cost).toEqual(expect.objectContaining({ amount: expect.any(String) }));
		const binary = item.binary!.data;
		expect(binary.mimeType).toBe('video/mp4');
		expect(binary.fileName).toBe(`${item.json.generationId}.mp4`);
		await expectMp4(await binaryBuffer(item, 'data'));
		expect(requestsOf(key).filter((r) => r.includes('generations-motion-svd'))).toHaveLength(1);
	});

	it('hands the MP4 to n8n binary storage as a stream, not a buffer', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		const store = jest.spyOn(BinaryDataService.prototype, 'store');
		try {
			const result = await runWorkflow({
				nodes: [leonardoNode({ resource: 'motion', operation: 'generateFromImage', imageId, ...poll })],
				credentials,
			});
			expect(result.error).toBeUndefined();
			const videoCalls = store.mock.calls.filter(([, , meta]) => meta.mimeType === 'video/mp4');
			expect(videoCalls).toHaveLength(1);
			const [, data] = videoCalls[0];
			expect(Buffer.isBuffer(data)).toBe(false);
			expect(data).toBeInstanceOf(Readable);
			await expectMp4(await binaryBuffer(result.output('Leonardo')[0], 'data'));
		} finally {
			store.mockRestore();
		}
	});

	it('uploads an input binary as init image and sends isInitImage', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const bodies = recordBodies(emu);
		const png = encodePng(64, 64, new Uint8Array(64 * 64 * 3).fill(128));
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'motion',
					operation: 'generateFromImage',
					source: 'binary',
					binaryPropertyName: 'data',
					...poll,
				}),
			],
			credentials,
			input: [makeBinaryItem(png, { fileName: 'still.png', mimeType: 'image/png' })],
		});
		expect(result.error).toBeUndefined();
		const paths = requestsOf(key);
		expect(paths.some((p) => p.startsWith('POST') && p.includes('/init-image'))).toBe(true);
		const svd = bodies.json('POST', 'generations-motion-svd').at(-1)!;
		expect(svd).toMatchObject({ isInitImage: true, motionStrength: 5, isPublic: false });
		await expectMp4(await binaryBuffer(result.output('Leonardo')[0], 'data'));
	});

	it('refuses an Image ID that is not a UUID before any request', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'motion', operation: 'generateFromImage', imageId: 'not-an-id', ...poll })],
			credentials,
		});
		expect(result.error?.message).toMatch(/Image ID "not-an-id" is not a Leonardo image ID/);
		expect(requestsOf(key)).toEqual([]);
	});

	it('refuses Motion Strength out of range before any request', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'motion',
					operation: 'generateFromImage',
					imageId: 'ece8c6a9-3deb-430e-8c93-4d5061b6adbf',
					motionStrength: 11,
					...poll,
				}),
			],
			credentials,
		});
		expect(result.error?.message).toMatch(/Motion Strength must be a whole number from 1 to 10/);
		expect(requestsOf(key)).toEqual([]);
	});
});

describe('Motion → Image to Video / Text to Video', () => {
	it('Image to Video (Motion 2.0) from a generated image with camera controls', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'motion',
					operation: 'imageToVideo',
					imageId,
					prompt: 'the camera slowly pushes in',
					videoModel: 'MOTION2',
					resolution: 'RESOLUTION_480',
					elements: { element: [{ akUUID: 'ece8c6a9-3deb-430e-8c93-4d5061b6adbf', weight: 1 }] },
					options: { negativePrompt: 'blur', promptEnhance: false, seed: 42 },
					...poll,
				}),
			],
			credentials,
		});
		expect(result.error).toBeUndefined();
		const sent = bodies.json('POST', 'generations-image-to-video').at(-1)!;
		expect(sent).toEqual({
			prompt: 'the camera slowly pushes in',
			model: 'MOTION2',
			resolution: 'RESOLUTION_480',
			negativePrompt: 'blur',
			promptEnhance: false,
			seed: 42,
			elements: [{ akUUID: 'ece8c6a9-3deb-430e-8c93-4d5061b6adbf', weight: 1 }],
			imageId,
			imageType: 'GENERATED',
		});
		const item = result.output('Leonardo')[0];
		expect(item.json).toMatchObject({ model: 'Motion 2.0', resolution: 'RESOLUTION_480', durationSeconds: 5 });
		expect(item.binary!.data.mimeType).toBe('video/mp4');
		await expectMp4(await binaryBuffer(item, 'data'));
	});

	it('Image to Video from an input binary uploads an init image and sends imageType UPLOADED', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const bodies = recordBodies(emu);
		const png = encodePng(64, 64, new Uint8Array(64 * 64 * 3).fill(90));
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'motion',
					operation: 'imageToVideo',
					source: 'binary',
					prompt: 'leaves rustle',
					videoModel: 'MOTION2FAST',
					...poll,
				}),
			],
			credentials,
			input: [makeBinaryItem(png, { fileName: 'still.png' })],
		});
		expect(result.error).toBeUndefined();
		const paths = requestsOf(key);
		expect(paths.indexOf('POST /api/rest/v1/init-image')).toBeLessThan(
			paths.indexOf('POST /api/rest/v1/generations-image-to-video'),
		);
		const sent = bodies.json('POST', 'generations-image-to-video').at(-1)!;
		expect(sent).toMatchObject({ imageType: 'UPLOADED', model: 'MOTION2FAST', resolution: 'RESOLUTION_720' });
		expect(sent).not.toHaveProperty('duration');
		await expectMp4(await binaryBuffer(result.output('Leonardo')[0], 'data'));
	});

	it('Generate from Image on a variation (upscaled image) sends isVariation', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const imageId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				{ ...leonardoNode({ resource: 'image', operation: 'upscale', upscaler: 'classic', imageId, download: false, ...poll }), name: 'Upscale' },
				leonardoNode(
					{
						resource: 'motion',
						operation: 'generateFromImage',
						imageId: '={{ $json.variationId }}',
						imageKind: 'variation',
						...poll,
					},
					{ name: 'Motion' },
				),
			],
			connections: { Upscale: { main: [[{ node: 'Motion', type: 'main', index: 0 }]] } },
			credentials,
		});
		expect(result.error).toBeUndefined();
		const variationId = result.output('Upscale')[0].json.variationId;
		expect(bodies.json('POST', 'generations-motion-svd').at(-1)).toEqual({
			imageId: variationId,
			motionStrength: 5,
			isPublic: false,
			isVariation: true,
		});
		await expectMp4(await binaryBuffer(result.output('Motion')[0], 'data'));
	});

	it('a FAILED motion job is an error carrying the generation ID (continueOnFail: an error item)', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		emu.admin.setFaults({ failJobs: { next: 1 } });
		try {
			const result = await runWorkflow({
				nodes: [
					leonardoNode(
						{ resource: 'motion', operation: 'textToVideo', prompt: 'storm', videoModel: 'MOTION2', ...poll },
						{ continueOnFail: true },
					),
				],
				credentials,
			});
			expect(result.error).toBeUndefined();
			const [item] = result.output('Leonardo');
			expect(item.json.error).toMatch(/failed/);
			expect(item.json.generationId).toEqual(expect.any(String));
			expect(String(item.json.description)).toContain(String(item.json.generationId));
			expect(item.binary).toBeUndefined();
		} finally {
			emu.admin.clearFaults();
		}
	});

	it('Image to Video (Kling 2.1) with an end frame, 10 s, 1080p by model default', async () => {
		const { credentials } = newKey(emu, 'MAESTRO');
		const imageId = await generatedImageId(credentials);
		const endId = await generatedImageId(credentials);
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'motion',
					operation: 'imageToVideo',
					imageId,
					prompt: 'morph',
					videoModel: 'KLING2_1',
					duration: 10,
					endFrameImageId: endId,
					endFrameImageType: 'GENERATED',
					waitMode: 'none',
				}),
			],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies.json('POST', 'generations-image-to-video').at(-1)).toMatchObject({
			model: 'KLING2_1',
			resolution: 'RESOLUTION_1080',
			duration: 10,
			endFrameImage: { id: endId, type: 'GENERATED' },
		});
		const item = result.output('Leonardo')[0];
		expect(item.json).toMatchObject({ status: 'PENDING', priorityProcessing: true, plan: 'Maestro' });
		expect(item.binary).toBeUndefined();
	});

	it('Text to Video (Veo 3, 6 s) on Maestro notes priority and outputs the MP4', async () => {
		const { credentials } = newKey(emu, 'MAESTRO');
		const bodies = recordBodies(emu);
		const result = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'motion',
					operation: 'textToVideo',
					prompt: 'waves at sunset',
					videoModel: 'VEO3',
					duration: 6,
					resolution: 'RESOLUTION_1080',
					...poll,
				}),
			],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies.json('POST', 'generations-text-to-video').at(-1)).toEqual({
			prompt: 'waves at sunset',
			model: 'VEO3',
			resolution: 'RESOLUTION_1080',
			duration: 6,
		});
		const item = result.output('Leonardo')[0];
		expect(item.json).toMatchObject({ priorityProcessing: true, plan: 'Maestro', durationSeconds: 6, status: 'COMPLETE' });
		expect(item.json.cost).toEqual(expect.objectContaining({ amount: expect.any(String) }));
		await expectMp4(await binaryBuffer(item, 'data'));
	});

	it.each([
		[{ videoModel: 'VEO3', duration: 5 }, /Duration \(Seconds\): Veo 3 accepts 4, 6, 8 s, not 5/],
		[{ videoModel: 'MOTION2', duration: 8 }, /Duration \(Seconds\): Motion 2.0 clips have a fixed length of 5 s/],
		[{ videoModel: 'KLING2_5', resolution: 'RESOLUTION_720' }, /Resolution: Kling 2.5 Turbo supports RESOLUTION_1080, not RESOLUTION_720/],
		[
			{ videoModel: 'VEO3', elements: { element: [{ akUUID: 'ece8c6a9-3deb-430e-8c93-4d5061b6adbf', weight: 1 }] } },
			/Camera Controls \(Motion 2.0\): Veo 3 does not accept elements/,
		],
		[{ videoModel: 'MOTION2', options: { styleIds: 'abc' } }, /Style IDs: "abc" is not a style UUID/],
		[{ videoModel: 'MOTION2', prompt: 'x'.repeat(1501) }, /Prompt is 1501 characters long; Leonardo accepts at most 1500/],
		[{ videoModel: 'VEO3', options: { seed: 4294967294 } }, /Seed must be a whole number between 0 and 4294967293 for Veo 3/],
	])('refuses bad video input #%# before any request', async (params, message) => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode({ resource: 'motion', operation: 'textToVideo', prompt: 'x', ...params, ...poll })],
			credentials,
		});
		expect(result.error?.message).toMatch(message);
		expect(requestsOf(key)).toEqual([]);
	});
});

describe('Motion plan rules', () => {
	it.each(['FREE', 'APPRENTICE'] as const)('%s: refused before any request (no API access)', async (plan) => {
		const { credentials, key } = newKey(emu, plan);
		for (const operation of ['generateFromImage', 'imageToVideo', 'textToVideo']) {
			const result = await runWorkflow({
				nodes: [
					leonardoNode({
						resource: 'motion',
						operation,
						prompt: 'waves',
						imageId: 'ece8c6a9-3deb-430e-8c93-4d5061b6adbf',
						...poll,
					}),
				],
				credentials,
			});
			expect(result.error?.message).toMatch(/has no Leonardo API access/);
		}
		expect(requestsOf(key)).toEqual([]);
	});

	it('Free: no motion at all', () => {
		const problem = motionPlanProblem(PLAN_PROFILES.FREE, { modelName: 'Motion 2.0', durationSeconds: 5 });
		expect(problem?.message).toMatch(/^Motion: the Free plan has no motion generation; Artisan or Maestro needed/);
	});

	it('Apprentice: limited to RESOLUTION_480 and 3 s clips, named in the message', () => {
		const apprentice = PLAN_PROFILES.APPRENTICE;
		expect(apprentice.motion).toMatchObject({ access: 'limited', maxResolution: 'RESOLUTION_480', maxDurationSeconds: 3 });
		const resolution = motionPlanProblem(apprentice, {
			modelName: 'Motion 2.0',
			resolution: 'RESOLUTION_720',
			durationSeconds: 3,
		});
		expect(resolution?.message).toBe('Resolution: the Apprentice plan allows motion up to RESOLUTION_480, not RESOLUTION_720');
		expect(resolution?.description).toMatch(/at most 480p \(RESOLUTION_480\) and clips of at most 3 s/);
		const duration = motionPlanProblem(apprentice, {
			modelName: 'Veo 3',
			resolution: 'RESOLUTION_480',
			durationSeconds: VIDEO_MODEL_INFO.VEO3.defaultDurationSeconds,
			durationParameter: 'Duration (Seconds)',
		});
		expect(duration?.message).toBe('Duration (Seconds): the Apprentice plan allows clips up to 3 s; Veo 3 gives 8 s');
		expect(
			motionPlanProblem(apprentice, { modelName: 'x', resolution: 'RESOLUTION_480', durationSeconds: 3 }),
		).toBeUndefined();
	});

	it.each(['ARTISAN', 'MAESTRO', 'CUSTOM'] as const)('%s: full motion (1080p, 10 s) allowed', (plan) => {
		expect(
			motionPlanProblem(PLAN_PROFILES[plan], { modelName: 'Kling', resolution: 'RESOLUTION_1080', durationSeconds: 10 }),
		).toBeUndefined();
	});

	it('Artisan runs without priority, Maestro with priority (in the output)', async () => {
		for (const [plan, priority] of [
			['ARTISAN', false],
			['MAESTRO', true],
		] as const) {
			const { credentials } = newKey(emu, plan);
			const result = await runWorkflow({
				nodes: [
					leonardoNode({
						resource: 'motion',
						operation: 'textToVideo',
						prompt: 'rain on a window',
						videoModel: 'MOTION2FAST',
						download: false,
						...poll,
					}),
				],
				credentials,
			});
			expect(result.error).toBeUndefined();
			const item = result.output('Leonardo')[0];
			expect(item.json.priorityProcessing).toBe(priority);
			expect(item.binary).toBeUndefined();
			expect(String(item.json.url)).toMatch(/\.mp4$/);
		}
	});
});
