/**
 * Plan-aware pacing per API key, shared by every execution inside this n8n process (module state).
 *
 * - RequestWindow: at most `limit` requests in any RATE_WINDOW_MS window. A request counts from the moment
 *   it is sent until RATE_WINDOW_MS after its response arrived, so the server (which counts arrivals) can
 *   never see more than `limit` in its window, whatever its window style (sliding, fixed or token bucket).
 * - Semaphore: at most the plan's concurrent jobs in flight (create until terminal status).
 * - pausedUntil: a 429 from Leonardo pauses every request of that key until its Retry-After.
 *
 * State is keyed by a SHA-256 of base URL + API key; the key itself is never stored or logged.
 */
import { createHash } from 'crypto';
import { sleepWithAbort } from 'n8n-workflow';

import type { PlanProfile } from '../../shared/plans';
import { ACCOUNT_CACHE_TTL_MS, RATE_WINDOW_MS } from '../helpers/constants';

/** Small slack so a timer that fires a little early still lands outside the window. */
const WINDOW_SLACK_MS = 25;
/** Re-check delay when the window is full of requests still in flight. */
const IN_FLIGHT_RECHECK_MS = 200;

interface WindowEntry {
	/** Completion time in ms; Infinity while the request is in flight. */
	t: number;
}

export class RequestWindow {
	private entries: WindowEntry[] = [];

	constructor(
		public limit: number,
		private readonly windowMs: number = RATE_WINDOW_MS,
	) {}

	private prune(now: number) {
		this.entries = this.entries.filter((e) => e.t > now - this.windowMs);
	}

	/** Requests counted in the window now (in flight included). */
	used(now = Date.now()) {
		this.prune(now);
		return this.entries.length;
	}

	/** Takes a slot now and returns its release, or returns how long to wait before trying again. */
	tryTake(now = Date.now()): { release: () => void } | { waitMs: number } {
		this.prune(now);
		if (this.entries.length < this.limit) {
			const entry: WindowEntry = { t: Infinity };
			this.entries.push(entry);
			return {
				release: () => {
					if (entry.t === Infinity) entry.t = Date.now();
				},
			};
		}
		const finished = this.entries.filter((e) => e.t !== Infinity).map((e) => e.t);
		if (finished.length === 0) return { waitMs: IN_FLIGHT_RECHECK_MS };
		return { waitMs: Math.max(1, Math.min(...finished) + this.windowMs - now + WINDOW_SLACK_MS) };
	}
}

export class Semaphore {
	private active = 0;

	private waiters: Array<() => void> = [];

	constructor(public size: number) {}

	get inUse() {
		return this.active;
	}

	async acquire(signal?: AbortSignal): Promise<() => void> {
		if (signal?.aborted) throw new Error('Execution was cancelled');
		if (this.active < Math.max(1, this.size)) {
			this.active++;
			return this.releaser();
		}
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				this.waiters = this.waiters.filter((w) => w !== wake);
				reject(new Error('Execution was cancelled'));
			};
			const wake = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			this.waiters.push(wake);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
		// the releasing holder handed its slot over: `active` is unchanged
		return this.releaser();
	}

	private releaser() {
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.waiters.shift();
			if (next && this.active <= Math.max(1, this.size)) next();
			else this.active--;
		};
	}
}

export interface KeyState {
	id: string;
	requests: RequestWindow;
	jobs: Semaphore;
	/** Epoch ms until which no request of this key is sent (after a 429). */
	pausedUntil: number;
	/** Small per-key caches (user id, element catalogue), each with its expiry. */
	cache: Map<string, { value: unknown; expires: number }>;
}

const states = new Map<string, KeyState>();

export function keyIdOf(baseUrl: string, apiKey: string) {
	return createHash('sha256').update(`${baseUrl}\n${apiKey}`).digest('hex').slice(0, 32);
}

/** The pacing state of a key, its limits refreshed from the plan (a credential may change plan). */
export function getKeyState(keyId: string, plan: PlanProfile): KeyState {
	let state = states.get(keyId);
	if (!state) {
		state = {
			id: keyId,
			requests: new RequestWindow(Math.max(1, plan.requestsPerMinute)),
			jobs: new Semaphore(Math.max(1, plan.concurrentJobs)),
			pausedUntil: 0,
			cache: new Map(),
		};
		states.set(keyId, state);
	}
	state.requests.limit = Math.max(1, plan.requestsPerMinute);
	state.jobs.size = Math.max(1, plan.concurrentJobs);
	return state;
}

/** Forget all pacing state (tests). */
export function resetPacing() {
	states.clear();
}

/** Waits until the key may send one more request, then returns the release to call on the response. */
export async function takeRequestSlot(state: KeyState, signal?: AbortSignal): Promise<() => void> {
	for (;;) {
		const now = Date.now();
		if (state.pausedUntil > now) {
			await sleepWithAbort(state.pausedUntil - now, signal);
			continue;
		}
		const taken = state.requests.tryTake(now);
		if ('release' in taken) return taken.release;
		await sleepWithAbort(taken.waitMs, signal);
	}
}

export function pauseKey(state: KeyState, ms: number) {
	state.pausedUntil = Math.max(state.pausedUntil, Date.now() + ms);
}

/** A per-key cached value; `refresh` re-loads it even when the cached copy has not expired yet. */
export async function cached<T>(
	state: KeyState,
	name: string,
	load: () => Promise<T>,
	refresh = false,
): Promise<T> {
	const hit = state.cache.get(name);
	if (!refresh && hit && hit.expires > Date.now()) return hit.value as T;
	const value = await load();
	state.cache.set(name, { value, expires: Date.now() + ACCOUNT_CACHE_TTL_MS });
	return value;
}
