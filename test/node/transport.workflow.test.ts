/**
 * Transport behaviour over real HTTP against the emulator, through the real WorkflowExecute harness:
 * plan pacing and concurrency, retries of refused/failed reads, and never re-sending a job-creating POST.
 */
import type { EmulatorHandle } from '../../emulator';
import { LeonardoApi } from '../../credentials/LeonardoApi.credentials';
import { runWorkflow, shutdownHarness } from '../helpers/harness';
import { PHOENIX_ID, emulator, leonardoNode, maxConcurrentJobs, newKey } from './helpers';

let emu: EmulatorHandle;

beforeAll(async () => {
	emu = await emulator(300);
});

afterEach(() => emu.admin.clearFaults());

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const generate = (extra: Record<string, unknown> = {}) =>
	leonardoNode({
		resource: 'image',
		operation: 'generate',
		prompt: '={{ $json.prompt }}',
		modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
		sizeMode: 'custom',
		width: 512,
		height: 512,
		numImages: 1,
		waitMode: 'poll',
		pollIntervalSeconds: 0.5,
		timeoutSeconds: 60,
		download: false,
		...extra,
	});

describe('pacing', () => {
	it('runs a batch of 12 items on an Artisan key concurrently (≤ 5 jobs) without any 429', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const input = Array.from({ length: 12 }, (_, i) => ({ json: { prompt: `batch item ${i}` } }));
		const started = Date.now();
		const result = await runWorkflow({ nodes: [generate()], credentials, input });
		const elapsed = Date.now() - started;
		expect(result.error).toBeUndefined();
		const out = result.output('Leonardo');
		expect(out).toHaveLength(12);
		expect(out.map((o) => (o.pairedItem as { item: number }).item)).toEqual([...Array(12).keys()]);
		expect(out.map((o) => o.json.prompt)).toEqual(input.map((i) => i.json.prompt));

		const requests = emu.admin.requests({ key });
		expect(requests.filter((r) => r.status === 429)).toEqual([]);
		expect(requests.filter((r) => r.method === 'POST')).toHaveLength(12);
		// polling is sparing: a job costs one create plus few status reads
		expect(requests.filter((r) => r.method === 'GET').length).toBeLessThanOrEqual(24);
		const inFlight = maxConcurrentJobs(emu, key);
		expect(inFlight).toBeGreaterThan(1);
		expect(inFlight).toBeLessThanOrEqual(5);
		expect(emu.admin.ledger(key).every((l) => !l.queued)).toBe(true);
		// not one item after another: 12 sequential jobs of ≥300 ms + a 500 ms poll would take > 9.6 s
		expect(elapsed).toBeLessThan(9000);
	});
});

describe('retries', () => {
	it('retries GETs refused with 429 (honouring Retry-After) and failed with 5xx', async () => {
		const { credentials, key } = newKey(emu, 'MAESTRO');
		emu.admin.setFaults({ rateLimitBurst: { next: 1, match: 'GET /me', retryAfterSeconds: 1 } });
		const started = Date.now();
		const first = await runWorkflow({ nodes: [leonardoNode({ resource: 'account', operation: 'get' })], credentials });
		expect(first.error).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(first.output('Leonardo')[0].json).toMatchObject({ plan: 'Maestro', apiConcurrencySlots: 10 });

		emu.admin.setFaults({ serverErrors: { next: 2, match: 'GET /me', status: 503 } });
		const second = await runWorkflow({ nodes: [leonardoNode({ resource: 'account', operation: 'get' })], credentials });
		expect(second.error).toBeUndefined();
		const statuses = emu.admin.requests({ key, path: '/me' }).map((r) => r.status);
		expect(statuses).toEqual([429, 200, 503, 503, 200]);
	});

	it('re-sends a job-creating POST only when Leonardo refused it (429): one job', async () => {
		const { credentials, key } = newKey(emu, 'MAESTRO');
		emu.admin.setFaults({ rateLimitBurst: { next: 1, match: 'POST /generations', retryAfterSeconds: 0 } });
		const result = await runWorkflow({ nodes: [generate()], credentials, input: [{ json: { prompt: 'refused once' } }] });
		expect(result.error).toBeUndefined();
		expect(result.output('Leonardo')).toHaveLength(1);
		const posts = emu.admin.requests({ key }).filter((r) => r.method === 'POST');
		expect(posts.map((r) => r.status)).toEqual([429, 200]);
		expect(emu.admin.ledger(key)).toHaveLength(1);
	});

	it('does not re-send a job-creating POST after a 5xx: error says the job may exist', async () => {
		const { credentials, key } = newKey(emu, 'MAESTRO');
		emu.admin.setFaults({ serverErrors: { next: 3, match: 'POST /generations', status: 502 } });
		const result = await runWorkflow({ nodes: [generate()], credentials, input: [{ json: { prompt: 'five hundred' } }] });
		expect(result.status).toBe('error');
		expect(String(result.error?.description)).toMatch(/may have been created/);
		expect(emu.admin.requests({ key }).filter((r) => r.method === 'POST')).toHaveLength(1);
	});
});

describe('no duplicate charge', () => {
	it('connection dropped after the create was committed: node errors, exactly one job charged', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		emu.admin.setFaults({ dropAfterCommit: { next: 1, match: 'POST /generations' } });
		const result = await runWorkflow({ nodes: [generate()], credentials, input: [{ json: { prompt: 'dropped' } }] });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/job may have been created/);
		expect(String(result.error?.description)).toMatch(/NOT re-sent/);
		const posts = emu.admin.requests({ key }).filter((r) => r.method === 'POST' && r.path.endsWith('/generations'));
		expect(posts).toHaveLength(1);
		const ledger = emu.admin.ledger(key);
		expect(ledger).toHaveLength(1);
		expect(ledger[0].connectionDropped).toBe(true);
		expect(emu.admin.ledgerSummary()[key]).toMatchObject({ jobs: 1 });
	});
});

describe('credential test', () => {
	const rules = new LeonardoApi().test.rules as Array<{ properties: { value: number; message: string } }>;
	const ruleFor = (status: number) => rules.find((r) => r.properties.value === status)?.properties.message;

	it('tells a wrong key (401) from a plan without API access (403)', async () => {
		const test = new LeonardoApi().test.request;
		const call = async (key: string) =>
			await fetch(`${emu.url}/api/rest/v1${test.url}`, { headers: { authorization: `Bearer ${key}` } });
		const wrong = await call('00000000-0000-4000-8000-0000000000ff');
		const free = await call(newKey(emu, 'FREE').key);
		const ok = await call(newKey(emu, 'ARTISAN').key);
		expect(wrong.status).toBe(401);
		expect(free.status).toBe(403);
		expect(ok.status).toBe(200);
		expect(ruleFor(wrong.status)).toMatch(/did not accept this API key/);
		expect(ruleFor(free.status)).toMatch(/Artisan or Maestro/);
		expect(ruleFor(wrong.status)).not.toEqual(ruleFor(free.status));
	});
});
