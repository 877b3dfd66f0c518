/**
 * Unit tests of the pacing primitives with a short window (the plan windows are 60 s; the logic is the same).
 */
import { RequestWindow, Semaphore, getKeyState, keyIdOf, pauseKey, resetPacing, takeRequestSlot, type KeyState } from '../../nodes/Leonardo/transport/pacing';
import { PLAN_PROFILES, resolvePlan } from '../../nodes/shared/plans';

afterEach(() => resetPacing());

describe('RequestWindow', () => {
	it('never lets more than `limit` requests into any window, counting from the response', async () => {
		const windowMs = 300;
		const state: KeyState = {
			id: 't',
			requests: new RequestWindow(3, windowMs),
			jobs: new Semaphore(10),
			pausedUntil: 0,
			cache: new Map(),
		};
		const arrivals: number[] = [];
		const responses: number[] = [];
		const started = Date.now();
		await Promise.all(
			Array.from({ length: 9 }, async () => {
				const release = await takeRequestSlot(state);
				arrivals.push(Date.now());
				await new Promise((r) => setImmediate(r));
				responses.push(Date.now());
				release();
			}),
		);
		expect(arrivals).toHaveLength(9);
		// 9 requests at 3 per 300 ms window: at least two full windows of waiting
		expect(Date.now() - started).toBeGreaterThanOrEqual(2 * windowMs);
		arrivals.sort((a, b) => a - b);
		responses.sort((a, b) => a - b);
		for (let i = 3; i < arrivals.length; i++) {
			// the (i)th request is sent only after the (i-3)th response left the window
			expect(arrivals[i] - responses[i - 3]).toBeGreaterThanOrEqual(windowMs);
		}
	});

	it('waits while the window is full of requests still in flight', () => {
		const w = new RequestWindow(1, 1000);
		const first = w.tryTake();
		expect('release' in first).toBe(true);
		const second = w.tryTake();
		expect('waitMs' in second && second.waitMs).toBeGreaterThan(0);
	});
});

describe('Semaphore', () => {
	it('bounds concurrency and hands slots over in order', async () => {
		const s = new Semaphore(2);
		let active = 0;
		let max = 0;
		const order: number[] = [];
		await Promise.all(
			Array.from({ length: 6 }, async (_, i) => {
				const release = await s.acquire();
				active++;
				max = Math.max(max, active);
				order.push(i);
				await new Promise((r) => setTimeout(r, 5));
				active--;
				release();
			}),
		);
		expect(max).toBe(2);
		expect(order).toEqual([0, 1, 2, 3, 4, 5]);
		expect(s.inUse).toBe(0);
	});

	it('a waiter gives up when the execution is cancelled', async () => {
		const s = new Semaphore(1);
		const release = await s.acquire();
		const controller = new AbortController();
		const waiting = s.acquire(controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow('cancelled');
		release();
		expect(s.inUse).toBe(0);
	});
});

describe('key state', () => {
	it('is shared per key (hash, never the key) and follows the plan', () => {
		const id = keyIdOf('https://cloud.leonardo.ai', 'secret-key');
		expect(id).not.toContain('secret');
		const a = getKeyState(id, PLAN_PROFILES.ARTISAN);
		expect(a.requests.limit).toBe(30);
		expect(a.jobs.size).toBe(5);
		const b = getKeyState(id, resolvePlan('CUSTOM', { requestsPerMinute: 7, concurrentJobs: 2 }));
		expect(b).toBe(a);
		expect(b.requests.limit).toBe(7);
		expect(b.jobs.size).toBe(2);
		expect(getKeyState(keyIdOf('https://cloud.leonardo.ai', 'other'), PLAN_PROFILES.MAESTRO)).not.toBe(a);
	});

	it('a 429 pause holds every request of the key until Retry-After', async () => {
		const state = getKeyState('pause', PLAN_PROFILES.MAESTRO);
		pauseKey(state, 200);
		const started = Date.now();
		const release = await takeRequestSlot(state);
		release();
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);
	});
});
