/**
 * In-memory state of the emulator: accounts (API keys), records (generations, variations, uploads,
 * datasets, elements, custom models), the token ledger, the request log, and the per-key job scheduler
 * (concurrency + bounded queue + PENDING latency).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { JobStatus, VariationType } from '../nodes/shared/contract';
import { resolvePlan, type CustomPlanLimits, type PlanId, type PlanProfile } from '../nodes/shared/plans';
import { apiError } from './validation';

/** Deterministic UUID v4-shaped id from a seed string. */
export function uuidFrom(seed: string): string {
	const h = createHash('sha256').update(seed).digest('hex');
	const variant = '89ab'[parseInt(h[16], 16) % 4];
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Postgres-style timestamp without zone, like the polling endpoints ("2023-11-25T20:49:08.035"). */
export const pgTime = (d: Date) => d.toISOString().replace('Z', '');

export interface KeyOptions {
	key: string;
	plan: PlanId;
	webhookUrl?: string | null;
	/** The "webhook callback API key" sent as `authorization: Bearer <secret>`. */
	webhookSecret?: string | null;
	/** Starting apiSubscriptionTokens (default by plan) and apiPaidTokens (default 0). */
	tokens?: number;
	paidTokens?: number;
	/** Custom-plan limits (ignored for the fixed plans). */
	limits?: CustomPlanLimits;
	/** How long this key's jobs stay PENDING (overrides the emulator default). */
	latencyMs?: number;
}

export const DEFAULT_TOKENS: Record<PlanId, number> = {
	FREE: 150,
	APPRENTICE: 8500,
	ARTISAN: 25000,
	MAESTRO: 60000,
	CUSTOM: 100000,
};

export interface Account {
	key: string;
	plan: PlanId;
	profile: PlanProfile;
	limits: CustomPlanLimits;
	userId: string;
	username: string;
	apiKeyId: string;
	createdAt: Date;
	lastUsed: Date | null;
	apiSubscriptionTokens: number;
	apiPaidTokens: number;
	webhookUrl: string | null;
	webhookSecret: string | null;
	latencyMs: number | null;
	/** Request timestamps (ms) inside the current rate window. */
	window: number[];
	loraTrainings: { month: string; count: number };
}

export interface ImageRecord {
	id: string;
	generationId: string;
	index: number;
	url: string;
	width: number;
	height: number;
	createdAt: Date;
	motionMP4URL: string | null;
	variationIds: string[];
}

export type GenerationKind = 'image' | 'v2-image' | 'v2-video' | 'svd' | 'image-to-video' | 'text-to-video';

export interface GenerationRecord {
	id: string;
	kind: GenerationKind;
	key: string;
	userId: string;
	status: JobStatus;
	createdAt: Date;
	updatedAt: Date;
	prompt: string;
	negativePrompt: string | null;
	modelId: string | null;
	modelName: string;
	sdVersion: string | null;
	width: number;
	height: number;
	numImages: number;
	seed: number;
	scheduler: string | null;
	presetStyle: string | null;
	inferenceSteps: number | null;
	guidanceScale: number | null;
	initStrength: number | null;
	public: boolean;
	alchemy: boolean | null;
	ultra: boolean | null;
	photoReal: boolean | null;
	photoRealStrength: number | null;
	promptMagic: boolean | null;
	promptMagicStrength: number | null;
	promptMagicVersion: string | null;
	transparent: boolean;
	initImageId: string | null;
	initGeneratedImageId: string | null;
	canvasInitImageId: string | null;
	canvasMaskImageId: string | null;
	canvasRequest: boolean;
	controlnetsUsed: boolean;
	elements: Array<{ akUUID: string; weight: number }>;
	userElements: Array<{ userLoraId: number; weight: number }>;
	images: ImageRecord[];
	motion: null | {
		model: string;
		resolution: string | null;
		durationSeconds: number;
		imageToVideo: boolean;
		motionStrength: number | null;
		sourceImageId: string | null;
	};
	v2Model: string | null;
	cost: number;
	deleted: boolean;
}

export interface VariationRecord {
	id: string;
	key: string;
	userId: string;
	transformType: VariationType;
	operation: 'upscale' | 'unzoom' | 'nobg' | 'universal-upscaler';
	sourceImageId: string;
	/** The generated image the variation hangs off (null for an uploaded init image source). */
	generatedImageId: string | null;
	status: JobStatus;
	url: string | null;
	width: number;
	height: number;
	transparent: boolean;
	createdAt: Date;
	updatedAt: Date;
	cost: number;
	prompt: string;
}

export interface MotionVariationRecord {
	id: string;
	key: string;
	userId: string;
	sourceGenerationId: string;
	resolution: string;
	status: JobStatus;
	url: string | null;
	createdAt: Date;
	cost: number;
}

export interface UploadRecord {
	id: string;
	kind: 'init' | 'canvas-init' | 'canvas-mask' | 'dataset' | 'media';
	userId: string;
	key: string;
	s3Key: string;
	extension: string;
	createdAt: Date;
	bytes: Buffer | null;
	contentType: string | null;
	datasetId?: string;
	deleted?: boolean;
}

export interface DatasetRecord {
	id: string;
	userId: string;
	name: string;
	description: string | null;
	createdAt: Date;
	updatedAt: Date;
	/** Image ids: uploads (UploadRecord ids) or copies of generated images. */
	images: Array<{ id: string; createdAt: Date; url: string; uploadId: string | null }>;
}

export interface ElementRecord {
	id: number;
	key: string;
	userId: string;
	name: string;
	description: string;
	focus: string;
	baseModel: string;
	instancePrompt: string | null;
	learningRate: number;
	resolution: number;
	trainTextEncoder: boolean;
	trainingEpoch: number;
	datasetId: string;
	status: JobStatus;
	createdAt: Date;
	updatedAt: Date;
	cost: number;
}

export interface CustomModelRecord {
	id: string;
	key: string;
	userId: string;
	name: string;
	description: string;
	instancePrompt: string;
	modelHeight: number;
	modelWidth: number;
	sdVersion: string;
	type: string;
	status: JobStatus;
	createdAt: Date;
	updatedAt: Date;
	cost: number;
}

export type JobKind = 'generation' | 'variation' | 'motion-variation' | 'training' | 'model-training';

export interface LedgerEntry {
	jobId: string;
	kind: JobKind;
	operation: string;
	key: string;
	userId: string;
	cost: number;
	/** Tokens taken from the balance at creation. */
	charged: number;
	/** Tokens given back (failed jobs). */
	refunded: number;
	status: JobStatus;
	createdAt: string;
	startedAt: string | null;
	completedAt: string | null;
	/** Id of the request (request log) that created the job. */
	requestId: number;
	/** The creating request's connection was destroyed after commit (duplicate-charge trap). */
	connectionDropped: boolean;
	/** Whether the job waited in the queue. */
	queued: boolean;
}

export interface RequestLogEntry {
	id: number;
	time: string;
	method: string;
	path: string;
	key: string | null;
	status: number;
	durationMs: number;
	/** Which fault (if any) produced the answer. */
	fault: string | null;
	/** Job id created by the request (job-creating POSTs). */
	jobId: string | null;
	error: string | null;
}

interface ScheduledJob {
	id: string;
	key: string;
	latencyMs: number;
	fail: boolean;
	counts: boolean;
	run: (status: 'COMPLETE' | 'FAILED') => void;
	timer: NodeJS.Timeout | null;
	state: 'queued' | 'running' | 'done';
}

export class Store {
	accounts = new Map<string, Account>();
	generations = new Map<string, GenerationRecord>();
	images = new Map<string, ImageRecord>();
	variations = new Map<string, VariationRecord>();
	motionVariations = new Map<string, MotionVariationRecord>();
	uploads = new Map<string, UploadRecord>();
	uploadsByS3Key = new Map<string, UploadRecord>();
	datasets = new Map<string, DatasetRecord>();
	elements = new Map<number, ElementRecord>();
	customModels = new Map<string, CustomModelRecord>();
	ledger: LedgerEntry[] = [];
	requests: RequestLogEntry[] = [];
	private jobs = new Map<string, ScheduledJob>();
	private running = new Map<string, Set<string>>();
	private queues = new Map<string, string[]>();
	private nextRequestId = 1;
	nextElementId = 100001;

	constructor(public defaultLatencyMs: number, public trainingLatencyMs: number) {}

	addAccount(o: KeyOptions): Account {
		const plan = o.plan;
		const acc: Account = {
			key: o.key,
			plan,
			profile: resolvePlan(plan, o.limits ?? {}),
			limits: o.limits ?? {},
			userId: uuidFrom(`user:${o.key}`),
			username: `emulator-${plan.toLowerCase()}`,
			apiKeyId: uuidFrom(`apikey:${o.key}`),
			createdAt: new Date(),
			lastUsed: null,
			apiSubscriptionTokens: o.tokens ?? DEFAULT_TOKENS[plan],
			apiPaidTokens: o.paidTokens ?? 0,
			webhookUrl: o.webhookUrl ?? null,
			webhookSecret: o.webhookSecret ?? null,
			latencyMs: o.latencyMs ?? null,
			window: [],
			loraTrainings: { month: currentMonth(), count: 0 },
		};
		this.accounts.set(o.key, acc);
		return acc;
	}

	accountByUserId(userId: string): Account | undefined {
		for (const a of this.accounts.values()) if (a.userId === userId) return a;
		return undefined;
	}

	balance(acc: Account): number {
		return acc.apiSubscriptionTokens + acc.apiPaidTokens;
	}

	/** Refuses (402) when the balance cannot pay `cost`. */
	assertCanPay(acc: Account, cost: number): void {
		const bal = this.balance(acc);
		if (cost > bal)
			throw apiError(
				402,
				`Insufficient API token balance: this request costs ${cost} tokens but the remaining balance is ${bal}. API requests are paused until credit is added.`,
				'insufficient-balance',
			);
	}

	charge(acc: Account, cost: number): void {
		const fromSub = Math.min(acc.apiSubscriptionTokens, cost);
		acc.apiSubscriptionTokens -= fromSub;
		acc.apiPaidTokens -= cost - fromSub;
	}

	refund(acc: Account, amount: number): void {
		acc.apiSubscriptionTokens += amount;
	}

	logRequest(e: Omit<RequestLogEntry, 'id'>): RequestLogEntry {
		const entry = { id: this.nextRequestId++, ...e };
		this.requests.push(entry);
		if (this.requests.length > 10000) this.requests.splice(0, this.requests.length - 10000);
		return entry;
	}

	reserveRequestId(): number {
		return this.nextRequestId++;
	}

	pushRequestLog(entry: RequestLogEntry): void {
		this.requests.push(entry);
		if (this.requests.length > 10000) this.requests.splice(0, this.requests.length - 10000);
	}

	// -----------------------------------------------------------------------------------------
	// Scheduler: per-key concurrency (profile.concurrentJobs) and a bounded queue (profile.queuedJobs)
	// -----------------------------------------------------------------------------------------

	runningCount(key: string): number {
		return this.running.get(key)?.size ?? 0;
	}

	queuedCount(key: string): number {
		return this.queues.get(key)?.length ?? 0;
	}

	/** Throws 429 when a new job would not fit (running + queue full). */
	assertCapacity(acc: Account): void {
		if (this.runningCount(acc.key) < acc.profile.concurrentJobs) return;
		if (this.queuedCount(acc.key) < acc.profile.queuedJobs) return;
		throw apiError(
			429,
			`Too many pending jobs: the ${acc.profile.displayName} plan runs ${acc.profile.concurrentJobs} concurrent jobs and queues at most ${acc.profile.queuedJobs} more. Wait for jobs to finish and try again.`,
			'queue-full',
			'$',
			{ 'retry-after': '5' },
		);
	}

	/**
	 * Schedules a job. `counts` jobs use the key's concurrency slots and may wait in the queue; others
	 * (trainings) run at once. `run` is called once with the final status.
	 */
	schedule(opts: { id: string; key: string; latencyMs: number; fail: boolean; counts: boolean; run: (s: 'COMPLETE' | 'FAILED') => void }): { queued: boolean } {
		const job: ScheduledJob = { ...opts, timer: null, state: 'queued' };
		this.jobs.set(job.id, job);
		if (!job.counts || this.runningCount(job.key) < (this.accounts.get(job.key)?.profile.concurrentJobs ?? 1)) {
			this.start(job);
			return { queued: false };
		}
		const q = this.queues.get(job.key) ?? [];
		q.push(job.id);
		this.queues.set(job.key, q);
		return { queued: true };
	}

	private start(job: ScheduledJob): void {
		job.state = 'running';
		if (job.counts) {
			const set = this.running.get(job.key) ?? new Set<string>();
			set.add(job.id);
			this.running.set(job.key, set);
		}
		const entry = this.ledger.find((l) => l.jobId === job.id);
		if (entry) entry.startedAt = new Date().toISOString();
		job.timer = setTimeout(() => this.finish(job.id), Math.max(0, job.latencyMs));
	}

	/** Ends a job now (admin "settle"), with its planned status unless `status` is given. */
	finish(id: string, status?: 'COMPLETE' | 'FAILED'): boolean {
		const job = this.jobs.get(id);
		if (!job || job.state === 'done') return false;
		if (job.timer) clearTimeout(job.timer);
		if (job.state === 'queued') {
			const q = this.queues.get(job.key) ?? [];
			const i = q.indexOf(id);
			if (i >= 0) q.splice(i, 1);
		}
		job.state = 'done';
		this.running.get(job.key)?.delete(id);
		this.jobs.delete(id);
		try {
			job.run(status ?? (job.fail ? 'FAILED' : 'COMPLETE'));
		} finally {
			this.pump(job.key);
		}
		return true;
	}

	private pump(key: string): void {
		const q = this.queues.get(key);
		const limit = this.accounts.get(key)?.profile.concurrentJobs ?? 1;
		while (q && q.length && this.runningCount(key) < limit) {
			const next = this.jobs.get(q.shift() as string);
			if (next) this.start(next);
		}
	}

	pendingJobIds(): string[] {
		return [...this.jobs.keys()];
	}

	/** Stops all timers (server stop / reset). */
	clearJobs(): void {
		for (const j of this.jobs.values()) if (j.timer) clearTimeout(j.timer);
		this.jobs.clear();
		this.running.clear();
		this.queues.clear();
	}

	ledgerSummary(): Record<string, { jobs: number; completed: number; failed: number; pending: number; charged: number; refunded: number; spent: number; connectionDropped: number; balance: number | null }> {
		const out: ReturnType<Store['ledgerSummary']> = {};
		for (const acc of this.accounts.values())
			out[acc.key] = { jobs: 0, completed: 0, failed: 0, pending: 0, charged: 0, refunded: 0, spent: 0, connectionDropped: 0, balance: this.balance(acc) };
		for (const l of this.ledger) {
			const s = (out[l.key] ??= { jobs: 0, completed: 0, failed: 0, pending: 0, charged: 0, refunded: 0, spent: 0, connectionDropped: 0, balance: null });
			s.jobs++;
			if (l.status === 'COMPLETE') s.completed++;
			else if (l.status === 'FAILED') s.failed++;
			else s.pending++;
			s.charged += l.charged;
			s.refunded += l.refunded;
			s.spent += l.charged - l.refunded;
			if (l.connectionDropped) s.connectionDropped++;
		}
		return out;
	}

	newId(): string {
		return randomUUID();
	}
}

export function currentMonth(d = new Date()): string {
	return d.toISOString().slice(0, 7);
}
