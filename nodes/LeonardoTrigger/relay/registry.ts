/**
 * The relay registry: which waiting execution awaits which Leonardo jobs.
 *
 * Stored in the Leonardo Trigger's static data (node scope) — written ONLY from webhook() calls; see
 * shared/reference/n8n-relay.md. Static data is one JSON value per workflow and the last writer wins, so
 * concurrent webhook calls would lose each other's updates. Guard: an in-process merge cache (module-level
 * Map) that every call merges the freshly loaded copy into, mutates, and writes back in full as its last
 * step; tombstones (`done`) make sure a stale copy cannot bring a finished registration back.
 *
 * On n8n 2.x a static-data write made in a webhook() call that also starts an execution is silently dropped.
 * Such calls still update the merge cache; the next call that starts nothing (registration, reconcile tick,
 * callback without its own run) writes the merged state. If n8n restarts in between, the worst case is a
 * registration without its latest job status: the reconcile tick fetches the real state from the API.
 */
import { randomBytes } from 'crypto';

import type { AwaitedJobRef, AwaitedJobResult, AwaitedStatus, CarriedItem, JobKind } from '../../shared/relay';

export interface JobEntry {
	kind: JobKind;
	itemIndex: number;
	meta?: AwaitedJobRef['meta'];
	/** Terminal status once known. */
	status?: AwaitedStatus;
	reason?: string;
	/** Epoch ms of the next API check by reconcile. */
	nextCheck?: number;
	checks?: number;
}

export interface Registration {
	/**
	 * Identity of this wait. One execution can wait several times (a Leonardo node after another), always
	 * under the same execution id: tombstones and merges go by this id, never by the execution id alone.
	 * Absent in entries saved by older versions (then the execution id is used).
	 */
	rid?: string;
	executionId: string;
	resumeUrl: string;
	deadline: number;
	createdAt: number;
	/** Job ids in registration order. */
	order: string[];
	jobs: Record<string, JobEntry>;
	/** Error items (continueOnFail) of the waiting node, handed back on resume. */
	carried?: CarriedItem[];
	/** Name of the waiting node (sent back in the resume message). */
	node?: string;
	/** Resume attempts that failed in a retryable way. */
	attempts?: number;
	lastError?: string;
}

export interface EarlyEntry {
	status: AwaitedStatus;
	reason?: string;
	at: number;
}

export interface RelayState {
	regs: Record<string, Registration>;
	/** Callbacks for jobs nobody had registered yet (the callback won the race). */
	early: Record<string, EarlyEntry>;
	/** Tombstones by registration id (`rid`): waits resumed (or given up). */
	done: Record<string, number>;
}

export const EARLY_TTL_MS = 60 * 60_000;
export const TOMBSTONE_TTL_MS = 60 * 60_000;
/** A registration whose resume keeps failing is dropped this long after its deadline. */
export const REGISTRATION_GRACE_MS = 24 * 60 * 60_000;

export const STATIC_DATA_KEY = 'relay';

export function emptyState(): RelayState {
	return { regs: {}, early: {}, done: {} };
}

const cache = new Map<string, RelayState>();

/** For tests: forget the in-process cache (what an n8n restart does). */
export function resetRelayCache(): void {
	cache.clear();
}

export function isTerminal(status: AwaitedStatus | undefined): status is AwaitedStatus {
	return status !== undefined;
}

function mergeJobs(into: Registration, from: Registration) {
	for (const id of from.order ?? Object.keys(from.jobs ?? {})) {
		if (!into.order.includes(id)) into.order.push(id);
	}
	for (const [id, job] of Object.entries(from.jobs ?? {})) {
		const mine = into.jobs[id];
		if (!mine) {
			into.jobs[id] = { ...job };
			continue;
		}
		if (!isTerminal(mine.status) && isTerminal(job.status)) {
			mine.status = job.status;
			mine.reason = job.reason;
		}
		mine.checks = Math.max(mine.checks ?? 0, job.checks ?? 0);
		mine.nextCheck = Math.max(mine.nextCheck ?? 0, job.nextCheck ?? 0) || undefined;
	}
	into.attempts = Math.max(into.attempts ?? 0, from.attempts ?? 0) || undefined;
}

export function regId(reg: Pick<Registration, 'rid' | 'executionId'>): string {
	return reg.rid ?? reg.executionId;
}

function copyRegistration(reg: Registration): Registration {
	const copy = JSON.parse(JSON.stringify(reg)) as Registration;
	copy.order ??= Object.keys(reg.jobs ?? {});
	return copy;
}

/**
 * Merges `loaded` (a possibly stale copy) into `state` in place. Tombstones win. Two different waits of the
 * same execution are never merged: an execution waits at one place at a time, so the newer one wins.
 */
export function mergeState(state: RelayState, loaded: Partial<RelayState> | undefined): RelayState {
	if (loaded && typeof loaded === 'object') {
		for (const [id, at] of Object.entries(loaded.done ?? {})) {
			state.done[id] = Math.max(state.done[id] ?? 0, at);
		}
		for (const [id, reg] of Object.entries(loaded.regs ?? {})) {
			if (!reg || typeof reg !== 'object' || state.done[regId(reg)] !== undefined) continue;
			const mine = state.regs[id];
			if (!mine) state.regs[id] = copyRegistration(reg);
			else if (regId(mine) === regId(reg)) mergeJobs(mine, reg);
			else if ((reg.createdAt ?? 0) > (mine.createdAt ?? 0)) state.regs[id] = copyRegistration(reg);
		}
		for (const [id, early] of Object.entries(loaded.early ?? {})) {
			const mine = state.early[id];
			if (!mine || mine.at < early.at) state.early[id] = { ...early };
		}
	}
	for (const [id, reg] of Object.entries(state.regs)) if (state.done[regId(reg)] !== undefined) delete state.regs[id];
	return state;
}

/** Drops expired tombstones and early entries, and registrations long past their deadline. */
export function pruneState(state: RelayState, now: number): void {
	for (const [id, at] of Object.entries(state.done)) if (now - at > TOMBSTONE_TTL_MS) delete state.done[id];
	for (const [id, e] of Object.entries(state.early)) if (now - e.at > EARLY_TTL_MS) delete state.early[id];
	for (const [id, reg] of Object.entries(state.regs)) {
		if (now > reg.deadline + REGISTRATION_GRACE_MS) {
			delete state.regs[id];
			state.done[regId(reg)] = now;
		}
	}
}

/** The process-wide state of one relay (workflow + node), merged with the copy n8n just loaded. */
export function loadState(key: string, loaded: unknown): RelayState {
	let state = cache.get(key);
	if (!state) {
		state = emptyState();
		cache.set(key, state);
	}
	return mergeState(state, loaded as Partial<RelayState> | undefined);
}

export function snapshot(state: RelayState): RelayState {
	return JSON.parse(JSON.stringify(state)) as RelayState;
}

/** The registration awaiting `jobId`, if any. */
export function findByJob(state: RelayState, jobId: string): Registration | undefined {
	for (const reg of Object.values(state.regs)) if (reg.jobs[jobId]) return reg;
	return undefined;
}

export function addRegistration(
	state: RelayState,
	reg: Omit<Registration, 'order' | 'jobs' | 'rid'> & { jobs: AwaitedJobRef[] },
	firstCheckAt: number,
): Registration {
	const existing = state.regs[reg.executionId];
	const sameWait =
		!!existing && existing.order.length === reg.jobs.length && reg.jobs.every((job) => !!existing.jobs[job.id]);
	let entry: Registration;
	if (existing && sameWait) {
		entry = existing;
	} else {
		// A new wait of this execution (its previous wait, if still listed, was resumed already or is obsolete).
		entry = {
			rid: `${reg.executionId}@${reg.createdAt.toString(36)}.${randomBytes(4).toString('hex')}`,
			executionId: reg.executionId,
			resumeUrl: reg.resumeUrl,
			deadline: reg.deadline,
			createdAt: reg.createdAt,
			order: [],
			jobs: {},
		};
		if (existing) state.done[regId(existing)] = reg.createdAt;
	}
	entry.resumeUrl = reg.resumeUrl;
	entry.deadline = reg.deadline;
	if (reg.node) entry.node = reg.node;
	if (reg.carried?.length) entry.carried = reg.carried;
	for (const job of reg.jobs) {
		if (!entry.order.includes(job.id)) entry.order.push(job.id);
		entry.jobs[job.id] ??= { kind: job.kind, itemIndex: job.itemIndex, meta: job.meta, nextCheck: firstCheckAt };
		const known = existing?.jobs[job.id];
		if (known && isTerminal(known.status) && !isTerminal(entry.jobs[job.id].status)) {
			entry.jobs[job.id].status = known.status;
			entry.jobs[job.id].reason = known.reason;
		}
		const early = state.early[job.id];
		if (early) {
			entry.jobs[job.id].status = early.status;
			entry.jobs[job.id].reason = early.reason;
			delete state.early[job.id];
		}
	}
	state.regs[reg.executionId] = entry;
	return entry;
}

/** Records a job's final state; returns the registration it completes (or undefined = kept as early). */
export function recordResult(
	state: RelayState,
	jobId: string,
	status: AwaitedStatus,
	now: number,
	reason?: string,
): Registration | undefined {
	const reg = findByJob(state, jobId);
	if (!reg) {
		state.early[jobId] = { status, reason, at: now };
		return undefined;
	}
	const job = reg.jobs[jobId];
	if (!isTerminal(job.status)) {
		job.status = status;
		job.reason = reason;
	}
	return reg;
}

export function isComplete(reg: Registration): boolean {
	return reg.order.every((id) => isTerminal(reg.jobs[id]?.status));
}

export function results(reg: Registration): AwaitedJobResult[] {
	return reg.order.map((id) => {
		const job = reg.jobs[id];
		const result: AwaitedJobResult = {
			id,
			kind: job.kind,
			itemIndex: job.itemIndex,
			status: job.status ?? 'TIMEOUT',
		};
		if (job.meta) result.meta = job.meta;
		if (job.reason) result.reason = job.reason;
		return result;
	});
}

/** Tombstones `reg`; removes it unless its execution registered a newer wait meanwhile. */
export function markDone(state: RelayState, reg: Registration, now: number): void {
	state.done[regId(reg)] = now;
	const listed = state.regs[reg.executionId];
	if (listed && regId(listed) === regId(reg)) delete state.regs[reg.executionId];
}
