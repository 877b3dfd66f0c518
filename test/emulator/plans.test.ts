/** Plan rules over real HTTP: rate limits, concurrency + bounded queue, token balance and costs, LoRA quota. */
import type { EmulatorHandle } from '../../emulator';
import { DEFAULT_KEYS } from '../../emulator';
import { PLAN_PROFILES } from '../../nodes/shared/plans';
import { imageGenerationCost } from '../../emulator/pricing';
import { api, presignedUpload, waitGeneration } from './helpers';
import { start } from './helpers';

let emu: EmulatorHandle;
afterEach(async () => {
	await emu?.stop();
});

const me = async (key: string) => (await api(emu, 'GET', '/me', { key })).body.user_details[0];

describe('rate limits (requests per minute, per key)', () => {
	test.each([
		['ARTISAN', 30],
		['MAESTRO', 60],
	] as const)('%s: %i requests pass, the next gets 429 with Retry-After and the standard body', async (plan, rpm) => {
		emu = await start();
		const key = DEFAULT_KEYS[plan];
		expect(PLAN_PROFILES[plan].requestsPerMinute).toBe(rpm);
		for (let i = 0; i < rpm; i++) expect((await api(emu, 'GET', '/me', { key })).status).toBe(200);
		const r = await api(emu, 'GET', '/platformModels', { key });
		expect(r.status).toBe(429);
		expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
		expect(r.body).toEqual({ error: expect.stringMatching(new RegExp(`allows ${rpm} requests per minute`)), path: '$', code: 'rate-limited' });
		// another key is not affected
		expect((await api(emu, 'GET', '/me', { key: DEFAULT_KEYS.CUSTOM })).status).toBe(200);
	});

	test('CUSTOM limits are configurable; job creation and polling share the window', async () => {
		emu = await start({ keys: [{ key: 'c0570000-0000-4000-8000-0000000000aa', plan: 'CUSTOM', limits: { requestsPerMinute: 3 } }] });
		const key = 'c0570000-0000-4000-8000-0000000000aa';
		expect((await api(emu, 'POST', '/generations', { key, body: { prompt: 'a', width: 64, height: 64, num_images: 1 } })).status).toBe(200);
		expect((await api(emu, 'GET', '/me', { key })).status).toBe(200);
		expect((await api(emu, 'GET', '/platformModels', { key })).status).toBe(200);
		expect((await api(emu, 'POST', '/generations', { key, body: { prompt: 'b', width: 64, height: 64, num_images: 1 } })).status).toBe(429);
		expect(emu.admin.ledger(key)).toHaveLength(1);
	});
});

describe('concurrency and the bounded queue', () => {
	test('ARTISAN runs 5 jobs at once; the 6th waits (PENDING longer) and starts when a slot frees', async () => {
		emu = await start({ latencyMs: 200 });
		const key = DEFAULT_KEYS.ARTISAN;
		const ids: string[] = [];
		for (let i = 0; i < 6; i++) {
			const r = await api(emu, 'POST', '/generations', { key, body: { prompt: `job ${i}`, width: 64, height: 64, num_images: 1 } });
			expect(r.status).toBe(200);
			ids.push(r.body.sdGenerationJob.generationId);
		}
		expect(emu.admin.jobs().perKey[key]).toEqual({ running: 5, queued: 1 });
		expect(emu.admin.ledger(key).map((l) => l.queued)).toEqual([false, false, false, false, false, true]);
		const first = await waitGeneration(emu, ids[0], DEFAULT_KEYS.ARTISAN);
		expect(first.status).toBe('COMPLETE');
		// the queued one started after a slot freed and is still pending for its own latency
		const sixth = await api(emu, 'GET', `/generations/${ids[5]}`, { key });
		expect(sixth.body.generations_by_pk.status).toBe('PENDING');
		const done = await waitGeneration(emu, ids[5], key);
		expect(done.status).toBe('COMPLETE');
		const e = emu.admin.ledger(key);
		expect(new Date(e[5].startedAt as string).getTime()).toBeGreaterThanOrEqual(new Date(e[0].completedAt as string).getTime());
	});

	test('beyond concurrency + queue -> 429 queue-full, not stored, not charged', async () => {
		const key = 'c0570000-0000-4000-8000-0000000000bb';
		emu = await start({ latencyMs: 5000, keys: [{ key, plan: 'CUSTOM', limits: { concurrentJobs: 1 } }] });
		// CUSTOM queue = 20 per concurrency slot
		for (let i = 0; i < 21; i++) expect((await api(emu, 'POST', '/generations', { key, body: { prompt: `j${i}`, width: 64, height: 64, num_images: 1 } })).status).toBe(200);
		const before = (await me(key)).apiSubscriptionTokens;
		const r = await api(emu, 'POST', '/generations', { key, body: { prompt: 'overflow', width: 64, height: 64, num_images: 1 } });
		expect(r.status).toBe(429);
		expect(r.body).toEqual({ error: expect.stringMatching(/^Too many pending jobs/), path: '$', code: 'queue-full' });
		expect(r.headers.get('retry-after')).toBeTruthy();
		expect(emu.admin.ledger(key)).toHaveLength(21);
		expect((await me(key)).apiSubscriptionTokens).toBe(before);
		expect(emu.admin.jobs().perKey[key]).toEqual({ running: 1, queued: 20 });
		expect(emu.admin.settleAll()).toBe(21);
	});
});

describe('tokens', () => {
	test('/me balance goes down by each job cost; Character Reference costs 25% more; calculator agrees', async () => {
		emu = await start();
		const key = DEFAULT_KEYS.MAESTRO;
		const start0 = (await me(key)).apiSubscriptionTokens;
		expect(start0).toBe(60000);
		const plain = await api(emu, 'POST', '/generations', { key, body: { prompt: 'a knight', width: 1024, height: 1024, num_images: 4, alchemy: false } });
		const plainCost = plain.body.sdGenerationJob.apiCreditCost;
		expect(plainCost).toBe(imageGenerationCost({ width: 1024, height: 1024, numImages: 4 }));
		expect(plain.body.sdGenerationJob.cost).toEqual({ amount: String(plainCost), unit: 'CREDITS' });
		const calc = await api(emu, 'POST', '/pricing-calculator', { key, body: { service: 'IMAGE_GENERATION', serviceParams: { IMAGE_GENERATION: { imageWidth: 1024, imageHeight: 1024, numImages: 4, alchemyMode: false } } } });
		expect(calc.body.calculateProductionApiServiceCost.cost).toBe(plainCost);
		expect((await me(key)).apiSubscriptionTokens).toBe(start0 - plainCost);

		const g = await waitGeneration(emu, plain.body.sdGenerationJob.generationId, key);
		const cref = await api(emu, 'POST', '/generations', {
			key,
			body: { prompt: 'the same knight', width: 1024, height: 1024, num_images: 4, alchemy: false, controlnets: [{ initImageId: g.generated_images[0].id, initImageType: 'GENERATED', preprocessorId: 397, strengthType: 'Mid' }] },
		});
		expect(cref.body.sdGenerationJob.apiCreditCost).toBe(Math.ceil(plainCost * 1.25));
		const calcCref = await api(emu, 'POST', '/pricing-calculator', { key, body: { service: 'IMAGE_GENERATION', serviceParams: { IMAGE_GENERATION: { imageWidth: 1024, imageHeight: 1024, numImages: 4, characterReference: true } } } });
		expect(calcCref.body.calculateProductionApiServiceCost.cost).toBe(Math.ceil(plainCost * 1.25));
		expect((await me(key)).apiSubscriptionTokens).toBe(start0 - plainCost - Math.ceil(plainCost * 1.25));
	});

	test('motion clips cost 40-60 tokens', async () => {
		emu = await start();
		const key = DEFAULT_KEYS.CUSTOM;
		const costs = [];
		for (const resolution of ['RESOLUTION_480', 'RESOLUTION_720', 'RESOLUTION_1080']) {
			const r = await api(emu, 'POST', '/generations-text-to-video', { key, body: { prompt: 'clouds', resolution, duration: 1 } });
			costs.push(r.body.motionVideoGenerationJob.apiCreditCost);
		}
		expect(costs).toEqual([40, 50, 60]);
		const calc = await api(emu, 'POST', '/pricing-calculator', { key, body: { service: 'MOTION_VIDEO_GENERATION', serviceParams: { MOTION_VIDEO_GENERATION: { resolution: 'RESOLUTION_480' } } } });
		expect(calc.body.calculateProductionApiServiceCost.cost).toBe(40);
		emu.admin.settleAll();
	});

	test('paid tokens are used after subscription tokens; an empty balance is refused with a clear error', async () => {
		const key = 'a4715a40-0000-4000-8000-0000000000cc';
		emu = await start({ keys: [{ key, plan: 'ARTISAN', tokens: 5, paidTokens: 3 }] });
		const r1 = await api(emu, 'POST', '/generations', { key, body: { prompt: 'small', width: 256, height: 256, num_images: 3 } }); // 2 per image = 6
		expect(r1.status).toBe(200);
		let d = await me(key);
		expect([d.apiSubscriptionTokens, d.apiPaidTokens]).toEqual([0, 2]);
		const r2 = await api(emu, 'POST', '/generations', { key, body: { prompt: 'too much', width: 1024, height: 1024, num_images: 1 } });
		expect(r2.status).toBe(402);
		expect(r2.body).toEqual({ error: expect.stringMatching(/^Insufficient API token balance: this request costs 8 tokens but the remaining balance is 2\./), path: '$', code: 'insufficient-balance' });
		d = await me(key);
		expect([d.apiSubscriptionTokens, d.apiPaidTokens]).toEqual([0, 2]);
		expect(emu.admin.ledger(key)).toHaveLength(1);
	});

	test('a failed job is refunded', async () => {
		emu = await start();
		const key = DEFAULT_KEYS.MAESTRO;
		emu.admin.setFaults({ failJobs: { next: 1 } });
		const r = await api(emu, 'POST', '/generations', { key, body: { prompt: 'doomed', width: 512, height: 512, num_images: 2 } });
		const cost = r.body.sdGenerationJob.apiCreditCost;
		expect((await me(key)).apiSubscriptionTokens).toBe(60000 - cost);
		const g = await waitGeneration(emu, r.body.sdGenerationJob.generationId, key);
		expect(g.status).toBe('FAILED');
		expect(g.generated_images).toEqual([]);
		expect((await me(key)).apiSubscriptionTokens).toBe(60000);
		expect(emu.admin.ledgerSummary()[key]).toMatchObject({ jobs: 1, failed: 1, charged: cost, refunded: cost, spent: 0 });
	});
});

describe('LoRA trainings per month', () => {
	async function datasetWithImage(key: string): Promise<string> {
		const ds = (await api(emu, 'POST', '/datasets', { key, body: { name: 'd' } })).body.insert_datasets_one.id;
		const up = (await api(emu, 'POST', `/datasets/${ds}/upload`, { key, body: { extension: 'png' } })).body.uploadDatasetImage;
		expect((await presignedUpload(up.url, up.fields, Buffer.from('png'))).status).toBe(204);
		return ds;
	}
	const train = (key: string, datasetId: string) =>
		api(emu, 'POST', '/elements', {
			key,
			body: { name: 'l', datasetId, instance_prompt: 'tok', lora_focus: 'Style', sd_version: 'FLUX_DEV', num_train_epochs: 60, learning_rate: 0.00001, train_text_encoder: true, resolution: 1024, description: '' },
		});

	test.each([
		['ARTISAN', 5],
		['MAESTRO', 20],
	] as const)('%s: %i trainings, then a clear quota error', async (plan, quota) => {
		emu = await start({ keys: [{ key: DEFAULT_KEYS[plan], plan, limits: {} }, { key: DEFAULT_KEYS.CUSTOM, plan: 'CUSTOM' }], latencyMs: 10, trainingLatencyMs: 10 });
		const key = DEFAULT_KEYS[plan];
		const ds = await datasetWithImage(key);
		emu.admin.setLoraTrainingsUsed(key, quota - 1);
		const ok = await train(key, ds);
		expect(ok.status).toBe(200);
		expect(Number.isInteger(ok.body.sdTrainingJob.userLoraId)).toBe(true);
		const over = await train(key, ds);
		expect(over.status).toBe(403);
		expect(over.body).toEqual({ error: expect.stringMatching(new RegExp(`allows ${quota} trainings per month \\(${quota} used\\)`)), path: '$', code: 'quota-exceeded' });
	});

	test('counts real trainings (ARTISAN: 5 from zero)', async () => {
		emu = await start({ latencyMs: 10, trainingLatencyMs: 5000 });
		const key = DEFAULT_KEYS.ARTISAN;
		const ds = await datasetWithImage(key);
		for (let i = 0; i < 5; i++) expect((await train(key, ds)).status).toBe(200);
		expect((await train(key, ds)).status).toBe(403);
		emu.admin.settleAll();
	});

	test('CUSTOM quota is configurable', async () => {
		const key = 'c0570000-0000-4000-8000-0000000000dd';
		emu = await start({ keys: [{ key, plan: 'CUSTOM', limits: { loraTrainingsPerMonth: 1 } }], trainingLatencyMs: 10 });
		const ds = await datasetWithImage(key);
		expect((await train(key, ds)).status).toBe(200);
		expect((await train(key, ds)).status).toBe(403);
	});
});

describe('jobs for the same key share the limits', () => {
	test('motion and image jobs use the same concurrency slots', async () => {
		const key = 'c0570000-0000-4000-8000-0000000000ee';
		emu = await start({ latencyMs: 5000, keys: [{ key, plan: 'CUSTOM', limits: { concurrentJobs: 2 } }] });
		await api(emu, 'POST', '/generations', { key, body: { prompt: 'img', width: 64, height: 64, num_images: 1 } });
		await api(emu, 'POST', '/generations-text-to-video', { key, body: { prompt: 'vid', duration: 1, resolution: 'RESOLUTION_480' } });
		await api(emu, 'POST', '/generations', { key, body: { prompt: 'img2', width: 64, height: 64, num_images: 1 } });
		expect(emu.admin.jobs().perKey[key]).toEqual({ running: 2, queued: 1 });
		emu.admin.settleAll();
		expect(emu.admin.jobs().perKey[key]).toEqual({ running: 0, queued: 0 });
		expect(emu.admin.ledgerSummary()[key]).toMatchObject({ jobs: 3, completed: 3 });
	});
});
