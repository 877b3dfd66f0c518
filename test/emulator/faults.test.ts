/** Fault injection and inspection (/_emulator/ routes and in-process admin), over real HTTP. */
import type { EmulatorHandle } from '../../emulator';
import { DEFAULT_KEYS } from '../../emulator';
import { api, waitGeneration } from './helpers';
import { start } from './helpers';

let emu: EmulatorHandle;
const key = DEFAULT_KEYS.CUSTOM;
beforeEach(async () => {
	emu = await start({ latencyMs: 60 });
});
afterEach(() => emu.stop());

const admin = async (method: string, path: string, body?: unknown) => {
	const res = await fetch(`${emu.url}/_emulator${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
	return { status: res.status, body: (await res.json()) as any };
};
const create = (prompt: string) => api(emu, 'POST', '/generations', { key, body: { prompt, width: 64, height: 64, num_images: 1 } });

test('admin routes need no API key and live outside the API paths', async () => {
	const r = await admin('GET', '/');
	expect(r.status).toBe(200);
	expect(r.body.url).toBe(emu.url);
	expect(r.body.keys.map((k: any) => k.plan)).toEqual(['FREE', 'APPRENTICE', 'ARTISAN', 'MAESTRO', 'CUSTOM']);
	expect((await admin('GET', '/nope')).status).toBe(404);
});

test('429 burst: next N matching requests get 429 + Retry-After, then normal service', async () => {
	await admin('POST', '/faults', { rateLimitBurst: { next: 2, match: 'POST /generations', retryAfterSeconds: 3 } });
	expect((await api(emu, 'GET', '/me', { key })).status).toBe(200); // not matching
	for (let i = 0; i < 2; i++) {
		const r = await create('x');
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBe('3');
		expect(r.body).toMatchObject({ path: '$', code: 'rate-limited' });
	}
	expect((await create('x')).status).toBe(200);
	expect(emu.admin.ledger(key)).toHaveLength(1);
	expect(emu.admin.requests({ key }).filter((r) => r.fault === 'rate-limit-burst')).toHaveLength(2);
});

test('5xx: next N with a chosen status, and a deterministic error rate', async () => {
	emu.admin.setFaults({ serverErrors: { next: 2, status: 503 } });
	const a = await api(emu, 'GET', '/me', { key });
	const b = await create('x');
	expect([a.status, b.status]).toEqual([503, 503]);
	expect(b.body).toEqual({ error: 'Service Error', path: '$', code: 'unexpected' });
	expect((await api(emu, 'GET', '/me', { key })).status).toBe(200);
	emu.admin.setFaults({ serverErrorRate: 0.5 });
	const statuses: number[] = [];
	for (let i = 0; i < 40; i++) statuses.push((await api(emu, 'GET', '/me', { key })).status);
	const errors = statuses.filter((s) => s === 500).length;
	expect(errors).toBeGreaterThan(5);
	expect(errors).toBeLessThan(35);
	expect(emu.admin.ledger(key)).toHaveLength(0); // 5xx before commit: nothing stored
});

test('jobs that fail: next N and by prompt; FAILED with empty images, refunded', async () => {
	await admin('POST', '/faults', { failJobs: { next: 1 }, failPrompts: ['cursed'] });
	const ids = [];
	for (const p of ['first', 'second', 'a CURSED idol']) ids.push((await create(p)).body.sdGenerationJob.generationId);
	const rows = await Promise.all(ids.map((id) => waitGeneration(emu, id, key)));
	expect(rows.map((r) => r.status)).toEqual(['FAILED', 'COMPLETE', 'FAILED']);
	const s = (await admin('GET', '/ledger')).body.summary[key];
	expect(s).toMatchObject({ jobs: 3, completed: 1, failed: 2 });
	expect(s.spent).toBe(s.charged - s.refunded);
	expect(s.refunded).toBe(2 * emu.admin.ledger(key)[0].cost);
});

test('latency: per emulator, per key and via faults.jobLatencyMs', async () => {
	await admin('POST', '/latency', { ms: 400 });
	const id = (await create('slow')).body.sdGenerationJob.generationId;
	await new Promise((r) => setTimeout(r, 150));
	expect((await api(emu, 'GET', `/generations/${id}`, { key })).body.generations_by_pk.status).toBe('PENDING');
	emu.admin.setFaults({ jobLatencyMs: 0 });
	const fast = (await create('fast')).body.sdGenerationJob.generationId;
	expect((await waitGeneration(emu, fast, key)).status).toBe('COMPLETE');
	await admin('POST', `/keys/${key}/latency`, { ms: 1 });
	emu.admin.clearFaults();
	const perKey = (await create('per key')).body.sdGenerationJob.generationId;
	expect((await waitGeneration(emu, perKey, key)).status).toBe('COMPLETE');
	const delayed = Date.now();
	emu.admin.setFaults({ responseDelayMs: 120 });
	await api(emu, 'GET', '/me', { key });
	expect(Date.now() - delayed).toBeGreaterThanOrEqual(110);
});

test('connection dropped AFTER commit: the job exists and is charged, the client sees a network error', async () => {
	await admin('POST', '/faults', { dropAfterCommit: { next: 1, match: 'POST /generations' } });
	const before = emu.admin.ledgerSummary()[key].balance as number;
	await expect(create('trap')).rejects.toThrow();
	const entries = emu.admin.ledger(key);
	expect(entries).toHaveLength(1);
	expect(entries[0]).toMatchObject({ connectionDropped: true, charged: entries[0].cost, status: 'PENDING' });
	expect(emu.admin.ledgerSummary()[key].balance).toBe(before - entries[0].cost);
	// the job still completes and is visible in the user's list: a client can recover it instead of re-sending
	const me = (await api(emu, 'GET', '/me', { key })).body.user_details[0];
	const list = await api(emu, 'GET', `/generations/user/${me.user.id}`, { key });
	expect(list.body.generations.map((g: any) => g.id)).toContain(entries[0].jobId);
	const log = emu.admin.requests({ path: '/generations' }).find((r) => r.fault === 'drop-after-commit');
	expect(log?.jobId).toBe(entries[0].jobId);
	// a naive client re-sending pays twice: the ledger proves it
	expect((await create('trap')).status).toBe(200);
	expect(emu.admin.ledgerSummary()[key]).toMatchObject({ jobs: 2, connectionDropped: 1 });
});

test('request log records method, path, key, status, fault and job id', async () => {
	await create('logged');
	await api(emu, 'GET', '/me', { key: null });
	const log = (await admin('GET', `/requests?key=${key}`)).body.requests;
	expect(log.map((r: any) => [r.method, r.path, r.status])).toEqual([['POST', '/api/rest/v1/generations', 200]]);
	expect(log[0].jobId).toMatch(/^[0-9a-f-]{36}$/);
	const all = emu.admin.requests();
	expect(all.some((r) => r.status === 401 && r.key === null)).toBe(true);
	await admin('DELETE', '/requests');
	expect(emu.admin.requests()).toHaveLength(0);
});

test('settle / finish jobs now', async () => {
	emu.admin.setLatency({ ms: 60000 });
	const a = (await create('a')).body.sdGenerationJob.generationId;
	const b = (await create('b')).body.sdGenerationJob.generationId;
	expect((await admin('POST', `/jobs/${a}/finish`, { status: 'FAILED' })).body.finished).toBe(true);
	expect((await api(emu, 'GET', `/generations/${a}`, { key })).body.generations_by_pk.status).toBe('FAILED');
	expect((await admin('GET', '/jobs')).body.pending).toEqual([b]);
	expect((await admin('POST', '/jobs/settle')).body.settled).toBe(1);
	expect((await api(emu, 'GET', `/generations/${b}`, { key })).body.generations_by_pk.status).toBe('COMPLETE');
});

test('keys, tokens and reset through the admin routes', async () => {
	const added = await admin('POST', '/keys', { key: 'a4715a40-0000-4000-8000-00000000abcd', plan: 'ARTISAN', tokens: 77 });
	expect(added.body.key).toMatchObject({ plan: 'ARTISAN', apiSubscriptionTokens: 77, limits: { requestsPerMinute: 30, concurrentJobs: 5 } });
	await admin('POST', '/keys/a4715a40-0000-4000-8000-00000000abcd/tokens', { apiPaidTokens: 10 });
	const me = (await api(emu, 'GET', '/me', { key: 'a4715a40-0000-4000-8000-00000000abcd' })).body.user_details[0];
	expect([me.apiSubscriptionTokens, me.apiPaidTokens]).toEqual([77, 10]);
	await create('x');
	emu.admin.setFaults({ failJobs: { next: 5 } });
	expect((await admin('POST', '/reset')).status).toBe(200);
	expect(emu.admin.ledger()).toHaveLength(0);
	expect(emu.admin.requests()).toHaveLength(0);
	expect(emu.admin.faults().failJobs.next).toBe(0);
	const me2 = (await api(emu, 'GET', '/me', { key: 'a4715a40-0000-4000-8000-00000000abcd' })).body.user_details[0];
	expect([me2.apiSubscriptionTokens, me2.apiPaidTokens]).toEqual([77, 0]);
});
