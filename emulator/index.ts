/**
 * Leonardo API emulator: a local server speaking the real Leonardo REST API (/api/rest/v1, /api/rest/v2),
 * with plan keys, asynchronous jobs, real PNG/MP4 outputs on a CDN route, webhooks, fault injection and a
 * ledger. Not part of the published package.
 *
 *   const emu = await startEmulator({ port: 0 });
 *   // credential baseUrl = emu.url ; apiKey = emu.keyFor('MAESTRO')
 *   await emu.stop();
 */
import type { PlanId } from '../nodes/shared/plans';
import type { FaultConfig, FaultPatch } from './faults';
import { EmulatorServer } from './server';
import type { KeyOptions, LedgerEntry, RequestLogEntry } from './state';
import type { FailedEventStyle, WebhookDelivery } from './webhooks';

export type { KeyOptions, LedgerEntry, RequestLogEntry, FaultConfig, FaultPatch, FailedEventStyle, WebhookDelivery };
export { COSTS, calculateServiceCost, imageGenerationCost, motionCost } from './pricing';

/** One deterministic UUID-v4-shaped key per plan, used when no keys are given (CLI, demo, examples). */
export const DEFAULT_KEYS: Readonly<Record<PlanId, string>> = Object.freeze({
	FREE: 'f4ee0000-0000-4000-8000-000000000001',
	APPRENTICE: 'a9900000-0000-4000-8000-000000000002',
	ARTISAN: 'a4715a40-0000-4000-8000-000000000003',
	MAESTRO: 'ae574000-0000-4000-8000-000000000004',
	CUSTOM: 'c0570000-0000-4000-8000-000000000005',
});

export interface StartOptions {
	/** 0 = any free port (default 0). */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** API keys; default one per plan (DEFAULT_KEYS). */
	keys?: KeyOptions[];
	/** How long jobs stay PENDING (ms). Default 300. */
	latencyMs?: number;
	/** How long element/model trainings stay PENDING (ms). Default 3 x latencyMs. */
	trainingLatencyMs?: number;
	/** Origin used in CDN/upload URLs handed out (default http://host:port). */
	publicUrl?: string;
}

export interface EmulatorKeyInfo {
	key: string;
	plan: PlanId;
	userId: string;
	username: string;
	webhookUrl: string | null;
	webhookSecret: string | null;
	apiSubscriptionTokens: number;
	apiPaidTokens: number;
	latencyMs: number | null;
	loraTrainingsUsed: number;
	limits: { apiAccess: boolean; requestsPerMinute: number; concurrentJobs: number; queuedJobs: number; loraTrainingsPerMonth: number };
	running: number;
	queued: number;
}

export interface EmulatorAdmin {
	/** Merges a fault patch (see faults.ts); returns the active config. */
	setFaults(patch: FaultPatch): FaultConfig;
	clearFaults(): void;
	faults(): FaultConfig;
	/** Default job latency (ms), or per key with `key` (`ms: null` clears the key's own latency); `trainingMs` for trainings. */
	setLatency(o: { ms?: number | null; trainingMs?: number; key?: string }): void;
	addKey(k: KeyOptions): EmulatorKeyInfo;
	keys(): EmulatorKeyInfo[];
	setWebhook(key: string, url: string | null, secret?: string | null): void;
	setTokens(key: string, t: { apiSubscriptionTokens?: number; apiPaidTokens?: number }): void;
	setLoraTrainingsUsed(key: string, used: number): void;
	setFailedEventStyle(style: FailedEventStyle): void;
	requests(filter?: { key?: string; path?: string }): RequestLogEntry[];
	clearRequests(): void;
	ledger(key?: string): LedgerEntry[];
	ledgerSummary(): ReturnType<EmulatorServer['store']['ledgerSummary']>;
	jobs(): { pending: string[]; perKey: Record<string, { running: number; queued: number }> };
	/** Ends one job now (with its planned status, or the given one). */
	finishJob(id: string, status?: 'COMPLETE' | 'FAILED'): boolean;
	/** Ends every pending/queued job now; returns how many. */
	settleAll(): number;
	webhookDeliveries(): WebhookDelivery[];
	/** Releases held (reorder) webhook deliveries. */
	flushWebhooks(): number;
	/** Resolves when no webhook delivery is in flight or delayed. */
	webhooksIdle(): Promise<void>;
	reset(): void;
	/** The underlying server (escape hatch for tests). */
	server: EmulatorServer;
}

export interface EmulatorHandle {
	/** Origin, e.g. http://127.0.0.1:PORT (credential baseUrl). */
	url: string;
	/** API v1 base URL (SDK serverURL). */
	apiV1: string;
	keys: EmulatorKeyInfo[];
	/** The key of the first configured key with this plan. */
	keyFor(plan: PlanId): string;
	stop(): Promise<void>;
	admin: EmulatorAdmin;
}

export function defaultKeyOptions(): KeyOptions[] {
	return (Object.keys(DEFAULT_KEYS) as PlanId[]).map((plan) => ({ key: DEFAULT_KEYS[plan], plan }));
}

export async function startEmulator(opts: StartOptions = {}): Promise<EmulatorHandle> {
	const latencyMs = opts.latencyMs ?? 300;
	const server = new EmulatorServer({
		host: opts.host ?? '127.0.0.1',
		port: opts.port ?? 0,
		latencyMs,
		trainingLatencyMs: opts.trainingLatencyMs ?? latencyMs * 3,
		keys: opts.keys && opts.keys.length ? opts.keys : defaultKeyOptions(),
		publicUrl: opts.publicUrl,
	});
	await server.listen();
	const admin: EmulatorAdmin = {
		setFaults: (p) => server.faults.set(p),
		clearFaults: () => server.faults.reset(),
		faults: () => server.faults.config,
		setLatency: (o) => server.setLatency(o),
		addKey: (k) => server.keyInfo(server.addKey(k)) as EmulatorKeyInfo,
		keys: () => server.keyInfos() as EmulatorKeyInfo[],
		setWebhook: (key, url, secret = null) => server.setWebhook(key, url, secret),
		setTokens: (key, t) => server.setTokens(key, t),
		setLoraTrainingsUsed: (key, used) => {
			const acc = server.store.accounts.get(key);
			if (!acc) throw new Error(`unknown key ${key}`);
			acc.loraTrainings = { month: new Date().toISOString().slice(0, 7), count: used };
		},
		setFailedEventStyle: (s) => server.setFailedEventStyle(s),
		requests: (f = {}) => server.store.requests.filter((r) => (!f.key || r.key === f.key) && (!f.path || r.path.includes(f.path))),
		clearRequests: () => {
			server.store.requests = [];
		},
		ledger: (key) => server.store.ledger.filter((l) => !key || l.key === key),
		ledgerSummary: () => server.store.ledgerSummary(),
		jobs: () => server.jobsInfo(),
		finishJob: (id, status) => server.store.finish(id, status),
		settleAll: () => server.settleAll(),
		webhookDeliveries: () => server.webhooks.deliveries,
		flushWebhooks: () => server.webhooks.flush(),
		webhooksIdle: () => server.webhooks.idle(),
		reset: () => server.reset(),
		server,
	};
	const handle: EmulatorHandle = {
		url: server.origin,
		apiV1: `${server.origin}/api/rest/v1`,
		get keys() {
			return server.keyInfos() as EmulatorKeyInfo[];
		},
		keyFor(plan: PlanId) {
			const acc = [...server.store.accounts.values()].find((a) => a.plan === plan);
			if (!acc) throw new Error(`no ${plan} key configured`);
			return acc.key;
		},
		stop: () => server.close(),
		admin,
	};
	return handle;
}
