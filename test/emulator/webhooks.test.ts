/** Webhook callbacks: envelope, headers, event types, failed jobs, and the drop/duplicate/delay/reorder faults. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorHandle } from '../../emulator';
import { api, download, waitFor } from './helpers';
import { start } from './helpers';

interface Received {
	headers: http.IncomingHttpHeaders;
	body: any;
	at: number;
}

let emu: EmulatorHandle;
let receiver: http.Server;
let received: Received[];
let hookUrl: string;
const key = 'c0570000-0000-4000-8000-0000000000f1';
const secret = 'callback-secret-123';

beforeAll(async () => {
	receiver = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: Date.now() });
			res.writeHead(200).end('ok');
		});
	});
	await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
	hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
	await new Promise((r) => receiver.close(r));
});
beforeEach(async () => {
	received = [];
	emu = await start({ latencyMs: 30, keys: [{ key, plan: 'CUSTOM', webhookUrl: hookUrl, webhookSecret: secret }] });
});
afterEach(() => emu.stop());

const create = (prompt: string, extra: Record<string, unknown> = {}) =>
	api(emu, 'POST', '/generations', { key, body: { prompt, width: 128, height: 128, num_images: 2, seed: 7, ...extra } }).then((r) => r.body.sdGenerationJob.generationId as string);
const settle = async (n: number) => {
	await waitFor(async () => emu.admin.webhookDeliveries().length >= n && emu.admin.jobs().pending.length === 0);
	await emu.admin.webhooksIdle();
};

test('image_generation.complete: documented envelope, headers and generation row with the apiKey echo', async () => {
	const id = await create('an oil painting of a cat');
	await settle(1);
	expect(received).toHaveLength(1);
	const { headers, body } = received[0];
	expect(headers.authorization).toBe(`Bearer ${secret}`);
	expect(headers['content-type']).toBe('application/json');
	expect(headers['user-agent']).toBe('axios/1.4.0');
	expect(body).toMatchObject({ type: 'image_generation.complete', object: 'generation', api_version: 'v1' });
	expect(Number.isInteger(body.timestamp)).toBe(true);
	expect(Math.abs(body.timestamp - Date.now())).toBeLessThan(10000);
	const o = body.data.object;
	expect(o).toMatchObject({ id, status: 'COMPLETE', prompt: 'an oil painting of a cat', seed: '7', imageWidth: 128, imageHeight: 128, api: true });
	expect(typeof o.apiDollarCost).toBe('string');
	expect(o.images).toHaveLength(2);
	expect(o.images[0]).toMatchObject({ generationId: id, nsfw: false, likeCount: 0, nobgId: null });
	expect(o.apiKey).toMatchObject({ key, webhookCallbackUrl: hookUrl, webhookCallbackApiKey: secret, type: 'PRODUCTION' });
	expect(o.model.name).toBe('Leonardo Lightning XL');
	// the callback image URL is the same one the polling API returns, and it downloads without auth
	const file = await download(o.images[0].url);
	expect(file.status).toBe(200);
	expect(file.contentType).toBe('image/png');
});

test('video_generation.complete carries motionMP4URL; post_processing.complete for variations', async () => {
	const id = await create('a boat');
	await settle(1);
	const imageId = received[0].body.data.object.images[0].id;
	await api(emu, 'POST', '/generations-image-to-video', { key, body: { imageId, imageType: 'GENERATED', prompt: 'sail away', resolution: 'RESOLUTION_480', duration: 1 } });
	const up = await api(emu, 'POST', '/variations/upscale', { key, body: { id: imageId } });
	await settle(3);
	const video = received.find((r) => r.body.type === 'video_generation.complete');
	expect(video?.body.object).toBe('generation');
	expect(video?.body.data.object.images[0].motionMP4URL).toMatch(/\.mp4$/);
	const post = received.find((r) => r.body.type === 'post_processing.complete');
	expect(post?.body.object).toBe('generated_image_variation_generic');
	expect(post?.body.data.object).toMatchObject({ id: up.body.sdUpscaleJob.id, status: 'COMPLETE', transformType: 'UPSCALE', generatedImageId: imageId });
	expect(post?.body.data.object.apiKey.webhookCallbackApiKey).toBe(secret);
	void id;
});

test('failed jobs are reported: *.complete with FAILED status by default, *.failed on request', async () => {
	emu.admin.setFaults({ failPrompts: ['doomed'] });
	await create('doomed 1');
	await settle(1);
	expect(received[0].body.type).toBe('image_generation.complete');
	expect(received[0].body.data.object.status).toBe('FAILED');
	expect(received[0].body.data.object.images).toEqual([]);
	emu.admin.setFailedEventStyle('failed-type');
	await create('doomed 2');
	await settle(2);
	expect(received[1].body.type).toBe('image_generation.failed');
	emu.admin.setFailedEventStyle('both');
	await create('doomed 3');
	await settle(4);
	expect(received.slice(2).map((r) => r.body.type).sort()).toEqual(['image_generation.complete', 'image_generation.failed']);
});

test('webhook per key is set through the admin route; no URL, no delivery', async () => {
	emu.admin.setWebhook(key, null);
	await create('silent');
	await waitFor(async () => emu.admin.jobs().pending.length === 0);
	await emu.admin.webhooksIdle();
	expect(received).toHaveLength(0);
	const res = await fetch(`${emu.url}/_emulator/keys/${key}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: hookUrl, secret: 'rotated' }) });
	expect(res.status).toBe(200);
	await create('loud');
	await settle(1);
	expect(received[0].headers.authorization).toBe('Bearer rotated');
});

test('faults: drop, duplicate, delay, reorder', async () => {
	emu.admin.setFaults({ webhook: { drop: 1, duplicate: 1 } });
	const dropped = await create('one');
	const duplicated = await create('two');
	await settle(3);
	expect(received.map((r) => r.body.data.object.id)).toEqual([duplicated, duplicated]);
	expect(emu.admin.webhookDeliveries().find((d) => d.jobId === dropped)?.fault).toBe('dropped');

	received = [];
	emu.admin.setFaults({ webhook: { delayMs: 300 } });
	const t0 = Date.now();
	await create('late');
	await waitFor(async () => received.length === 1, 5000);
	expect(received[0].at - t0).toBeGreaterThanOrEqual(300);

	received = [];
	emu.admin.setFaults({ webhook: { delayMs: 0, reorder: 2 } });
	emu.admin.setLatency({ ms: 10 });
	const a = await create('first');
	await waitFor(async () => emu.admin.jobs().pending.length === 0);
	const b = await create('second');
	await waitFor(async () => received.length === 2, 5000);
	expect(received.map((r) => r.body.data.object.id)).toEqual([b, a]);
});

test('reorder holds deliveries until flushed', async () => {
	emu.admin.setFaults({ webhook: { reorder: 5 } });
	const a = await create('a');
	const b = await create('b');
	await waitFor(async () => emu.admin.jobs().pending.length === 0);
	await emu.admin.webhooksIdle();
	expect(received).toHaveLength(0);
	const flushed = await fetch(`${emu.url}/_emulator/webhooks/flush`, { method: 'POST' });
	expect(((await flushed.json()) as any).released).toBe(2);
	await waitFor(async () => received.length === 2);
	expect(new Set(received.map((r) => r.body.data.object.id))).toEqual(new Set([a, b]));
});
