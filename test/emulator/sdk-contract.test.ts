/**
 * Contract test: the official @leonardo-ai/sdk calls the emulator for every operation the emulator serves,
 * over real HTTP, and the SDK's own response validation (zod inbound schemas, strict enums, integer fields,
 * `fields` as string) must pass: any mismatch throws ResponseValidationError and fails the test.
 */
import { Leonardo } from '@leonardo-ai/sdk';
import * as operations from '@leonardo-ai/sdk/sdk/models/operations';
import * as shared from '@leonardo-ai/sdk/sdk/models/shared';
import type { EmulatorHandle } from '../../emulator';
import { pngInfo } from '../../emulator/images';
import { topLevelBoxes } from '../../emulator/video';
import { download, presignedUpload, waitFor } from './helpers';
import { start } from './helpers';

let emu: EmulatorHandle;
let sdk: Leonardo;
let userId: string;

const PNG_BYTES = Buffer.from(
	'89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
	'hex',
);

beforeAll(async () => {
	// 250 ms PENDING: long enough to observe PENDING on a loaded machine, short enough for a fast suite.
	emu = await start({ latencyMs: 250, trainingLatencyMs: 300 });
	// CUSTOM key: Maestro-like concurrency (10) with 2000 requests/min, so polling does not hit the plan rate limit.
	sdk = new Leonardo({ bearerAuth: emu.keyFor('CUSTOM'), serverURL: emu.url + '/api/rest/v1' });
	const me = await sdk.user.getUserSelf();
	userId = me.object?.userDetails?.[0]?.user?.id as string;
});

afterAll(async () => {
	await emu.stop();
});

async function completedGeneration(id: string) {
	return waitFor(async () => {
		const r = await sdk.image.getGenerationById(id);
		const g = r.object?.generationsByPk;
		return g && g.status !== shared.JobStatus.Pending ? g : undefined;
	});
}

async function completedVariation(id: string) {
	return waitFor(async () => {
		const r = await sdk.variation.getVariationById(id);
		const v = r.object?.generatedImageVariationGeneric?.[0];
		return v && v.status !== shared.JobStatus.Pending ? v : undefined;
	});
}

async function uploadedInitImage(): Promise<string> {
	const up = await sdk.initImages.uploadInitImage({ extension: 'png' });
	const u = up.object?.uploadInitImage;
	expect(typeof u?.fields).toBe('string');
	const res = await presignedUpload(u?.url as string, u?.fields as string, PNG_BYTES);
	expect(res.status).toBe(204);
	return u?.id as string;
}

describe('official SDK against the emulator', () => {
	let firstImageId: string;
	let generationId: string;

	test('user.getUserSelf returns the key owner with token balances', async () => {
		const me = await sdk.user.getUserSelf();
		expect(me.statusCode).toBe(200);
		const d = me.object?.userDetails?.[0];
		expect(d?.user?.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(d?.apiConcurrencySlots).toBe(10);
		expect(d?.apiSubscriptionTokens).toBeGreaterThan(0);
	});

	test('models.listPlatformModels and elements.listElements', async () => {
		const models = await sdk.models.listPlatformModels();
		expect(models.object?.customModels?.map((m) => m.id)).toContain('b24e16ff-06e3-43eb-8d33-4416c2d75876');
		const els = await sdk.elements.listElements();
		expect(els.object?.loras?.length).toBeGreaterThan(0);
		expect(els.object?.loras?.[0].akUUID).toBeTruthy();
	});

	test('image.createGeneration -> PENDING with no images -> COMPLETE with real PNGs', async () => {
		const created = await sdk.image.createGeneration({ prompt: 'a lighthouse at dusk', numImages: 2, width: 512, height: 384, seed: 42 });
		generationId = created.object?.sdGenerationJob?.generationId as string;
		expect(generationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(created.object?.sdGenerationJob?.apiCreditCost).toBeGreaterThan(0);
		const pending = await sdk.image.getGenerationById(generationId);
		expect(pending.object?.generationsByPk?.status).toBe(shared.JobStatus.Pending);
		expect(pending.object?.generationsByPk?.generatedImages).toEqual([]);
		const g = await completedGeneration(generationId);
		expect(g.status).toBe(shared.JobStatus.Complete);
		expect(g.generatedImages).toHaveLength(2);
		expect(g.imageWidth).toBe(512);
		expect(g.seed).toBe(42);
		firstImageId = g.generatedImages?.[0].id as string;
		const file = await download(g.generatedImages?.[0].url as string);
		expect(file.status).toBe(200);
		expect(pngInfo(file.bytes)).toMatchObject({ width: 512, height: 384 });
	});

	test('image.getGenerationsByUserId pages the key owner generations', async () => {
		const list = await sdk.image.getGenerationsByUserId(userId, 10, 0);
		expect(list.object?.generations?.map((g) => g.id)).toContain(generationId);
	});

	test('init images: presigned upload flow, get, canvas init (image + mask), delete', async () => {
		const id = await uploadedInitImage();
		const got = await sdk.initImages.getInitImageById(id);
		const url = got.object?.initImagesByPk?.url as string;
		expect((await download(url)).bytes.equals(PNG_BYTES)).toBe(true);

		const canvas = await sdk.initImages.uploadCanvasInitImage({ initExtension: 'png', maskExtension: 'png' });
		const c = canvas.object?.uploadCanvasInitImage;
		expect(typeof c?.initFields).toBe('string');
		expect((await presignedUpload(c?.initUrl as string, c?.initFields as string, PNG_BYTES)).status).toBe(204);
		expect((await presignedUpload(c?.maskUrl as string, c?.maskFields as string, PNG_BYTES)).status).toBe(204);
		const inpaint = await sdk.image.createGeneration({
			prompt: 'fill the hole',
			numImages: 1,
			width: 512,
			height: 512,
			canvasRequest: true,
			canvasRequestType: shared.CanvasRequestType.Inpaint,
			canvasInitId: c?.initImageId,
			canvasMaskId: c?.maskImageId,
			initStrength: 0.5,
		});
		const g = await completedGeneration(inpaint.object?.sdGenerationJob?.generationId as string);
		expect(g.status).toBe(shared.JobStatus.Complete);

		const del = await sdk.initImages.deleteInitImageById(id);
		expect(del.object?.deleteInitImagesByPk?.id).toBe(id);
		expect((await sdk.initImages.getInitImageById(id)).object?.initImagesByPk).toBeNull();
	});

	test('datasets + elements: create, upload, upload/gen, train a LoRA, use it, list, delete', async () => {
		const ds = await sdk.dataset.createDataset({ name: 'jack', description: 'my dog' });
		const datasetId = ds.object?.insertDatasetsOne?.id as string;
		const up = await sdk.dataset.uploadDatasetImage({ extension: 'png' }, datasetId);
		const u = up.object?.uploadDatasetImage;
		expect((await presignedUpload(u?.url as string, u?.fields as string, PNG_BYTES)).status).toBe(204);
		const fromGen = await sdk.dataset.uploadDatasetImageFromGen({ generatedImageId: firstImageId }, datasetId);
		expect(fromGen.object?.uploadDatasetImageFromGen?.id).toBeTruthy();
		const got = await sdk.dataset.getDatasetById(datasetId);
		expect(got.object?.datasetsByPk?.datasetImages).toHaveLength(2);

		const el = await sdk.elements.createElement({
			name: 'jack',
			datasetId,
			instancePrompt: 'jackthedog',
			loraFocus: 'Character',
			sdVersion: operations.SdVersions.FluxDev,
			numTrainEpochs: 135,
			learningRate: 0.0005,
			trainTextEncoder: true,
		});
		const loraId = el.object?.sdTrainingJob?.userLoraId as number;
		expect(Number.isInteger(loraId)).toBe(true);
		expect((await sdk.elements.getElementById(loraId)).object?.userLorasByPk?.status).toBe(shared.JobStatus.Pending);
		const trained = await waitFor(async () => {
			const r = await sdk.elements.getElementById(loraId);
			return r.object?.userLorasByPk?.status === shared.JobStatus.Complete ? r.object.userLorasByPk : undefined;
		});
		expect(trained.id).toBe(loraId);
		const mine = await sdk.elements.getCustomElementsByUserId(userId);
		expect(mine.object?.userLoras?.map((l) => l?.id)).toContain(loraId);

		const withLora = await sdk.image.createGeneration({ prompt: 'jackthedog on a beach', numImages: 1, width: 512, height: 512, userElements: [{ userLoraId: loraId, weight: 0.8 }] });
		const g = await completedGeneration(withLora.object?.sdGenerationJob?.generationId as string);
		expect(g.generationElements?.[0]?.id).toBe(loraId);
		expect(g.generationElements?.[0]?.weightApplied).toBe(0.8);

		expect((await sdk.elements.deleteElementById(loraId)).object?.deleteUserLorasByPk?.id).toBe(loraId);
		expect((await sdk.dataset.deleteDatasetById(datasetId)).object?.deleteDatasetsByPk?.id).toBe(datasetId);
	});

	test('custom models: create, get, list by user, delete', async () => {
		const ds = await sdk.dataset.createDataset({ name: 'm' });
		const datasetId = ds.object?.insertDatasetsOne?.id as string;
		const created = await sdk.models.createModel({ name: 'jack model', datasetId, instancePrompt: 'jackthedog' });
		const id = created.object?.sdTrainingJob?.customModelId as string;
		expect((await sdk.models.getModelById(id)).object?.customModelsByPk?.status).toBe(shared.JobStatus.Pending);
		const list = await sdk.models.getCustomModelsByUserId(userId);
		expect(list.object?.customModels?.map((m) => m?.id)).toContain(id);
		expect((await sdk.models.deleteModelById(id)).object?.deleteCustomModelsByPk?.id).toBe(id);
	});

	test('motion: SVD, image-to-video, text-to-video produce MP4 files', async () => {
		const svd = await sdk.motion.createSVDMotionGeneration({ imageId: firstImageId, motionStrength: 3 });
		const i2v = await sdk.motion.createImageToVideoGeneration({ imageId: firstImageId, imageType: operations.ImageType.Generated, prompt: 'the light turns', resolution: operations.CreateImageToVideoGenerationMotionString.Resolution480, duration: 2 });
		const t2v = await sdk.motion.createTextToVideoGeneration({ prompt: 'waves rolling in', resolution: operations.CreateTextToVideoGenerationMotionString.Resolution480, duration: 2 });
		const ids = [svd.object?.motionSvdGenerationJob?.generationId, i2v.object?.motionVideoGenerationJob?.generationId, t2v.object?.motionVideoGenerationJob?.generationId] as string[];
		for (const id of ids) {
			const g = await completedGeneration(id);
			expect(g.status).toBe(shared.JobStatus.Complete);
			const img = g.generatedImages?.[0];
			expect(img?.motion).toBe(true);
			const file = await download(img?.motionMp4URL as string);
			expect(file.contentType).toBe('video/mp4');
			expect(topLevelBoxes(file.bytes).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
		}
		const i2vRow = await completedGeneration(ids[1]);
		expect(i2vRow.generatedImages?.[0]?.imageToVideo).toBe(true);

		const up = await sdk.motion.createVideoUpscale({ sourceGenerationId: ids[2], resolution: operations.CreateVideoUpscaleString.Resolution720 });
		const variationId = up.object?.motionVideoGenerationJob?.variationId as string;
		expect(up.object?.motionVideoGenerationJob?.generationId).toBe(ids[2]);
		const mv = await waitFor(async () => {
			const r = await sdk.variation.getMotionVariationById(variationId);
			const v = r.object?.generatedImageVariationMotion?.[0];
			return v && v.status !== shared.JobStatus.Pending ? v : undefined;
		});
		expect(mv.status).toBe(shared.JobStatus.Complete);
		expect(topLevelBoxes((await download(mv.url as string)).bytes).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
	});

	test('variations: upscale, unzoom, nobg, universal upscaler, getVariationById', async () => {
		const up = await sdk.variation.createVariationUpscale({ id: firstImageId });
		const unzoom = await sdk.variation.createVariationUnzoom({ id: firstImageId });
		const nobg = await sdk.variation.createVariationNoBG({ id: firstImageId });
		const uni = await sdk.variation.createUniversalUpscalerJob({ generatedImageId: firstImageId, upscaleMultiplier: 2 });
		const ids = [up.object?.sdUpscaleJob?.id, unzoom.object?.sdUnzoomJob?.id, nobg.object?.sdNobgJob?.id, uni.object?.universalUpscaler?.id] as string[];
		const done = [];
		for (const id of ids) done.push(await completedVariation(id));
		expect(done.map((v) => v.transformType)).toEqual([shared.VariationType.Upscale, shared.VariationType.Unzoom, shared.VariationType.Nobg, shared.VariationType.Upscale]);
		const upscaled = await download(done[0].url as string);
		expect(pngInfo(upscaled.bytes)).toMatchObject({ width: 1024, height: 768 });
		const transparent = await download(done[2].url as string);
		expect(pngInfo(transparent.bytes)?.colorType).toBe(6);
		const g = await completedGeneration(generationId);
		expect(g.generatedImages?.[0].generatedImageVariationGenerics?.map((v) => v.id).sort()).toEqual([...ids].sort());
	});

	test('pricingCalculator and prompt tools', async () => {
		const price = await sdk.pricingCalculator.pricingCalculator({
			service: shared.PricingCalculatorServices.ImageGeneration,
			serviceParams: { imageGeneration: { imageWidth: 1024, imageHeight: 1024, numImages: 4, alchemyMode: false, inferenceSteps: 10 } },
		});
		expect(price.object?.calculateProductionApiServiceCost?.cost).toBe(32);
		const motion = await sdk.pricingCalculator.pricingCalculator({ service: shared.PricingCalculatorServices.MotionSvdGeneration, serviceParams: { motionSvdGeneration: {} } });
		expect(motion.object?.calculateProductionApiServiceCost?.cost).toBe(40);
		const improved = await sdk.prompt.promptImprove({ prompt: 'a cat' });
		expect(improved.object?.promptGeneration?.prompt).toContain('a cat');
		const random = await sdk.prompt.promptRandom();
		expect(random.object?.promptGeneration?.prompt?.length).toBeGreaterThan(5);
	});

	test('image.deleteGenerationById removes it', async () => {
		const del = await sdk.image.deleteGenerationById(generationId);
		expect(del.object?.deleteGenerationsByPk?.id).toBe(generationId);
		expect((await sdk.image.getGenerationById(generationId)).object?.generationsByPk).toBeNull();
	});

	test('errors surface as SDKError with the standard body (401 for an unknown key)', async () => {
		const bad = new Leonardo({ bearerAuth: '00000000-0000-4000-8000-000000000000', serverURL: emu.url + '/api/rest/v1' });
		await expect(bad.user.getUserSelf()).rejects.toMatchObject({ statusCode: 401 });
	});
});
