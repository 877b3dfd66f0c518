/** Every documented error path, over real HTTP, with the documented status, text, code and content type. */
import type { EmulatorHandle } from '../../emulator';
import { DEFAULT_KEYS } from '../../emulator';
import { ERROR_MESSAGES } from '../../nodes/shared/contract';
import { api, generate, presignedUpload } from './helpers';
import { start } from './helpers';

let emu: EmulatorHandle;
let key: string;
beforeAll(async () => {
	emu = await start();
	key = emu.keyFor('CUSTOM');
});
afterAll(() => emu.stop());

const gen = (body: unknown) => api(emu, 'POST', '/generations', { key, body });

function expectError(r: { status: number; headers: Headers; body: any }, status: number, error: string | RegExp, code: string, path = '$') {
	expect(r.status).toBe(status);
	expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
	expect(Object.keys(r.body).sort()).toEqual(['code', 'error', 'path']);
	if (typeof error === 'string') expect(r.body.error).toBe(error);
	else expect(r.body.error).toMatch(error);
	expect(r.body.code).toBe(code);
	expect(r.body.path).toBe(path);
}

describe('authentication and plan access', () => {
	test('no authorization header -> 401 access-denied', async () => {
		expectError(await api(emu, 'GET', '/me', { key: null }), 401, ERROR_MESSAGES.unauthorized, 'access-denied');
	});
	test('unknown UUID key -> 401', async () => {
		expectError(await api(emu, 'GET', '/me', { key: '11111111-2222-4333-8444-555555555555' }), 401, ERROR_MESSAGES.unauthorized, 'access-denied');
	});
	test('malformed header (not Bearer) -> 401', async () => {
		expectError(await api(emu, 'GET', '/me', { key: null, headers: { authorization: key } }), 401, ERROR_MESSAGES.unauthorized, 'access-denied');
	});
	test('v2 requires the key too', async () => {
		expectError(await api(emu, 'POST', '/api/rest/v2/generations', { key: null, body: {} }), 401, ERROR_MESSAGES.unauthorized, 'access-denied');
	});
	test.each([
		['FREE', 'Free'],
		['APPRENTICE', 'Apprentice'],
	])('%s key has no API access (403, clear message)', async (plan, name) => {
		const r = await api(emu, 'POST', '/generations', { key: DEFAULT_KEYS[plan as 'FREE'], body: { prompt: 'a cat' } });
		expectError(r, 403, new RegExp(`API access is not included in the ${name} plan\\. Upgrade to Artisan or Maestro`), 'access-denied');
		expect(emu.admin.ledger(DEFAULT_KEYS[plan as 'FREE'])).toHaveLength(0);
	});
	test('ARTISAN and MAESTRO keys have access', async () => {
		for (const plan of ['ARTISAN', 'MAESTRO'] as const) expect((await api(emu, 'GET', '/me', { key: DEFAULT_KEYS[plan] })).status).toBe(200);
	});
});

describe('request validation (POST /generations)', () => {
	test('unknown body field -> Unexpected variable (bad-request)', async () => {
		expectError(await gen({ prompt: 'a cat', sd_Version: 'v2' }), 400, 'Unexpected variable sd_Version', 'bad-request');
	});
	test('wrong JSON type -> validation-failed with the selectionSet path', async () => {
		expectError(
			await gen({ prompt: 'a cat', photoReal: 'true' }),
			400,
			"expected a boolean for type 'Boolean', but found a string",
			'validation-failed',
			'$.selectionSet.sdGenerationJob.args.arg1.photoReal',
		);
		const r = await gen({ prompt: 'a cat', num_images: 1.5 });
		expectError(r, 400, /expected a 32-bit integer for type 'Int'/, 'validation-failed', '$.selectionSet.sdGenerationJob.args.arg1.num_images');
		const nested = await gen({ prompt: 'a cat', userElements: [{ userLoraId: 'x' }] });
		expect(nested.body.path).toBe('$.selectionSet.sdGenerationJob.args.arg1.userElements[0].userLoraId');
		const badEnum = await gen({ prompt: 'a cat', presetStyle: 'FANCY' });
		expectError(badEnum, 400, /expected one of the values .* for type 'sd_generation_style', but found "FANCY"/, 'validation-failed', '$.selectionSet.sdGenerationJob.args.arg1.presetStyle');
	});
	test('missing prompt -> expecting a value for non-nullable variable', async () => {
		expectError(await gen({ width: 512 }), 400, ERROR_MESSAGES.missingPrompt, 'validation-failed');
		expectError(await gen({ prompt: null }), 400, ERROR_MESSAGES.missingPrompt, 'validation-failed');
	});
	test('malformed JSON -> 400', async () => {
		const r = await api(emu, 'POST', '/generations', { key, rawBody: '{"prompt": ' });
		expect(r.status).toBe(400);
		expect(r.body.path).toBe('$');
	});
	test('prompt over 1500 characters -> documented text', async () => {
		expectError(await gen({ prompt: 'a'.repeat(1501) }), 400, ERROR_MESSAGES.promptTooLong, 'unexpected');
		expect((await gen({ prompt: 'a'.repeat(1500), width: 64, height: 64, num_images: 1 })).status).toBe(200);
	});
	test.each([
		[1000, 1000, 200],
		[2048, 2048, 200],
		[2056, 1024, 400],
		[24, 512, 400],
		[1020, 512, 400],
		[512, 777, 400],
	])('dimensions %ix%i -> %i', async (width, height, status) => {
		const r = await gen({ prompt: 'a cat', width, height, num_images: 1 });
		if (status === 200) expect(r.status).toBe(200);
		else expectError(r, 400, ERROR_MESSAGES.invalidDimensions, 'unexpected');
	});
	test('too many images -> 400 (8 max, 4 when a side is over 768)', async () => {
		expectError(await gen({ prompt: 'a cat', width: 512, height: 512, num_images: 9 }), 400, /^Too many images:.*between 1 and 8/, 'unexpected');
		expectError(await gen({ prompt: 'a cat', width: 1024, height: 768, num_images: 5 }), 400, /^Too many images:.*between 1 and 4/, 'unexpected');
		expectError(await gen({ prompt: 'a cat', width: 512, height: 512, num_images: 0 }), 400, /^Too many images:/, 'unexpected');
		expect((await gen({ prompt: 'a cat', width: 512, height: 512, num_images: 8 })).status).toBe(200);
	});
	test('moderation word list -> 403 with the documented text', async () => {
		expectError(await gen({ prompt: 'a NUDE statue' }), 403, ERROR_MESSAGES.moderation, 'unexpected');
		expectError(await gen({ prompt: 'a statue', negative_prompt: 'gore' }), 403, ERROR_MESSAGES.moderation, 'unexpected');
	});
	test('rejected requests charge nothing', async () => {
		const before = emu.admin.ledger(key).length;
		await gen({ prompt: 'a'.repeat(1501) });
		await gen({ prompt: 'x', width: 3 });
		expect(emu.admin.ledger(key).length).toBe(before);
	});
	test('unknown model -> not supported within the Production API', async () => {
		expectError(await gen({ prompt: 'a cat', modelId: '00000000-0000-4000-8000-00000000dead' }), 400, /is not supported within the Production API/, 'unexpected');
	});
	test('unknown init image / controlnet image / user element', async () => {
		expectError(await gen({ prompt: 'a cat', init_image_id: 'nope' }), 400, ERROR_MESSAGES.invalidInitImage, 'unexpected');
		expectError(await gen({ prompt: 'a cat', controlnets: [{ initImageId: 'nope', initImageType: 'UPLOADED', preprocessorId: 133 }] }), 400, ERROR_MESSAGES.invalidInitImage, 'unexpected');
		expectError(await gen({ prompt: 'a cat', userElements: [{ userLoraId: 999, weight: 1 }] }), 400, /invalid userLoraId 999/, 'unexpected');
	});
});

describe('other endpoints', () => {
	test('unknown ids answer 200 with null (Hasura by_pk semantics)', async () => {
		const id = '5f2b6c1e-7a3d-4e8b-9c0d-2f1e3a4b5c6d';
		expect((await api(emu, 'GET', `/generations/${id}`, { key })).body).toEqual({ generations_by_pk: null });
		expect((await api(emu, 'DELETE', `/generations/${id}`, { key })).body).toEqual({ delete_generations_by_pk: null });
		expect((await api(emu, 'GET', `/init-image/${id}`, { key })).body).toEqual({ init_images_by_pk: null });
		expect((await api(emu, 'GET', `/elements/12345`, { key })).body).toEqual({ user_loras_by_pk: null });
		expect((await api(emu, 'GET', `/variations/${id}`, { key })).body).toEqual({ generated_image_variation_generic: [] });
	});
	test('non-integer element id -> validation-failed', async () => {
		const r = await api(emu, 'GET', '/elements/abc', { key });
		expectError(r, 400, /expected a 32-bit integer/, 'validation-failed', '$.selectionSet.user_loras_by_pk.args.id');
	});
	test('invalid file extension', async () => {
		expectError(await api(emu, 'POST', '/init-image', { key, body: { extension: 'gif' } }), 400, ERROR_MESSAGES.invalidExtension, 'unexpected');
	});
	test('presigned upload: 403 with an authorization header, 204 without', async () => {
		const up = (await api(emu, 'POST', '/init-image', { key, body: { extension: 'png' } })).body.uploadInitImage;
		const denied = await presignedUpload(up.url, up.fields, Buffer.from('x'), { authorization: `Bearer ${key}` });
		expect(denied.status).toBe(403);
		expect(await denied.text()).toContain('<Code>AccessDenied</Code>');
		const forged = JSON.stringify({ ...JSON.parse(up.fields), 'X-Amz-Signature': 'forged' });
		expect((await presignedUpload(up.url, forged, Buffer.from('x'))).status).toBe(403);
		expect((await presignedUpload(up.url, up.fields, Buffer.from('x'))).status).toBe(204);
	});
	test('variation of an uploaded or unknown image -> couldn\'t access image; SVD on a generation id -> Service Error', async () => {
		const g = await generate(emu, { prompt: 'a cat', width: 256, height: 256, num_images: 1 }, key);
		expectError(await api(emu, 'POST', '/variations/upscale', { key, body: { id: 'nope' } }), 400, ERROR_MESSAGES.couldNotAccessImage, 'unexpected');
		expectError(await api(emu, 'POST', '/variations/nobg', { key, body: { id: g.generated_images[0].id, isVariation: true } }), 400, 'failed to find init variation', 'unexpected');
		expectError(await api(emu, 'POST', '/generations-motion-svd', { key, body: { imageId: g.id } }), 400, ERROR_MESSAGES.serviceError, 'unexpected');
	});
	test('universal upscaler: exactly one source, styles exclusive', async () => {
		const g = await generate(emu, { prompt: 'a dog', width: 256, height: 256, num_images: 1 }, key);
		const img = g.generated_images[0].id;
		expect((await api(emu, 'POST', '/variations/universal-upscaler', { key, body: { upscaleMultiplier: 1.5 } })).status).toBe(400);
		const both = await api(emu, 'POST', '/variations/universal-upscaler', { key, body: { generatedImageId: img, upscalerStyle: 'GENERAL', ultraUpscaleStyle: 'ARTISTIC' } });
		expectError(both, 400, /cannot be used together/, 'unexpected');
		const bad = await api(emu, 'POST', '/variations/universal-upscaler', { key, body: { generatedImageId: img, upscalerStyle: 'Fancy' } });
		expect(bad.body.code).toBe('validation-failed');
	});
	test('image-to-video validation: wrong imageType enum, unknown image, prompt moderation', async () => {
		expect((await api(emu, 'POST', '/generations-image-to-video', { key, body: { imageId: 'x', imageType: 'INIT', prompt: 'p' } })).body.code).toBe('validation-failed');
		expectError(await api(emu, 'POST', '/generations-image-to-video', { key, body: { imageId: 'x', imageType: 'GENERATED', prompt: 'p' } }), 400, ERROR_MESSAGES.invalidInitImage, 'unexpected');
		expectError(await api(emu, 'POST', '/generations-text-to-video', { key, body: { prompt: 'porn' } }), 403, ERROR_MESSAGES.moderation, 'unexpected');
		expectError(await api(emu, 'POST', '/generations-text-to-video', { key, body: { prompt: 'x', imageId: 'y' } }), 400, 'Unexpected variable imageId', 'bad-request');
	});
	test('v2: unknown model, unknown parameter, missing prompt, dimensions', async () => {
		const v2 = (body: unknown) => api(emu, 'POST', '/api/rest/v2/generations', { key, body });
		expectError(await v2({ model: 'no-such-model', parameters: { prompt: 'x' } }), 400, /no-such-model is not supported/, 'unexpected');
		expectError(await v2({ model: 'flux-schnell', parameters: { prompt: 'x', colour: 'red' } }), 400, 'Unexpected variable colour', 'bad-request');
		expectError(await v2({ model: 'flux-schnell', parameters: { width: 512 } }), 400, ERROR_MESSAGES.missingPrompt, 'validation-failed');
		expectError(await v2({ model: 'flux-schnell', parameters: { prompt: 'x', width: 2050 } }), 400, ERROR_MESSAGES.invalidDimensions, 'unexpected');
		expectError(await v2({ model: 'flux-schnell', extra: 1, parameters: { prompt: 'x' } }), 400, 'Unexpected variable extra', 'bad-request');
	});
	test('v2 generation is read back through v1 GET /generations/{id}', async () => {
		emu.admin.setLatency({ key, ms: 400 });
		const r = await api(emu, 'POST', '/api/rest/v2/generations', { key, body: { model: 'gemini-image-2', public: false, parameters: { prompt: 'a koala', width: 1024, height: 1024, quantity: 2, prompt_enhance: 'OFF' } } });
		expect(r.status).toBe(200);
		const id = r.body.generate.generationId;
		const v2Pending = await api(emu, 'GET', `/generations/${id}`, { key });
		expect(v2Pending.body.generations_by_pk.status).toBe('PENDING');
		const { waitGeneration } = await import('./helpers');
		const g = await waitGeneration(emu, id, key);
		expect(g.status).toBe('COMPLETE');
		expect(g.generated_images).toHaveLength(2);
		expect(g.imageWidth).toBe(1024);
		emu.admin.setLatency({ key, ms: null });
	});
	test('pricing calculator validates the service enum', async () => {
		const r = await api(emu, 'POST', '/pricing-calculator', { key, body: { service: 'NOPE', serviceParams: {} } });
		expect(r.status).toBe(400);
		expect(r.body.code).toBe('validation-failed');
	});
	test('prompt improve over 200 characters', async () => {
		expectError(await api(emu, 'POST', '/prompt/improve', { key, body: { prompt: 'a'.repeat(201) } }), 400, 'Prompt is too long, please keep it under 200 characters', 'unexpected');
	});
	test('unknown API route -> 404 JSON', async () => {
		const r = await api(emu, 'GET', '/nope', { key });
		expect(r.status).toBe(404);
		expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
	});
});
