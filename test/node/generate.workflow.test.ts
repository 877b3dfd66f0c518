import type { EmulatorHandle } from '../../emulator';
import { binaryBuffer, runWorkflow, shutdownHarness } from '../helpers/harness';
import { PHOENIX_ID, PNG_MAGIC, emulator, leonardoNode, newKey } from './helpers';

let emu: EmulatorHandle;

beforeAll(async () => {
	emu = await emulator(150);
});

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const generateParams = (extra: Record<string, unknown> = {}) => ({
	resource: 'image',
	operation: 'generate',
	prompt: '={{ $json.prompt }}',
	modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
	sizeMode: 'aspectRatio',
	aspectRatio: '16:9',
	longSide: 512,
	numImages: 2,
	waitMode: 'poll',
	pollIntervalSeconds: 0.5,
	timeoutSeconds: 30,
	...extra,
});

describe('Image → Generate (poll) through WorkflowExecute', () => {
	it('returns one item per image with PNG binary, pairedItem and plan fields', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const result = await runWorkflow({
			nodes: [leonardoNode(generateParams())],
			credentials,
			input: [{ json: { prompt: 'a red fox in snow' } }, { json: { prompt: 'a lighthouse at dusk' } }],
		});
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const out = result.output('Leonardo');
		expect(out).toHaveLength(4);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 1 }]);
		const generationIds = new Set(out.map((o) => o.json.generationId));
		expect(generationIds.size).toBe(2);
		for (const item of out) {
			expect(item.json).toMatchObject({
				plan: 'Artisan',
				commercialUse: true,
				width: 512,
				height: 288,
				modelId: PHOENIX_ID,
			});
			expect(typeof item.json.imageId).toBe('string');
			expect(String(item.json.url)).toContain(emu.url);
			expect(item.json.seed).toEqual(expect.any(Number));
			expect(item.binary?.data?.mimeType).toBe('image/png');
			const bytes = await binaryBuffer(item, 'data');
			expect(bytes.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
		}
		expect(out[0].json.prompt).toBe('a red fox in snow');
		expect(out[2].json.prompt).toBe('a lighthouse at dusk');
		// a job costs one create plus few status reads
		const requests = emu.admin.requests({ key });
		expect(requests.filter((r) => r.method === 'POST' && r.path.endsWith('/generations'))).toHaveLength(2);
		expect(requests.filter((r) => r.method === 'GET' && r.path.includes('/generations/')).length).toBeLessThanOrEqual(6);
		expect(emu.admin.ledger(key)).toHaveLength(2);
	});

	it("Don't wait returns the generation id and cost, URLs only skips binary", async () => {
		const { credentials } = newKey(emu, 'MAESTRO');
		const noWait = await runWorkflow({
			nodes: [leonardoNode(generateParams({ waitMode: 'none', prompt: 'a quiet harbour' }))],
			credentials,
		});
		expect(noWait.error).toBeUndefined();
		const [item] = noWait.output('Leonardo');
		expect(item.json).toMatchObject({ status: 'PENDING', plan: 'Maestro', commercialUse: true });
		expect(item.json.generationId).toEqual(expect.any(String));
		expect(item.json.cost ?? item.json.apiCreditCost).toBeTruthy();
		expect(item.pairedItem).toEqual({ item: 0 });

		const urlsOnly = await runWorkflow({
			nodes: [leonardoNode(generateParams({ download: false, numImages: 1, prompt: 'a paper boat' }))],
			credentials,
		});
		const out = urlsOnly.output('Leonardo');
		expect(out).toHaveLength(1);
		expect(out[0].binary).toBeUndefined();
		expect(String(out[0].json.url)).toMatch(/^http/);
	});
});
