/**
 * The emulator's HTTP server (plain node:http): routing for the Leonardo REST API (/api/rest/v1, /api/rest/v2),
 * the CDN (/cdn/...), the S3-like presigned upload route (/_s3/) and the admin routes (/_emulator/...).
 */
import * as http from 'node:http';
import { createHmac, randomInt } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import {
	ERROR_MESSAGES,
	GENERATION_LIMITS,
	IMAGE_EXTENSIONS,
	LORA_FOCUSES,
	PRICING_SERVICES,
	type JobStatus,
	type VariationType,
} from '../nodes/shared/contract';
import { isPlanId } from '../nodes/shared/plans';
import { DEFAULT_MODEL_ID, PLATFORM_ELEMENTS, PLATFORM_MODELS, V2_MODELS, findModel } from './catalog';
import { Faults, type FaultPatch } from './faults';
import { renderPng } from './images';
import {
	CHARACTER_REFERENCE_IDS,
	COSTS,
	calculateServiceCost,
	imageGenerationCost,
	modelTrainingCost,
	motionCost,
	universalUpscalerCost,
} from './pricing';
import {
	Store,
	currentMonth,
	pgTime,
	type Account,
	type GenerationKind,
	type GenerationRecord,
	type ImageRecord,
	type JobKind,
	type KeyOptions,
	type LedgerEntry,
	type RequestLogEntry,
	type UploadRecord,
	type VariationRecord,
} from './state';
import { ApiError, SCHEMAS, V2_PARAMETERS, apiError, moderationHit, validateBody } from './validation';
import { renderMp4 } from './video';
import { WebhookDispatcher, generationWebhookObject, variationWebhookObject, type FailedEventStyle } from './webhooks';

const JSON_TYPE = 'application/json; charset=utf-8';
const S3_SECRET = 'leonardo-emulator-s3-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServerOptions {
	host: string;
	port: number;
	latencyMs: number;
	trainingLatencyMs: number;
	keys: KeyOptions[];
	/** Origin used in URLs handed out (CDN, S3); default http://<host>:<port>. */
	publicUrl?: string;
}

interface Ctx {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	url: URL;
	method: string;
	path: string;
	log: RequestLogEntry;
	acc?: Account;
	body?: unknown;
	rawBody?: Buffer;
}

interface Reply {
	status?: number;
	body: unknown;
	jobId?: string;
}

type CdnFile = () => { contentType: string; bytes: Buffer };

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', mp4: 'video/mp4', mov: 'video/quicktime' };

function slug(text: string, max = 40): string {
	return (
		text
			.replace(/[^A-Za-z0-9 ]+/g, ' ')
			.trim()
			.split(/\s+/)
			.join('_')
			.slice(0, max)
			.replace(/_+$/, '') || 'image'
	);
}

export class EmulatorServer {
	readonly store: Store;
	readonly faults = new Faults();
	readonly webhooks: WebhookDispatcher;
	readonly server: http.Server;
	origin = '';
	private cdn = new Map<string, CdnFile>();
	private sockets = new Set<Socket>();
	private initialKeys: KeyOptions[];
	private initialLatency: number;
	private initialTrainingLatency: number;

	constructor(private opts: ServerOptions) {
		this.store = new Store(opts.latencyMs, opts.trainingLatencyMs);
		this.webhooks = new WebhookDispatcher(this.faults);
		this.initialKeys = opts.keys.map((k) => ({ ...k }));
		this.initialLatency = opts.latencyMs;
		this.initialTrainingLatency = opts.trainingLatencyMs;
		for (const k of opts.keys) this.store.addAccount(k);
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				if (!res.headersSent) this.send(res, 500, { error: String(err?.message ?? err), path: '$', code: 'unexpected' });
				else res.destroy();
			});
		});
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
	}

	async listen(): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.opts.port, this.opts.host, () => resolve());
		});
		const addr = this.server.address() as AddressInfo;
		const host = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
		this.origin = (this.opts.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`).replace(/\/$/, '');
	}

	async close(): Promise<void> {
		this.store.clearJobs();
		this.webhooks.reset();
		for (const s of this.sockets) s.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** Back to the initial state: records, ledger, logs, faults, webhooks, balances and counters. */
	reset(): void {
		const s = this.store;
		s.clearJobs();
		this.webhooks.reset();
		this.webhooks.failedEventStyle = 'complete-with-failed-status';
		this.faults.reset();
		s.generations.clear();
		s.images.clear();
		s.variations.clear();
		s.motionVariations.clear();
		s.uploads.clear();
		s.uploadsByS3Key.clear();
		s.datasets.clear();
		s.elements.clear();
		s.customModels.clear();
		s.ledger = [];
		s.requests = [];
		s.accounts.clear();
		s.defaultLatencyMs = this.initialLatency;
		s.trainingLatencyMs = this.initialTrainingLatency;
		this.cdn.clear();
		for (const k of this.initialKeys) s.addAccount(k);
	}

	addKey(k: KeyOptions): Account {
		if (!isPlanId(k.plan)) throw apiError(400, `unknown plan ${String(k.plan)}`, 'bad-request');
		this.initialKeys = this.initialKeys.filter((x) => x.key !== k.key).concat({ ...k });
		return this.store.addAccount(k);
	}

	// -------------------------------------------------------------------------------------------
	// HTTP plumbing
	// -------------------------------------------------------------------------------------------

	private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
		if (res.headersSent || res.destroyed) return;
		const payload = JSON.stringify(body);
		res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(payload), ...headers });
		res.end(payload);
	}

	private readBody(req: http.IncomingMessage): Promise<Buffer> {
		return new Promise((resolve, reject) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => resolve(Buffer.concat(chunks)));
			req.on('error', reject);
		});
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const started = Date.now();
		const url = new URL(req.url ?? '/', 'http://emulator');
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname;
		const admin = path === '/_emulator' || path.startsWith('/_emulator/');
		const log: RequestLogEntry = {
			id: admin ? 0 : this.store.reserveRequestId(),
			time: new Date(started).toISOString(),
			method,
			path: path + (url.search || ''),
			key: null,
			status: 0,
			durationMs: 0,
			fault: null,
			jobId: null,
			error: null,
		};
		if (!admin) {
			let logged = false;
			const done = () => {
				if (logged) return;
				logged = true;
				log.status = res.headersSent ? res.statusCode : 0;
				log.durationMs = Date.now() - started;
				this.store.pushRequestLog(log);
			};
			res.on('finish', done);
			res.on('close', done);
		}
		const ctx: Ctx = { req, res, url, method, path, log };
		try {
			if (admin) return await this.handleAdmin(ctx);
			if (path.startsWith('/cdn/')) return this.handleCdn(ctx);
			if (path === '/_s3' || path.startsWith('/_s3/')) return await this.handleS3(ctx);
			if (path.startsWith('/api/rest/v1/') || path.startsWith('/api/rest/v2/')) return await this.handleApi(ctx);
			throw apiError(404, `no route for ${method} ${path}`, 'not-found');
		} catch (err) {
			if (err instanceof ApiError) {
				log.error = err.body.error;
				this.send(res, err.status, err.body, err.headers);
				return;
			}
			throw err;
		}
	}

	// -------------------------------------------------------------------------------------------
	// API
	// -------------------------------------------------------------------------------------------

	private async handleApi(ctx: Ctx): Promise<void> {
		const { req, res, method, path, log } = ctx;
		const f = this.faults.config;
		if (f.responseDelayMs > 0) await sleep(f.responseDelayMs);

		// auth
		const auth = (req.headers.authorization ?? '').trim();
		const m = /^bearer\s+(.+)$/i.exec(auth);
		const acc = m ? this.store.accounts.get(m[1].trim()) : undefined;
		if (m) log.key = m[1].trim();
		if (!acc) throw apiError(401, ERROR_MESSAGES.unauthorized, 'access-denied');
		ctx.acc = acc;
		if (!acc.profile.apiAccess)
			throw apiError(
				403,
				`API access is not included in the ${acc.profile.displayName} plan. Upgrade to Artisan or Maestro (or a Custom API plan) to use the Leonardo API.`,
				'access-denied',
			);

		// injected faults
		const retry = this.faults.takeRateLimit(method, path);
		if (retry !== null) {
			log.fault = 'rate-limit-burst';
			throw apiError(429, `Rate limit exceeded, please retry after ${retry} seconds.`, 'rate-limited', '$', { 'retry-after': String(retry) });
		}
		const status5xx = this.faults.takeServerError(method, path);
		if (status5xx !== null) {
			log.fault = 'server-error';
			throw apiError(status5xx, 'Service Error', 'unexpected');
		}

		// plan rate limit (sliding 60 s window, per key)
		const now = Date.now();
		acc.window = acc.window.filter((t) => now - t < 60_000);
		if (acc.window.length >= acc.profile.requestsPerMinute) {
			const retryAfter = Math.max(1, Math.ceil((acc.window[0] + 60_000 - now) / 1000));
			log.fault = 'plan-rate-limit';
			throw apiError(
				429,
				`Rate limit exceeded: the ${acc.profile.displayName} plan allows ${acc.profile.requestsPerMinute} requests per minute. Retry after ${retryAfter} seconds.`,
				'rate-limited',
				'$',
				{ 'retry-after': String(retryAfter) },
			);
		}
		acc.window.push(now);
		acc.lastUsed = new Date(now);

		// body
		if (method !== 'GET' && method !== 'HEAD') {
			const raw = await this.readBody(req);
			ctx.rawBody = raw;
			if (raw.length) {
				try {
					ctx.body = JSON.parse(raw.toString('utf8'));
				} catch {
					throw apiError(400, 'Error in $: Failed reading: not a valid json value', 'invalid-json');
				}
			}
		}

		const v2 = path.startsWith('/api/rest/v2/');
		const sub = path.slice('/api/rest/v1'.length);
		const reply = v2 ? this.routeV2(ctx, method, sub) : this.routeV1(ctx, acc, method, sub);
		if (reply.jobId) {
			log.jobId = reply.jobId;
			if (this.faults.takeDropAfterCommit(method, path)) {
				log.fault = 'drop-after-commit';
				const entry = this.store.ledger.find((l) => l.jobId === reply.jobId);
				if (entry) entry.connectionDropped = true;
				res.socket?.destroy();
				return;
			}
		}
		this.send(res, reply.status ?? 200, reply.body);
	}

	private routeV1(ctx: Ctx, acc: Account, method: string, p: string): Reply {
		const seg = p.split('/').filter(Boolean).map(decodeURIComponent);
		const [, b, c, d] = seg;
		const n = seg.length;
		const body = ctx.body;
		const is = (m: string, ...parts: Array<string | null>) =>
			method === m && n === parts.length && parts.every((x, i) => x === null || x === seg[i]);

		if (is('POST', 'generations')) return this.createGeneration(ctx, acc, body);
		if (is('GET', 'generations', 'user', null)) return this.listGenerations(ctx, acc, c);
		if (is('GET', 'generations', null)) return { body: { generations_by_pk: this.generationRowFor(acc, b) } };
		if (is('DELETE', 'generations', null)) return this.deleteGeneration(acc, b);

		if (is('POST', 'init-image')) return this.createUpload(acc, body, 'init');
		if (is('GET', 'init-image', null)) return this.getInitImage(acc, b);
		if (is('DELETE', 'init-image', null)) return this.deleteInitImage(acc, b);
		if (is('POST', 'canvas-init-image')) return this.createCanvasUpload(acc, body);

		if (is('POST', 'datasets')) return this.createDataset(acc, body);
		if (is('GET', 'datasets', null)) return { body: { datasets_by_pk: this.datasetRow(acc, b) } };
		if (is('DELETE', 'datasets', null)) return this.deleteDataset(acc, b);
		if (is('POST', 'datasets', null, 'upload')) return this.createUpload(acc, body, 'dataset', b);
		if (is('POST', 'datasets', null, 'upload', 'gen')) return this.datasetUploadFromGen(acc, b, body);

		if (is('POST', 'elements')) return this.createElement(ctx, acc, body);
		if (is('GET', 'elements')) return { body: { loras: PLATFORM_ELEMENTS.map((e) => ({ ...e, urlImage: `${this.origin}/cdn/elements/${e.akUUID}.png` })) } };
		if (is('GET', 'elements', 'user', null)) return this.listElements(acc, c);
		if (is('GET', 'elements', null)) return { body: { user_loras_by_pk: this.elementRow(acc, this.intId(b, 'user_loras_by_pk')) } };
		if (is('DELETE', 'elements', null)) return this.deleteElement(acc, this.intId(b, 'delete_user_loras_by_pk'));

		if (is('POST', 'models')) return this.createModel(ctx, acc, body);
		if (is('GET', 'models', 'user', null)) return this.listCustomModels(acc, c);
		if (is('GET', 'models', null)) return { body: { custom_models_by_pk: this.customModelRow(acc, b) } };
		if (is('DELETE', 'models', null)) return this.deleteCustomModel(acc, b);
		if (is('GET', 'platformModels')) return this.platformModels();

		if (is('POST', 'generations-motion-svd')) return this.createSvd(ctx, acc, body);
		if (is('POST', 'generations-image-to-video')) return this.createVideo(ctx, acc, body, true);
		if (is('POST', 'generations-text-to-video')) return this.createVideo(ctx, acc, body, false);
		if (is('POST', 'generations-video-upscale')) return this.createVideoUpscale(ctx, acc, body);
		if (is('GET', 'motion-variations', null)) return this.getMotionVariation(acc, b);

		if (is('POST', 'variations', 'upscale')) return this.createVariation(ctx, acc, 'upscale', body);
		if (is('POST', 'variations', 'unzoom')) return this.createVariation(ctx, acc, 'unzoom', body);
		if (is('POST', 'variations', 'nobg')) return this.createVariation(ctx, acc, 'nobg', body);
		if (is('POST', 'variations', 'universal-upscaler')) return this.createVariation(ctx, acc, 'universal-upscaler', body);
		if (is('GET', 'variations', null)) return this.getVariation(acc, b);

		if (is('GET', 'me')) return this.me(acc);
		if (is('POST', 'pricing-calculator')) return this.pricing(body);
		if (is('POST', 'prompt', 'improve')) return this.promptTool(ctx, acc, body, true);
		if (is('POST', 'prompt', 'random')) return this.promptTool(ctx, acc, body, false);
		void d;
		throw apiError(404, `no route for ${method} /api/rest/v1${p}`, 'not-found');
	}

	private routeV2(ctx: Ctx, method: string, p: string): Reply {
		const acc = ctx.acc as Account;
		if (method === 'POST' && p === '/generations') return this.createV2Generation(ctx, acc, ctx.body);
		if (method === 'GET' && p === '/models') return this.v2Models();
		throw apiError(404, `no route for ${method} /api/rest/v2${p}`, 'not-found');
	}

	private intId(raw: string, root: string): number {
		if (!/^-?\d+$/.test(raw))
			throw apiError(400, "expected a 32-bit integer for type 'Int', but found a string", 'validation-failed', `$.selectionSet.${root}.args.id`);
		return Number(raw);
	}

	// -------------------------------------------------------------------------------------------
	// Jobs: charging, scheduling, ledger
	// -------------------------------------------------------------------------------------------

	private latencyFor(acc: Account): number {
		return this.faults.config.jobLatencyMs ?? acc.latencyMs ?? this.store.defaultLatencyMs;
	}

	/** Charges and schedules a job; `finish` runs once with the final status. */
	private commitJob(
		ctx: Ctx,
		acc: Account,
		o: { id: string; kind: JobKind; operation: string; cost: number; prompt: string | null; counts: boolean; latencyMs?: number; finish: (s: 'COMPLETE' | 'FAILED') => void },
	): LedgerEntry {
		this.store.assertCanPay(acc, o.cost);
		if (o.counts) this.store.assertCapacity(acc);
		this.store.charge(acc, o.cost);
		const entry: LedgerEntry = {
			jobId: o.id,
			kind: o.kind,
			operation: o.operation,
			key: acc.key,
			userId: acc.userId,
			cost: o.cost,
			charged: o.cost,
			refunded: 0,
			status: 'PENDING',
			createdAt: new Date().toISOString(),
			startedAt: null,
			completedAt: null,
			requestId: ctx.log.id,
			connectionDropped: false,
			queued: false,
		};
		this.store.ledger.push(entry);
		const fail = this.faults.takeJobFailure(o.prompt);
		const { queued } = this.store.schedule({
			id: o.id,
			key: acc.key,
			latencyMs: o.latencyMs ?? this.latencyFor(acc),
			fail,
			counts: o.counts,
			run: (status) => {
				entry.status = status;
				entry.completedAt = new Date().toISOString();
				if (status === 'FAILED') {
					this.store.refund(acc, entry.charged);
					entry.refunded = entry.charged;
				}
				o.finish(status);
			},
		});
		entry.queued = queued;
		return entry;
	}

	private costObject(tokens: number) {
		return { apiCreditCost: tokens, cost: { amount: String(tokens), unit: 'CREDITS' as const } };
	}

	private checkPrompt(prompt: unknown, extra?: string | null): string {
		if (typeof prompt !== 'string' || prompt.trim() === '') throw apiError(400, ERROR_MESSAGES.missingPrompt, 'validation-failed');
		if (prompt.length > GENERATION_LIMITS.promptMaxLength) throw apiError(400, ERROR_MESSAGES.promptTooLong, 'unexpected');
		if (moderationHit(prompt, extra)) throw apiError(403, ERROR_MESSAGES.moderation, 'unexpected');
		return prompt;
	}

	private checkDimensions(w: number, h: number): void {
		const ok = (v: number) =>
			Number.isInteger(v) && v >= GENERATION_LIMITS.minDimension && v <= GENERATION_LIMITS.maxDimension && v % GENERATION_LIMITS.dimensionMultiple === 0;
		if (!ok(w) || !ok(h)) throw apiError(400, ERROR_MESSAGES.invalidDimensions, 'unexpected');
	}

	private checkNumImages(n: number, w: number, h: number): void {
		const large = w > GENERATION_LIMITS.largeThreshold || h > GENERATION_LIMITS.largeThreshold;
		const max = large ? GENERATION_LIMITS.maxImagesLarge : GENERATION_LIMITS.maxImages;
		if (!Number.isInteger(n) || n < 1 || n > max)
			throw apiError(400, `${ERROR_MESSAGES.tooManyImages} num_images must be between 1 and ${max}${large ? ' when width or height is over 768' : ''}.`, 'unexpected');
	}

	private ownGeneratedImage(acc: Account, id: unknown): ImageRecord | undefined {
		if (typeof id !== 'string') return undefined;
		const img = this.store.images.get(id);
		if (!img) return undefined;
		const g = this.store.generations.get(img.generationId);
		return g && g.userId === acc.userId && !g.deleted ? img : undefined;
	}

	private ownUpload(acc: Account, id: unknown, kinds: UploadRecord['kind'][]): UploadRecord | undefined {
		if (typeof id !== 'string') return undefined;
		const u = this.store.uploads.get(id);
		return u && u.userId === acc.userId && !u.deleted && kinds.includes(u.kind) && u.bytes ? u : undefined;
	}

	private newGeneration(acc: Account, kind: GenerationKind, fields: Partial<GenerationRecord>): GenerationRecord {
		const now = new Date();
		return {
			id: this.store.newId(),
			kind,
			key: acc.key,
			userId: acc.userId,
			status: 'PENDING',
			createdAt: now,
			updatedAt: now,
			prompt: '',
			negativePrompt: null,
			modelId: null,
			modelName: 'Leonardo',
			sdVersion: null,
			width: 1024,
			height: 768,
			numImages: 1,
			seed: randomInt(1, 2 ** 31 - 1),
			scheduler: null,
			presetStyle: null,
			inferenceSteps: null,
			guidanceScale: null,
			initStrength: null,
			public: false,
			alchemy: null,
			ultra: null,
			photoReal: null,
			photoRealStrength: null,
			promptMagic: null,
			promptMagicStrength: null,
			promptMagicVersion: null,
			transparent: false,
			initImageId: null,
			initGeneratedImageId: null,
			canvasInitImageId: null,
			canvasMaskImageId: null,
			canvasRequest: false,
			controlnetsUsed: false,
			elements: [],
			userElements: [],
			images: [],
			motion: null,
			v2Model: null,
			cost: 0,
			deleted: false,
			...fields,
		};
	}

	/** Completes/fails a generation: outputs, CDN files, webhook. */
	private finishGeneration(acc: Account, g: GenerationRecord, status: 'COMPLETE' | 'FAILED'): void {
		g.status = status;
		g.updatedAt = new Date();
		if (status === 'COMPLETE') {
			const base = `/cdn/users/${g.userId}/generations/${g.id}`;
			if (g.motion) {
				const file = `${base}/${g.id}.mp4`;
				const spec = { prompt: g.prompt || (g.motion.sourceImageId ?? g.id), seed: g.seed, width: g.width, height: g.height, durationSeconds: g.motion.durationSeconds, variant: g.motion.sourceImageId ?? '' };
				this.cdn.set(file, () => ({ contentType: 'video/mp4', bytes: renderMp4(spec) }));
				const img: ImageRecord = { id: this.store.newId(), generationId: g.id, index: 0, url: this.origin + file, width: g.width, height: g.height, createdAt: g.updatedAt, motionMP4URL: this.origin + file, variationIds: [] };
				g.images = [img];
				this.store.images.set(img.id, img);
			} else {
				g.images = [];
				for (let i = 0; i < g.numImages; i++) {
					const file = `${base}/${slug(g.modelName, 30)}_${slug(g.prompt)}_${i}.png`;
					const spec = { prompt: g.prompt, seed: g.seed, index: i, width: g.width, height: g.height, transparent: g.transparent };
					this.cdn.set(file, () => ({ contentType: 'image/png', bytes: renderPng(spec) }));
					const img: ImageRecord = { id: this.store.newId(), generationId: g.id, index: i, url: this.origin + file, width: g.width, height: g.height, createdAt: g.updatedAt, motionMP4URL: null, variationIds: [] };
					g.images.push(img);
					this.store.images.set(img.id, img);
				}
			}
		}
		const video = g.motion !== null;
		this.webhooks.emit(acc, video ? 'video_generation' : 'image_generation', 'generation', g.id, generationWebhookObject(g, acc));
	}

	// -------------------------------------------------------------------------------------------
	// Generations
	// -------------------------------------------------------------------------------------------

	private createGeneration(ctx: Ctx, acc: Account, raw: unknown): Reply {
		const b = validateBody('sdGenerationJob', SCHEMAS.createGeneration, raw);
		const prompt = this.checkPrompt(b.prompt, b.negative_prompt as string | null);
		const width = (b.width as number | null) ?? 1024;
		const height = (b.height as number | null) ?? 768;
		this.checkDimensions(width, height);
		const numImages = (b.num_images as number | null) ?? 4;
		this.checkNumImages(numImages, width, height);

		let modelId: string | null = b.modelId === undefined ? DEFAULT_MODEL_ID : (b.modelId as string | null);
		let modelName = 'Leonardo';
		let sdVersion: string = (b.sd_version as string) ?? 'SDXL_LIGHTNING';
		if (modelId !== null) {
			const platform = findModel(modelId);
			const custom = this.store.customModels.get(modelId);
			if (platform) {
				modelName = platform.name;
				sdVersion = platform.sdVersion;
			} else if (custom && custom.userId === acc.userId && custom.status === 'COMPLETE') {
				modelName = custom.name;
				sdVersion = custom.sdVersion;
			} else throw apiError(400, `${modelId} is not supported within the Production API. Please try again with a different model ID.`, 'unexpected');
		} else {
			modelName = b.photoReal ? 'PhotoReal' : 'Leonardo';
			if (!b.sd_version) sdVersion = 'SDXL_1_0';
		}

		const invalidInit = () => apiError(400, ERROR_MESSAGES.invalidInitImage, 'unexpected');
		if (b.init_image_id != null && !this.ownUpload(acc, b.init_image_id, ['init', 'canvas-init'])) throw invalidInit();
		if (b.init_generation_image_id != null && !this.ownGeneratedImage(acc, b.init_generation_image_id)) throw invalidInit();
		for (const id of (b.imagePrompts as Array<string | null> | null) ?? []) {
			if (id !== null && !this.ownUpload(acc, id, ['init']) && !this.ownGeneratedImage(acc, id)) throw invalidInit();
		}
		let characterReference = false;
		const controlnets = (b.controlnets as Array<Record<string, unknown>> | null) ?? [];
		for (const cn of controlnets) {
			const ok = cn.initImageType === 'GENERATED' ? this.ownGeneratedImage(acc, cn.initImageId) : this.ownUpload(acc, cn.initImageId, ['init']);
			if (!ok) throw invalidInit();
			if (CHARACTER_REFERENCE_IDS.includes(cn.preprocessorId as number)) characterReference = true;
		}
		if (b.canvasRequest) {
			if (!this.ownUpload(acc, b.canvasInitId, ['canvas-init', 'init'])) throw invalidInit();
			if (b.canvasRequestType === 'INPAINT' && !this.ownUpload(acc, b.canvasMaskId, ['canvas-mask'])) throw invalidInit();
		}
		const userElements = ((b.userElements as Array<{ userLoraId: number | null; weight: number | null }> | null) ?? []).map((u) => {
			const el = u.userLoraId !== null ? this.store.elements.get(u.userLoraId) : undefined;
			if (!el || el.userId !== acc.userId || el.status !== 'COMPLETE')
				throw apiError(400, `invalid userLoraId ${u.userLoraId}: no trained element with this id`, 'unexpected');
			return { userLoraId: el.id, weight: u.weight ?? 1 };
		});
		const elements = ((b.elements as Array<{ akUUID: string; weight: number | null }> | null) ?? []).map((e) => ({ akUUID: e.akUUID, weight: e.weight ?? 1 }));

		const alchemy = (b.alchemy as boolean | null) ?? null;
		const ultra = (b.ultra as boolean | null) ?? null;
		const cost = imageGenerationCost({
			width,
			height,
			numImages,
			alchemy,
			ultra,
			photoReal: b.photoReal as boolean | null,
			loraCount: elements.length + userElements.length,
			characterReference,
		});
		const g = this.newGeneration(acc, 'image', {
			prompt,
			negativePrompt: (b.negative_prompt as string | null) ?? '',
			modelId,
			modelName,
			sdVersion,
			width,
			height,
			numImages,
			seed: (b.seed as number | null) ?? randomInt(1, 2 ** 31 - 1),
			scheduler: (b.scheduler as string) ?? 'EULER_DISCRETE',
			presetStyle: b.presetStyle === undefined ? 'DYNAMIC' : (b.presetStyle as string | null),
			inferenceSteps: (b.num_inference_steps as number | null) ?? 15,
			guidanceScale: (b.guidance_scale as number | null) ?? 7,
			initStrength: (b.init_strength as number | null) ?? null,
			public: (b.public as boolean | null) ?? false,
			alchemy,
			ultra,
			photoReal: (b.photoReal as boolean | null) ?? false,
			photoRealStrength: (b.photoRealStrength as number | null) ?? null,
			promptMagic: (b.promptMagic as boolean | null) ?? false,
			promptMagicStrength: (b.promptMagicStrength as number | null) ?? null,
			promptMagicVersion: (b.promptMagicVersion as string | null) ?? null,
			transparent: b.transparency === 'foreground_only',
			initImageId: (b.init_image_id as string | null) ?? null,
			initGeneratedImageId: (b.init_generation_image_id as string | null) ?? null,
			canvasInitImageId: (b.canvasInitId as string | null) ?? null,
			canvasMaskImageId: (b.canvasMaskId as string | null) ?? null,
			canvasRequest: !!b.canvasRequest,
			controlnetsUsed: controlnets.length > 0,
			elements,
			userElements,
			cost,
		});
		this.commitJob(ctx, acc, { id: g.id, kind: 'generation', operation: 'POST /generations', cost, prompt, counts: true, finish: (s) => this.finishGeneration(acc, g, s) });
		this.store.generations.set(g.id, g);
		return { body: { sdGenerationJob: { generationId: g.id, ...this.costObject(cost) } }, jobId: g.id };
	}

	private createV2Generation(ctx: Ctx, acc: Account, raw: unknown): Reply {
		const b = validateBody('generate', SCHEMAS.v2Generation, raw);
		const model = V2_MODELS.find((m) => m.slug === b.model);
		if (!model) throw apiError(400, `${String(b.model)} is not supported within the Production API. Please try again with a different model ID.`, 'unexpected');
		const p = validateBody('generate', V2_PARAMETERS, b.parameters);
		const prompt = this.checkPrompt(p.prompt, p.negative_prompt as string | null);
		const video = model.kind === 'video';
		const width = (p.width as number | null) ?? (video ? 1280 : 1024);
		const height = (p.height as number | null) ?? (video ? 720 : 1024);
		this.checkDimensions(width, height);
		const quantity = video ? 1 : ((p.quantity as number | null) ?? 1);
		this.checkNumImages(quantity, width, height);
		const duration = Math.min(10, Math.max(1, (p.duration as number | null) ?? 5));
		const cost = video ? motionCost('video', height >= 1080 ? 'RESOLUTION_1080' : height >= 720 ? 'RESOLUTION_720' : 'RESOLUTION_480') : imageGenerationCost({ width, height, numImages: quantity });
		const g = this.newGeneration(acc, video ? 'v2-video' : 'v2-image', {
			prompt,
			negativePrompt: (p.negative_prompt as string | null) ?? null,
			modelId: model.id,
			modelName: model.name,
			width,
			height,
			numImages: quantity,
			seed: (p.seed as number | null) ?? randomInt(1, 2 ** 31 - 1),
			public: (b.public as boolean | null) ?? false,
			v2Model: model.slug,
			motion: video ? { model: model.slug, resolution: null, durationSeconds: duration, imageToVideo: false, motionStrength: null, sourceImageId: null } : null,
			cost,
		});
		this.commitJob(ctx, acc, { id: g.id, kind: 'generation', operation: `POST /v2/generations ${model.slug}`, cost, prompt, counts: true, finish: (s) => this.finishGeneration(acc, g, s) });
		this.store.generations.set(g.id, g);
		return { body: { generate: { generationId: g.id, ...this.costObject(cost) } }, jobId: g.id };
	}

	private v2Models(): Reply {
		const param = (type: string, extra: Record<string, unknown> = {}) => ({ type, ...extra });
		return {
			body: {
				productionApiAvailableModels: V2_MODELS.map((m) => ({
					id: m.id,
					name: m.name,
					slug: m.slug,
					parameters: {
						type: 'object',
						additionalProperties: false,
						required: ['prompt'],
						description: `${m.name} (${m.kind})`,
						properties: {
							prompt: param('string', { maxLength: 1500 }),
							seed: param('integer'),
							width: param('integer', { minimum: 32, maximum: 2048, multipleOf: 8 }),
							height: param('integer', { minimum: 32, maximum: 2048, multipleOf: 8 }),
							quantity: param('integer', { minimum: 1, maximum: m.kind === 'video' ? 1 : 8 }),
							style_ids: param('array', { items: { type: 'string' } }),
							prompt_enhance: param('string', { enum: ['ON', 'OFF'] }),
							guidances: param('object'),
							...(m.kind === 'video' ? { duration: param('integer'), resolution: param('string'), motion_has_audio: param('boolean') } : {}),
						},
					},
				})),
			},
		};
	}

	generationRow(g: GenerationRecord, forList = false) {
		const complete = g.status === 'COMPLETE';
		const video = g.motion !== null;
		const row: Record<string, unknown> = {
			createdAt: pgTime(g.createdAt),
			generated_images: complete
				? g.images.map((img) => ({
						...(forList ? {} : { fantasyAvatar: video ? null : false }),
						generated_image_variation_generics: img.variationIds
							.map((id) => this.store.variations.get(id))
							.filter((v): v is VariationRecord => !!v)
							.map((v) => ({ id: v.id, status: v.status, transformType: v.transformType, url: v.url })),
						id: img.id,
						imageToVideo: video ? !!g.motion?.imageToVideo : false,
						likeCount: 0,
						motion: video,
						motionMP4URL: img.motionMP4URL,
						motionModel: g.motion?.model ?? null,
						motionStrength: g.motion?.motionStrength ?? null,
						nsfw: false,
						url: img.url,
					}))
				: [],
			generation_elements: [
				...g.elements.map((e, i) => {
					const cat = PLATFORM_ELEMENTS.find((x) => x.akUUID === e.akUUID);
					return {
						id: 1000 + i,
						lora: cat
							? { akUUID: cat.akUUID, baseModel: cat.baseModel, description: cat.description, name: cat.name, urlImage: `${this.origin}/cdn/elements/${cat.akUUID}.png`, weightDefault: cat.weightDefault, weightMax: cat.weightMax, weightMin: cat.weightMin }
							: { akUUID: e.akUUID, baseModel: 'SDXL_1_0', description: null, name: null, urlImage: null, weightDefault: 1, weightMax: 2, weightMin: -1 },
						weightApplied: e.weight,
					};
				}),
				...g.userElements.map((u) => {
					const el = this.store.elements.get(u.userLoraId);
					return {
						id: u.userLoraId,
						lora: { akUUID: null, baseModel: elementBaseToSd(el?.baseModel), description: el?.description ?? null, name: el?.name ?? null, urlImage: null, weightDefault: 1, weightMax: 2, weightMin: -1 },
						weightApplied: u.weight,
					};
				}),
			],
			guidanceScale: g.guidanceScale,
			id: g.id,
			imageHeight: g.height,
			imageWidth: g.width,
			inferenceSteps: g.inferenceSteps,
			initStrength: g.initStrength,
			modelId: g.modelId,
			negativePrompt: g.negativePrompt,
			photoReal: g.photoReal,
			photoRealStrength: g.photoRealStrength,
			presetStyle: g.presetStyle,
			prompt: g.prompt,
			promptMagic: g.promptMagic,
			promptMagicStrength: g.promptMagicStrength,
			promptMagicVersion: g.promptMagicVersion,
			public: g.public,
			seed: g.seed,
			status: g.status,
			ultra: g.ultra,
		};
		if (g.scheduler) row.scheduler = g.scheduler;
		if (g.sdVersion) row.sdVersion = g.sdVersion;
		return row;
	}

	private generationRowFor(acc: Account, id: string) {
		const g = this.store.generations.get(id);
		return g && g.userId === acc.userId && !g.deleted ? this.generationRow(g) : null;
	}

	private listGenerations(ctx: Ctx, acc: Account, userId: string): Reply {
		const q = ctx.url.searchParams;
		const num = (name: string, dflt: number) => {
			const v = q.get(name);
			if (v === null || v === '') return dflt;
			if (!/^\d+$/.test(v))
				throw apiError(400, `expected a 32-bit integer for type 'Int', but found a string`, 'validation-failed', `$.selectionSet.generations.args.${name}`);
			return Number(v);
		};
		const offset = num('offset', 0);
		const limit = Math.min(num('limit', 10), 100);
		const rows =
			userId === acc.userId
				? [...this.store.generations.values()]
						.filter((g) => g.userId === acc.userId && !g.deleted)
						.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1))
				: [];
		return { body: { generations: rows.slice(offset, offset + limit).map((g) => this.generationRow(g, true)) } };
	}

	private deleteGeneration(acc: Account, id: string): Reply {
		const g = this.store.generations.get(id);
		if (!g || g.userId !== acc.userId || g.deleted) return { body: { delete_generations_by_pk: null } };
		g.deleted = true;
		return { body: { delete_generations_by_pk: { id } } };
	}

	// -------------------------------------------------------------------------------------------
	// Uploads (presigned S3-like)
	// -------------------------------------------------------------------------------------------

	private checkExtension(ext: unknown, allowed: readonly string[] = IMAGE_EXTENSIONS): string {
		const e = typeof ext === 'string' ? ext.toLowerCase().replace(/^\./, '') : '';
		if (!allowed.includes(e)) throw apiError(400, ERROR_MESSAGES.invalidExtension, 'unexpected');
		return e;
	}

	private presign(acc: Account, kind: UploadRecord['kind'], ext: string, datasetId?: string): UploadRecord {
		const id = this.store.newId();
		const s3Key =
			kind === 'dataset' ? `datasets/${datasetId}/${id}.${ext}` : kind === 'media' ? `users/${acc.userId}/media/${id}.${ext}` : `users/${acc.userId}/initImages/${id}.${ext}`;
		const u: UploadRecord = { id, kind, userId: acc.userId, key: acc.key, s3Key, extension: ext, createdAt: new Date(), bytes: null, contentType: null, datasetId };
		this.store.uploads.set(id, u);
		this.store.uploadsByS3Key.set(s3Key, u);
		return u;
	}

	private presignedFields(u: UploadRecord): string {
		const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
		const policy = Buffer.from(JSON.stringify({ expiration: new Date(Date.now() + 3600_000).toISOString(), conditions: [{ bucket: 'leonardo-emulator' }, { key: u.s3Key }] })).toString('base64');
		return JSON.stringify({
			'Content-Type': MIME[u.extension] ?? 'application/octet-stream',
			bucket: 'leonardo-emulator',
			'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
			'X-Amz-Credential': `EMULATOR/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
			'X-Amz-Date': date,
			'X-Amz-Security-Token': 'emulator-session-token',
			key: u.s3Key,
			Policy: policy,
			'X-Amz-Signature': createHmac('sha256', S3_SECRET).update(u.s3Key).digest('hex'),
		});
	}

	private createUpload(acc: Account, raw: unknown, kind: 'init' | 'dataset', datasetId?: string): Reply {
		const root = kind === 'init' ? 'uploadInitImage' : 'uploadDatasetImage';
		const b = validateBody(root, kind === 'init' ? SCHEMAS.uploadInitImage : SCHEMAS.uploadDatasetImage, raw);
		if (kind === 'dataset') {
			const ds = datasetId ? this.store.datasets.get(datasetId) : undefined;
			if (!ds || ds.userId !== acc.userId) throw apiError(400, 'dataset not found', 'unexpected');
		}
		const ext = this.checkExtension(b.extension);
		const u = this.presign(acc, kind, ext, datasetId);
		return { body: { [root]: { id: u.id, url: `${this.origin}/_s3/`, key: u.s3Key, fields: this.presignedFields(u) } } };
	}

	private createCanvasUpload(acc: Account, raw: unknown): Reply {
		const b = validateBody('uploadCanvasInitImage', SCHEMAS.uploadCanvasInitImage, raw);
		const ie = this.checkExtension(b.initExtension);
		const me = this.checkExtension(b.maskExtension);
		const init = this.presign(acc, 'canvas-init', ie);
		const mask = this.presign(acc, 'canvas-mask', me);
		return {
			body: {
				uploadCanvasInitImage: {
					initImageId: init.id,
					initUrl: `${this.origin}/_s3/`,
					initKey: init.s3Key,
					initFields: this.presignedFields(init),
					maskImageId: mask.id,
					maskUrl: `${this.origin}/_s3/`,
					maskKey: mask.s3Key,
					maskFields: this.presignedFields(mask),
				},
			},
		};
	}

	private getInitImage(acc: Account, id: string): Reply {
		const u = this.store.uploads.get(id);
		if (!u || u.userId !== acc.userId || u.deleted || u.kind === 'dataset' || u.kind === 'media') return { body: { init_images_by_pk: null } };
		return { body: { init_images_by_pk: { createdAt: pgTime(u.createdAt), id: u.id, url: `${this.origin}/cdn/${u.s3Key}` } } };
	}

	private deleteInitImage(acc: Account, id: string): Reply {
		const u = this.store.uploads.get(id);
		if (!u || u.userId !== acc.userId || u.deleted || u.kind === 'dataset' || u.kind === 'media') return { body: { delete_init_images_by_pk: null } };
		u.deleted = true;
		return { body: { delete_init_images_by_pk: { id } } };
	}

	private async handleS3(ctx: Ctx): Promise<void> {
		const { req, res, method } = ctx;
		const xml = (status: number, code: string, message: string) => {
			const payload = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>EMULATOR</RequestId></Error>`;
			res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(payload) });
			res.end(payload);
		};
		if (method !== 'POST') return xml(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
		const raw = await this.readBody(req);
		if (req.headers.authorization)
			return xml(403, 'AccessDenied', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
		const ct = req.headers['content-type'] ?? '';
		const bm = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(ct);
		if (!/multipart\/form-data/i.test(ct) || !bm) return xml(412, 'PreconditionFailed', 'Bucket POST must be of the enclosure-type multipart/form-data');
		const parts = parseMultipart(raw, bm[1] ?? bm[2]);
		const fields: Record<string, string> = {};
		let file: { data: Buffer; contentType: string | null } | null = null;
		for (const p of parts) {
			if (p.name === 'file') file = { data: p.data, contentType: p.contentType };
			else if (p.name) fields[p.name] = p.data.toString('utf8');
		}
		const key = fields.key;
		const u = key ? this.store.uploadsByS3Key.get(key) : undefined;
		if (!key || !u) return xml(403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", ...]');
		if (fields['X-Amz-Signature'] !== createHmac('sha256', S3_SECRET).update(key).digest('hex'))
			return xml(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
		if (!file) return xml(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
		u.bytes = file.data;
		u.contentType = fields['Content-Type'] ?? file.contentType ?? MIME[u.extension] ?? 'application/octet-stream';
		const bytes = u.bytes;
		const contentType = u.contentType;
		this.cdn.set(`/cdn/${u.s3Key}`, () => ({ contentType, bytes }));
		if (u.kind === 'dataset' && u.datasetId) {
			const ds = this.store.datasets.get(u.datasetId);
			if (ds && !ds.images.some((i) => i.id === u.id)) {
				ds.images.push({ id: u.id, createdAt: new Date(), url: `${this.origin}/cdn/${u.s3Key}`, uploadId: u.id });
				ds.updatedAt = new Date();
			}
		}
		res.writeHead(204, { etag: `"${createHmac('md5', 'etag').update(bytes).digest('hex')}"` });
		res.end();
	}

	// -------------------------------------------------------------------------------------------
	// CDN
	// -------------------------------------------------------------------------------------------

	private handleCdn(ctx: Ctx): void {
		const { req, res, method, path } = ctx;
		if (method !== 'GET' && method !== 'HEAD') throw apiError(405, 'method not allowed', 'bad-request');
		let producer = this.cdn.get(decodeURIComponent(path));
		const el = /^\/cdn\/elements\/([0-9a-f-]+)\.png$/.exec(path);
		if (!producer && el) producer = () => ({ contentType: 'image/png', bytes: renderPng({ prompt: `element ${el[1]}`, seed: 0, width: 256, height: 256 }) });
		if (!producer) {
			const payload = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>';
			res.writeHead(404, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(payload) });
			res.end(payload);
			return;
		}
		const { contentType, bytes } = producer();
		const headers: Record<string, string | number> = {
			'content-type': contentType,
			'accept-ranges': 'bytes',
			'cache-control': 'public, max-age=31536000, immutable',
			'access-control-allow-origin': '*',
		};
		const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
		if (range && (range[1] || range[2])) {
			let start = range[1] ? Number(range[1]) : Math.max(0, bytes.length - Number(range[2]));
			let end = range[1] && range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
			if (start >= bytes.length || start > end) {
				res.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
				res.end();
				return;
			}
			start = Math.max(0, start);
			end = Math.max(start, end);
			res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 });
			res.end(method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
			return;
		}
		res.writeHead(200, { ...headers, 'content-length': bytes.length });
		res.end(method === 'HEAD' ? undefined : bytes);
	}

	// -------------------------------------------------------------------------------------------
	// Datasets, elements (LoRA), custom models, platform models
	// -------------------------------------------------------------------------------------------

	private createDataset(acc: Account, raw: unknown): Reply {
		const b = validateBody('insert_datasets_one', SCHEMAS.createDataset, raw);
		const now = new Date();
		const id = this.store.newId();
		this.store.datasets.set(id, { id, userId: acc.userId, name: b.name as string, description: (b.description as string | null) ?? null, createdAt: now, updatedAt: now, images: [] });
		return { body: { insert_datasets_one: { id } } };
	}

	private datasetRow(acc: Account, id: string) {
		const ds = this.store.datasets.get(id);
		if (!ds || ds.userId !== acc.userId) return null;
		return {
			createdAt: pgTime(ds.createdAt),
			dataset_images: ds.images.map((i) => ({ createdAt: pgTime(i.createdAt), id: i.id, url: i.url })),
			description: ds.description,
			id: ds.id,
			name: ds.name,
			updatedAt: pgTime(ds.updatedAt),
		};
	}

	private deleteDataset(acc: Account, id: string): Reply {
		const ds = this.store.datasets.get(id);
		if (!ds || ds.userId !== acc.userId) return { body: { delete_datasets_by_pk: null } };
		this.store.datasets.delete(id);
		return { body: { delete_datasets_by_pk: { id } } };
	}

	private datasetUploadFromGen(acc: Account, datasetId: string, raw: unknown): Reply {
		const b = validateBody('uploadDatasetImageFromGen', SCHEMAS.uploadDatasetImageFromGen, raw);
		const ds = this.store.datasets.get(datasetId);
		if (!ds || ds.userId !== acc.userId) throw apiError(400, 'dataset not found', 'unexpected');
		const img = this.ownGeneratedImage(acc, b.generatedImageId);
		if (!img) throw apiError(400, ERROR_MESSAGES.couldNotAccessImage, 'unexpected');
		const id = this.store.newId();
		ds.images.push({ id, createdAt: new Date(), url: img.url, uploadId: null });
		ds.updatedAt = new Date();
		return { body: { uploadDatasetImageFromGen: { id } } };
	}

	private createElement(ctx: Ctx, acc: Account, raw: unknown): Reply {
		const b = validateBody('sdTrainingJob', SCHEMAS.createElement, raw);
		const ds = this.store.datasets.get(b.datasetId as string);
		if (!ds || ds.userId !== acc.userId) throw apiError(400, 'dataset not found', 'unexpected');
		if (ds.images.length === 0) throw apiError(400, 'dataset has no images', 'unexpected');
		const focus = b.lora_focus as string;
		if (!(LORA_FOCUSES as readonly string[]).includes(focus) || (b.sd_version === 'FLUX_DEV' && focus === 'General'))
			throw apiError(400, `invalid lora_focus "${focus}"`, 'unexpected');
		const resolution = (b.resolution as number | null) ?? 1024;
		if (resolution !== 1024) throw apiError(400, 'invalid resolution, must be 1024', 'unexpected');
		const epochs = b.num_train_epochs as number;
		if (epochs < 1 || epochs > 250) throw apiError(400, 'num_train_epochs must be between 1 and 250', 'unexpected');
		if (!((b.learning_rate as number) > 0)) throw apiError(400, 'learning_rate must be positive', 'unexpected');
		// monthly quota
		const month = currentMonth();
		if (acc.loraTrainings.month !== month) acc.loraTrainings = { month, count: 0 };
		const quota = acc.profile.loraTrainingsPerMonth;
		if (acc.loraTrainings.count >= quota)
			throw apiError(
				403,
				`LoRA training limit reached: the ${acc.profile.displayName} plan allows ${quota} trainings per month (${acc.loraTrainings.count} used). Try again next month or upgrade your plan.`,
				'quota-exceeded',
			);
		const cost = COSTS.elementTraining;
		const now = new Date();
		const id = this.store.nextElementId++;
		const el = {
			id,
			key: acc.key,
			userId: acc.userId,
			name: b.name as string,
			description: (b.description as string | null) ?? '',
			focus,
			baseModel: b.sd_version as string,
			instancePrompt: (b.instance_prompt as string | null) ?? null,
			learningRate: b.learning_rate as number,
			resolution,
			trainTextEncoder: b.train_text_encoder as boolean,
			trainingEpoch: epochs,
			datasetId: ds.id,
			status: 'PENDING' as JobStatus,
			createdAt: now,
			updatedAt: now,
			cost,
		};
		this.commitJob(ctx, acc, {
			id: String(id),
			kind: 'training',
			operation: 'POST /elements',
			cost,
			prompt: `${el.name} ${el.instancePrompt ?? ''}`,
			counts: false,
			latencyMs: this.faults.config.jobLatencyMs ?? this.store.trainingLatencyMs,
			finish: (s) => {
				el.status = s;
				el.updatedAt = new Date();
				if (s === 'FAILED') acc.loraTrainings.count = Math.max(0, acc.loraTrainings.count - 1);
			},
		});
		acc.loraTrainings.count++;
		this.store.elements.set(id, el);
		return { body: { sdTrainingJob: { userLoraId: id, ...this.costObject(cost) } }, jobId: String(id) };
	}

	private elementRow(acc: Account, id: number) {
		const el = this.store.elements.get(id);
		if (!el || el.userId !== acc.userId) return null;
		return {
			baseModel: el.baseModel,
			createdAt: pgTime(el.createdAt),
			description: el.description,
			focus: el.focus,
			id: el.id,
			instancePrompt: el.instancePrompt,
			learningRate: el.learningRate,
			name: el.name,
			resolution: el.resolution,
			status: el.status,
			trainTextEncoder: el.trainTextEncoder,
			trainingEpoch: el.trainingEpoch,
			updatedAt: pgTime(el.updatedAt),
		};
	}

	private listElements(acc: Account, userId: string): Reply {
		const rows = userId === acc.userId ? [...this.store.elements.values()].filter((e) => e.userId === acc.userId).sort((x, y) => y.id - x.id) : [];
		return { body: { user_loras: rows.map((e) => this.elementRow(acc, e.id)) } };
	}

	private deleteElement(acc: Account, id: number): Reply {
		const el = this.store.elements.get(id);
		if (!el || el.userId !== acc.userId) return { body: { delete_user_loras_by_pk: null } };
		this.store.elements.delete(id);
		return { body: { delete_user_loras_by_pk: { id } } };
	}

	private createModel(ctx: Ctx, acc: Account, raw: unknown): Reply {
		const b = validateBody('sdTrainingJob', SCHEMAS.createModel, raw);
		const ds = this.store.datasets.get(b.datasetId as string);
		if (!ds || ds.userId !== acc.userId) throw apiError(400, 'dataset not found', 'unexpected');
		const resolution = (b.resolution as number | null) ?? 512;
		if (resolution !== 512 && resolution !== 768) throw apiError(400, 'invalid resolution, must be 512 or 768', 'unexpected');
		const cost = modelTrainingCost(ds.images.length);
		const now = new Date();
		const m = {
			id: this.store.newId(),
			key: acc.key,
			userId: acc.userId,
			name: b.name as string,
			description: (b.description as string | null) ?? '',
			instancePrompt: b.instance_prompt as string,
			modelHeight: resolution,
			modelWidth: resolution,
			sdVersion: (b.sd_version as string | null) ?? 'v1_5',
			type: (b.modelType as string) ?? 'GENERAL',
			status: 'PENDING' as JobStatus,
			createdAt: now,
			updatedAt: now,
			cost,
		};
		this.commitJob(ctx, acc, {
			id: m.id,
			kind: 'model-training',
			operation: 'POST /models',
			cost,
			prompt: `${m.name} ${m.instancePrompt}`,
			counts: false,
			latencyMs: this.faults.config.jobLatencyMs ?? this.store.trainingLatencyMs,
			finish: (s) => {
				m.status = s;
				m.updatedAt = new Date();
			},
		});
		this.store.customModels.set(m.id, m);
		return { body: { sdTrainingJob: { customModelId: m.id, ...this.costObject(cost) } }, jobId: m.id };
	}

	private customModelRow(acc: Account, id: string) {
		const m = this.store.customModels.get(id);
		if (!m || m.userId !== acc.userId) return null;
		return {
			createdAt: pgTime(m.createdAt),
			description: m.description,
			id: m.id,
			instancePrompt: m.instancePrompt,
			modelHeight: m.modelHeight,
			modelWidth: m.modelWidth,
			name: m.name,
			public: false,
			sdVersion: m.sdVersion,
			status: m.status,
			type: m.type,
			updatedAt: pgTime(m.updatedAt),
		};
	}

	private listCustomModels(acc: Account, userId: string): Reply {
		const rows = userId === acc.userId ? [...this.store.customModels.values()].filter((m) => m.userId === acc.userId) : [];
		return { body: { custom_models: rows.map((m) => this.customModelRow(acc, m.id)) } };
	}

	private deleteCustomModel(acc: Account, id: string): Reply {
		const m = this.store.customModels.get(id);
		if (!m || m.userId !== acc.userId) return { body: { delete_custom_models_by_pk: null } };
		this.store.customModels.delete(id);
		return { body: { delete_custom_models_by_pk: { id } } };
	}

	private platformModels(): Reply {
		return {
			body: {
				custom_models: PLATFORM_MODELS.map((m) => ({
					description: m.description,
					featured: m.featured,
					generated_image: { id: m.id, url: `${this.origin}/cdn/models/${m.id}.png` },
					id: m.id,
					name: m.name,
					nsfw: m.nsfw,
				})),
			},
		};
	}

	// -------------------------------------------------------------------------------------------
	// Motion
	// -------------------------------------------------------------------------------------------

	private createSvd(ctx: Ctx, acc: Account, raw: unknown): Reply {
		const b = validateBody('motionSvdGenerationJob', SCHEMAS.createSvd, raw);
		const id = b.imageId as string;
		let width = 1024;
		let height = 576;
		let prompt = '';
		if (b.isInitImage) {
			if (!this.ownUpload(acc, id, ['init'])) throw apiError(400, ERROR_MESSAGES.serviceError, 'unexpected');
		} else if (b.isVariation) {
			const v = this.store.variations.get(id);
			if (!v || v.userId !== acc.userId || v.status !== 'COMPLETE') throw apiError(400, ERROR_MESSAGES.serviceError, 'unexpected');
			prompt = v.prompt;
		} else {
			const img = this.ownGeneratedImage(acc, id);
			if (!img) throw apiError(400, ERROR_MESSAGES.serviceError, 'unexpected');
			width = img.width;
			height = img.height;
			prompt = this.store.generations.get(img.generationId)?.prompt ?? '';
		}
		const ms = (b.motionStrength as number | null) ?? 5;
		if (ms < 1 || ms > 10) throw apiError(400, 'motionStrength must be between 1 and 10', 'unexpected');
		const cost = motionCost('svd');
		const g = this.newGeneration(acc, 'svd', {
			prompt,
			width: Math.min(width, 1024),
			height: Math.min(height, 1024),
			numImages: 1,
			public: (b.isPublic as boolean | null) ?? false,
			motion: { model: 'SVD', resolution: null, durationSeconds: 4, imageToVideo: false, motionStrength: ms, sourceImageId: id },
			cost,
		});
		this.commitJob(ctx, acc, { id: g.id, kind: 'generation', operation: 'POST /generations-motion-svd', cost, prompt, counts: true, finish: (s) => this.finishGeneration(acc, g, s) });
		this.store.generations.set(g.id, g);
		return { body: { motionSvdGenerationJob: { generationId: g.id, ...this.costObject(cost) } }, jobId: g.id };
	}

	private createVideo(ctx: Ctx, acc: Account, raw: unknown, fromImage: boolean): Reply {
		const root = 'motionVideoGenerationJob';
		const b = validateBody(root, fromImage ? SCHEMAS.createImageToVideo : SCHEMAS.createTextToVideo, raw);
		const prompt = this.checkPrompt(b.prompt, b.negativePrompt as string | null);
		let sourceImageId: string | null = null;
		if (fromImage) {
			const ok = b.imageType === 'GENERATED' ? this.ownGeneratedImage(acc, b.imageId) : this.ownUpload(acc, b.imageId, ['init']);
			if (!ok) throw apiError(400, ERROR_MESSAGES.invalidInitImage, 'unexpected');
			sourceImageId = b.imageId as string;
			const end = b.endFrameImage as { id: string; type: string } | null | undefined;
			if (end) {
				const okEnd = end.type === 'GENERATED' ? this.ownGeneratedImage(acc, end.id) : this.ownUpload(acc, end.id, ['init']);
				if (!okEnd) throw apiError(400, ERROR_MESSAGES.invalidInitImage, 'unexpected');
			}
		}
		const model = (b.model as string | null) ?? 'MOTION2';
		const resolution = (b.resolution as string | null) ?? 'RESOLUTION_720';
		const dims: Record<string, [number, number]> = { RESOLUTION_480: [832, 480], RESOLUTION_720: [1280, 720], RESOLUTION_1080: [1920, 1080] };
		const [dw, dh] = dims[resolution] ?? [1280, 720];
		const width = (b.width as number | null) ?? dw;
		const height = (b.height as number | null) ?? dh;
		this.checkDimensions(width, height);
		const rank = (r: string) => ['RESOLUTION_480', 'RESOLUTION_720', 'RESOLUTION_1080'].indexOf(r);
		if (acc.profile.motion.access === 'none' || rank(resolution) > rank(acc.profile.motion.maxResolution))
			throw apiError(403, `${resolution} motion is not available on the ${acc.profile.displayName} plan`, 'access-denied');
		const duration = (b.duration as number | null) ?? (model.startsWith('VEO3') ? 8 : 5);
		if (duration < 1 || duration > 10) throw apiError(400, 'invalid duration', 'unexpected');
		const cost = motionCost('video', resolution);
		const g = this.newGeneration(acc, fromImage ? 'image-to-video' : 'text-to-video', {
			prompt,
			negativePrompt: (b.negativePrompt as string | null) ?? null,
			width,
			height,
			numImages: 1,
			seed: (b.seed as number | null) ?? randomInt(1, 2 ** 31 - 1),
			public: (b.isPublic as boolean | null) ?? false,
			motion: { model, resolution, durationSeconds: Math.min(duration, acc.profile.motion.maxDurationSeconds || duration), imageToVideo: fromImage, motionStrength: null, sourceImageId },
			cost,
		});
		const op = fromImage ? 'POST /generations-image-to-video' : 'POST /generations-text-to-video';
		this.commitJob(ctx, acc, { id: g.id, kind: 'generation', operation: op, cost, prompt, counts: true, finish: (s) => this.finishGeneration(acc, g, s) });
		this.store.generations.set(g.id, g);
		return { body: { [root]: { generationId: g.id, ...this.costObject(cost) } }, jobId: g.id };
	}

	private createVideoUpscale(ctx: Ctx, acc: Account, raw: unknown): Reply {
		const b = validateBody('motionVideoGenerationJob', SCHEMAS.videoUpscale, raw);
		const src = this.store.generations.get(b.sourceGenerationId as string);
		if (!src || src.userId !== acc.userId || src.deleted || !src.motion || src.status !== 'COMPLETE') throw apiError(400, ERROR_MESSAGES.serviceError, 'unexpected');
		const cost = motionCost('video-upscale');
		const mv = { id: this.store.newId(), key: acc.key, userId: acc.userId, sourceGenerationId: src.id, resolution: b.resolution as string, status: 'PENDING' as JobStatus, url: null as string | null, createdAt: new Date(), cost };
		this.commitJob(ctx, acc, {
			id: mv.id,
			kind: 'motion-variation',
			operation: 'POST /generations-video-upscale',
			cost,
			prompt: src.prompt,
			counts: true,
			finish: (s) => {
				mv.status = s;
				if (s === 'COMPLETE') {
					const file = `/cdn/users/${mv.userId}/generations/${src.id}/upscaled_${mv.id}.mp4`;
					const motion = src.motion as NonNullable<GenerationRecord['motion']>;
					const spec = { prompt: src.prompt || src.id, seed: src.seed, width: 1280, height: 720, durationSeconds: motion.durationSeconds, variant: motion.sourceImageId ?? '' };
					this.cdn.set(file, () => ({ contentType: 'video/mp4', bytes: renderMp4(spec) }));
					mv.url = this.origin + file;
				}
			},
		});
		this.store.motionVariations.set(mv.id, mv);
		return { body: { motionVideoGenerationJob: { generationId: src.id, variationId: mv.id, ...this.costObject(cost) } }, jobId: mv.id };
	}

	private getMotionVariation(acc: Account, id: string): Reply {
		const mv = this.store.motionVariations.get(id);
		if (!mv || mv.userId !== acc.userId) return { body: { generated_image_variation_motion: [] } };
		return { body: { generated_image_variation_motion: [{ createdAt: pgTime(mv.createdAt), id: mv.id, motionTransformType: 'UPSCALE', resolution: mv.resolution, status: mv.status, url: mv.url }] } };
	}

	// -------------------------------------------------------------------------------------------
	// Variations
	// -------------------------------------------------------------------------------------------

	private createVariation(ctx: Ctx, acc: Account, op: VariationRecord['operation'], raw: unknown): Reply {
		const roots = { upscale: 'sdUpscaleJob', unzoom: 'sdUnzoomJob', nobg: 'sdNobgJob', 'universal-upscaler': 'universalUpscaler' } as const;
		const schemas = { upscale: SCHEMAS.variationUpscale, unzoom: SCHEMAS.variationUnzoom, nobg: SCHEMAS.variationNobg, 'universal-upscaler': SCHEMAS.universalUpscaler };
		const root = roots[op];
		const b = validateBody(root, schemas[op], raw);
		let sourceId: string;
		let generatedImageId: string | null = null;
		let w = 1024;
		let h = 1024;
		let prompt = '';
		const fromGenerated = (id: unknown) => {
			const img = this.ownGeneratedImage(acc, id);
			if (!img) throw apiError(400, ERROR_MESSAGES.couldNotAccessImage, 'unexpected');
			generatedImageId = img.id;
			w = img.width;
			h = img.height;
			prompt = this.store.generations.get(img.generationId)?.prompt ?? '';
			return img.id;
		};
		const fromVariation = (id: unknown) => {
			const v = typeof id === 'string' ? this.store.variations.get(id) : undefined;
			if (!v || v.userId !== acc.userId || v.status !== 'COMPLETE') throw apiError(400, 'failed to find init variation', 'unexpected');
			generatedImageId = v.generatedImageId;
			w = v.width;
			h = v.height;
			prompt = v.prompt;
			return v.id;
		};
		let multiplier = 1;
		if (op === 'universal-upscaler') {
			const given = (['generatedImageId', 'initImageId', 'variationId'] as const).filter((k) => b[k] != null);
			if (given.length !== 1) throw apiError(400, 'exactly one of generatedImageId, initImageId or variationId is required', 'unexpected');
			if (b.upscalerStyle != null && b.ultraUpscaleStyle != null) throw apiError(400, 'upscalerStyle and ultraUpscaleStyle cannot be used together', 'unexpected');
			const cs = (b.creativityStrength as number | null) ?? 5;
			if (cs < 1 || cs > 10) throw apiError(400, 'creativityStrength must be between 1 and 10', 'unexpected');
			multiplier = (b.upscaleMultiplier as number | null) ?? 1.5;
			if (multiplier < 1 || multiplier > 2) throw apiError(400, 'upscaleMultiplier must be between 1.0 and 2.0', 'unexpected');
			if (given[0] === 'generatedImageId') sourceId = fromGenerated(b.generatedImageId);
			else if (given[0] === 'variationId') sourceId = fromVariation(b.variationId);
			else {
				const u = this.ownUpload(acc, b.initImageId, ['init']);
				if (!u) throw apiError(400, ERROR_MESSAGES.invalidInitImage, 'unexpected');
				sourceId = u.id;
				prompt = u.id;
			}
		} else if (op === 'upscale') {
			sourceId = fromGenerated(b.id);
			multiplier = 2;
		} else {
			if (op === 'unzoom' && b.id == null) throw apiError(400, `expecting a value for non-nullable variable: "id"`, 'validation-failed');
			sourceId = b.isVariation ? fromVariation(b.id) : fromGenerated(b.id);
		}
		const outW = Math.min(4096, Math.round(w * multiplier));
		const outH = Math.min(4096, Math.round(h * multiplier));
		const cost = op === 'upscale' ? COSTS.upscale : op === 'unzoom' ? COSTS.unzoom : op === 'nobg' ? COSTS.nobg : universalUpscalerCost((outW * outH) / 1e6);
		const transformType: VariationType = op === 'unzoom' ? 'UNZOOM' : op === 'nobg' ? 'NOBG' : 'UPSCALE';
		const now = new Date();
		const v: VariationRecord = {
			id: this.store.newId(),
			key: acc.key,
			userId: acc.userId,
			transformType,
			operation: op,
			sourceImageId: sourceId,
			generatedImageId,
			status: 'PENDING',
			url: null,
			width: outW,
			height: outH,
			transparent: op === 'nobg',
			createdAt: now,
			updatedAt: now,
			cost,
			prompt,
		};
		this.commitJob(ctx, acc, {
			id: v.id,
			kind: 'variation',
			operation: `POST /variations/${op}`,
			cost,
			prompt,
			counts: true,
			finish: (s) => {
				v.status = s;
				v.updatedAt = new Date();
				if (s === 'COMPLETE') {
					const file = `/cdn/users/${v.userId}/variations/${v.id}/${transformType.toLowerCase()}_${v.id.slice(0, 8)}.png`;
					const spec = { prompt: prompt || v.sourceImageId, seed: v.sourceImageId, width: outW, height: outH, transparent: v.transparent, variant: op };
					this.cdn.set(file, () => ({ contentType: 'image/png', bytes: renderPng(spec) }));
					v.url = this.origin + file;
				}
				this.webhooks.emit(acc, 'post_processing', 'generated_image_variation_generic', v.id, variationWebhookObject(v, acc));
			},
		});
		this.store.variations.set(v.id, v);
		if (generatedImageId) this.store.images.get(generatedImageId)?.variationIds.push(v.id);
		return { body: { [root]: { id: v.id, ...this.costObject(cost) } }, jobId: v.id };
	}

	private getVariation(acc: Account, id: string): Reply {
		const v = this.store.variations.get(id);
		if (!v || v.userId !== acc.userId) return { body: { generated_image_variation_generic: [] } };
		return { body: { generated_image_variation_generic: [{ createdAt: pgTime(v.createdAt), id: v.id, status: v.status, transformType: v.transformType, url: v.url }] } };
	}

	// -------------------------------------------------------------------------------------------
	// Account, pricing, prompt tools
	// -------------------------------------------------------------------------------------------

	private me(acc: Account): Reply {
		const renewal = new Date();
		renewal.setUTCMonth(renewal.getUTCMonth() + 1, 1);
		renewal.setUTCHours(0, 0, 0, 0);
		return {
			body: {
				user_details: [
					{
						user: { id: acc.userId, username: acc.username },
						tokenRenewalDate: null,
						paidTokens: 0,
						subscriptionTokens: 0,
						subscriptionGptTokens: 0,
						subscriptionModelTokens: 0,
						apiConcurrencySlots: acc.profile.concurrentJobs,
						apiPaidTokens: acc.apiPaidTokens,
						apiSubscriptionTokens: acc.apiSubscriptionTokens,
						apiPlanTokenRenewalDate: pgTime(renewal),
					},
				],
			},
		};
	}

	private pricing(raw: unknown): Reply {
		const b = validateBody('calculateProductionApiServiceCost', SCHEMAS.pricingCalculator, raw);
		const service = b.service as string;
		const sp = b.serviceParams;
		if (sp != null && (typeof sp !== 'object' || Array.isArray(sp)))
			throw apiError(400, `expected an object for type 'ServiceParams', but found ${Array.isArray(sp) ? 'a list' : 'a ' + typeof sp}`, 'validation-failed', '$.selectionSet.calculateProductionApiServiceCost.args.arg1.serviceParams');
		const all = (sp ?? {}) as Record<string, unknown>;
		for (const k of Object.keys(all))
			if (!(PRICING_SERVICES as readonly string[]).includes(k))
				throw apiError(400, `field '${k}' not found in type: 'ServiceParams'`, 'validation-failed', `$.selectionSet.calculateProductionApiServiceCost.args.arg1.serviceParams.${k}`);
		const params = (all[service] ?? {}) as Record<string, unknown>;
		return { body: { calculateProductionApiServiceCost: { cost: calculateServiceCost(service, params) } } };
	}

	private promptTool(ctx: Ctx, acc: Account, raw: unknown, improve: boolean): Reply {
		let prompt: string;
		if (improve) {
			const b = validateBody('promptGeneration', SCHEMAS.promptImprove, raw);
			const p = b.prompt as string;
			if (p.length > 200) throw apiError(400, 'Prompt is too long, please keep it under 200 characters', 'unexpected');
			if (moderationHit(p)) throw apiError(403, ERROR_MESSAGES.moderation, 'unexpected');
			prompt = `${p.trim()}, highly detailed, dramatic lighting, rich colour palette, sharp focus`;
		} else {
			validateBody('promptGeneration', SCHEMAS.promptRandom, raw);
			const subjects = ['An ancient lighthouse', 'A neon-lit alley', 'A floating island', 'A clockwork fox', 'A desert caravan'];
			const settings = ['at dawn', 'in a thunderstorm', 'under the northern lights', 'in watercolor', 'as a diorama'];
			prompt = `${subjects[randomInt(subjects.length)]} ${settings[randomInt(settings.length)]}`;
		}
		const cost = COSTS.promptTool;
		this.store.assertCanPay(acc, cost);
		this.store.charge(acc, cost);
		const now = new Date().toISOString();
		this.store.ledger.push({
			jobId: this.store.newId(),
			kind: 'generation',
			operation: improve ? 'POST /prompt/improve' : 'POST /prompt/random',
			key: acc.key,
			userId: acc.userId,
			cost,
			charged: cost,
			refunded: 0,
			status: 'COMPLETE',
			createdAt: now,
			startedAt: now,
			completedAt: now,
			requestId: ctx.log.id,
			connectionDropped: false,
			queued: false,
		});
		return { body: { promptGeneration: { prompt, ...this.costObject(cost) } } };
	}

	// -------------------------------------------------------------------------------------------
	// Admin (/_emulator/...)
	// -------------------------------------------------------------------------------------------

	private async handleAdmin(ctx: Ctx): Promise<void> {
		const { req, res, method, url } = ctx;
		let body: Record<string, unknown> = {};
		if (method !== 'GET' && method !== 'HEAD') {
			const raw = await this.readBody(req);
			if (raw.length) {
				try {
					body = JSON.parse(raw.toString('utf8'));
				} catch {
					throw apiError(400, 'invalid JSON body', 'invalid-json');
				}
			}
		}
		const seg = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
		const ok = (data: unknown) => this.send(res, 200, data);
		const [a, b, c] = seg;
		const accountOr404 = (key: string) => {
			const acc = this.store.accounts.get(key);
			if (!acc) throw apiError(404, `unknown key ${key}`, 'not-found');
			return acc;
		};
		if (seg.length === 0 && method === 'GET') return ok(this.overview());
		if (a === 'health') return ok({ ok: true });
		if (a === 'reset' && method === 'POST') {
			this.reset();
			return ok({ reset: true });
		}
		if (a === 'keys' && !b && method === 'GET') return ok({ keys: this.keyInfos() });
		if (a === 'keys' && !b && method === 'POST') {
			const k = body as unknown as KeyOptions;
			if (typeof k.key !== 'string' || !k.key) throw apiError(400, 'key is required', 'bad-request');
			this.addKey(k);
			return ok({ key: this.keyInfo(accountOr404(k.key)) });
		}
		if (a === 'keys' && b && c === 'webhook' && (method === 'POST' || method === 'PUT')) {
			const acc = accountOr404(b);
			this.setWebhook(acc.key, (body.url as string | null) ?? null, (body.secret as string | null) ?? (body.callbackApiKey as string | null) ?? null);
			return ok({ key: this.keyInfo(acc) });
		}
		if (a === 'keys' && b && c === 'tokens' && method === 'POST') {
			const acc = accountOr404(b);
			this.setTokens(acc.key, body as { apiSubscriptionTokens?: number; apiPaidTokens?: number });
			return ok({ key: this.keyInfo(acc) });
		}
		if (a === 'keys' && b && c === 'lora-trainings' && method === 'POST') {
			const acc = accountOr404(b);
			acc.loraTrainings = { month: currentMonth(), count: Number(body.used ?? 0) };
			return ok({ key: this.keyInfo(acc) });
		}
		if (a === 'keys' && b && c === 'latency' && method === 'POST') {
			const acc = accountOr404(b);
			acc.latencyMs = body.ms == null ? null : Number(body.ms);
			return ok({ key: this.keyInfo(acc) });
		}
		if (a === 'faults') {
			if (method === 'GET') return ok(this.faults.config);
			if (method === 'POST' || method === 'PUT' || method === 'PATCH') return ok(this.faults.set(body as FaultPatch));
			if (method === 'DELETE') {
				this.faults.reset();
				return ok(this.faults.config);
			}
		}
		if (a === 'latency' && method === 'POST') {
			this.setLatency(body as { ms?: number | null; trainingMs?: number; key?: string });
			return ok({ latencyMs: this.store.defaultLatencyMs, trainingLatencyMs: this.store.trainingLatencyMs });
		}
		if (a === 'requests') {
			if (method === 'DELETE') {
				this.store.requests = [];
				return ok({ cleared: true });
			}
			const key = url.searchParams.get('key');
			const pathFilter = url.searchParams.get('path');
			return ok({ requests: this.store.requests.filter((r) => (!key || r.key === key) && (!pathFilter || r.path.includes(pathFilter))) });
		}
		if (a === 'ledger' && method === 'GET') {
			const key = url.searchParams.get('key');
			return ok({ entries: this.store.ledger.filter((l) => !key || l.key === key), summary: this.store.ledgerSummary() });
		}
		if (a === 'jobs' && !b && method === 'GET') return ok(this.jobsInfo());
		if (a === 'jobs' && b === 'settle' && method === 'POST') return ok({ settled: this.settleAll() });
		if (a === 'jobs' && b && c === 'finish' && method === 'POST') {
			const status = body.status === 'FAILED' ? 'FAILED' : body.status === 'COMPLETE' ? 'COMPLETE' : undefined;
			return ok({ finished: this.store.finish(b, status) });
		}
		if (a === 'webhooks' && !b && method === 'GET') return ok({ failedEventStyle: this.webhooks.failedEventStyle, deliveries: this.webhooks.deliveries });
		if (a === 'webhooks' && b === 'flush' && method === 'POST') return ok({ released: this.webhooks.flush() });
		if (a === 'webhooks' && b === 'style' && method === 'POST') {
			this.setFailedEventStyle(body.failedEventStyle as FailedEventStyle);
			return ok({ failedEventStyle: this.webhooks.failedEventStyle });
		}
		throw apiError(404, `no admin route for ${method} ${url.pathname}`, 'not-found');
	}

	// in-process admin helpers (mirrored by index.ts `admin`)

	keyInfo(acc: Account) {
		return {
			key: acc.key,
			plan: acc.plan,
			userId: acc.userId,
			username: acc.username,
			webhookUrl: acc.webhookUrl,
			webhookSecret: acc.webhookSecret,
			apiSubscriptionTokens: acc.apiSubscriptionTokens,
			apiPaidTokens: acc.apiPaidTokens,
			latencyMs: acc.latencyMs,
			loraTrainingsUsed: acc.loraTrainings.count,
			limits: {
				apiAccess: acc.profile.apiAccess,
				requestsPerMinute: acc.profile.requestsPerMinute,
				concurrentJobs: acc.profile.concurrentJobs,
				queuedJobs: acc.profile.queuedJobs,
				loraTrainingsPerMonth: acc.profile.loraTrainingsPerMonth,
			},
			running: this.store.runningCount(acc.key),
			queued: this.store.queuedCount(acc.key),
		};
	}

	keyInfos() {
		return [...this.store.accounts.values()].map((a) => this.keyInfo(a));
	}

	setWebhook(key: string, url: string | null, secret: string | null): void {
		const acc = this.store.accounts.get(key);
		if (!acc) throw new Error(`unknown key ${key}`);
		acc.webhookUrl = url;
		acc.webhookSecret = secret;
		const init = this.initialKeys.find((k) => k.key === key);
		if (init) {
			init.webhookUrl = url;
			init.webhookSecret = secret;
		}
	}

	setTokens(key: string, t: { apiSubscriptionTokens?: number; apiPaidTokens?: number }): void {
		const acc = this.store.accounts.get(key);
		if (!acc) throw new Error(`unknown key ${key}`);
		if (typeof t.apiSubscriptionTokens === 'number') acc.apiSubscriptionTokens = t.apiSubscriptionTokens;
		if (typeof t.apiPaidTokens === 'number') acc.apiPaidTokens = t.apiPaidTokens;
	}

	setLatency(o: { ms?: number | null; trainingMs?: number; key?: string }): void {
		if (o.key) {
			const acc = this.store.accounts.get(o.key);
			if (!acc) throw apiError(404, `unknown key ${o.key}`, 'not-found');
			if (o.ms !== undefined) acc.latencyMs = o.ms;
			return;
		}
		if (typeof o.ms === 'number') this.store.defaultLatencyMs = o.ms;
		if (typeof o.trainingMs === 'number') this.store.trainingLatencyMs = o.trainingMs;
	}

	setFailedEventStyle(style: FailedEventStyle): void {
		if (!['complete-with-failed-status', 'failed-type', 'both'].includes(style)) throw apiError(400, `unknown failedEventStyle ${String(style)}`, 'bad-request');
		this.webhooks.failedEventStyle = style;
	}

	settleAll(): number {
		let n = 0;
		// finishing running jobs starts queued ones; loop until nothing is pending
		for (let guard = 0; guard < 100000; guard++) {
			const ids = this.store.pendingJobIds();
			if (!ids.length) break;
			for (const id of ids) if (this.store.finish(id)) n++;
		}
		return n;
	}

	jobsInfo() {
		return {
			pending: this.store.pendingJobIds(),
			perKey: Object.fromEntries([...this.store.accounts.values()].map((a) => [a.key, { running: this.store.runningCount(a.key), queued: this.store.queuedCount(a.key) }])),
		};
	}

	overview() {
		return {
			url: this.origin,
			apiV1: `${this.origin}/api/rest/v1`,
			apiV2: `${this.origin}/api/rest/v2`,
			latencyMs: this.store.defaultLatencyMs,
			trainingLatencyMs: this.store.trainingLatencyMs,
			keys: this.keyInfos(),
			faults: this.faults.config,
			counts: {
				generations: this.store.generations.size,
				variations: this.store.variations.size,
				uploads: this.store.uploads.size,
				datasets: this.store.datasets.size,
				elements: this.store.elements.size,
				requests: this.store.requests.length,
				ledger: this.store.ledger.length,
				webhookDeliveries: this.webhooks.deliveries.length,
			},
		};
	}
}

function elementBaseToSd(base: string | undefined): string {
	switch (base) {
		case 'SDXL_0_9':
			return 'SDXL_0_9';
		case 'LEONARDO_LIGHTNING_XL':
			return 'SDXL_LIGHTNING';
		case 'FLUX_DEV':
			return 'FLUX_DEV';
		default:
			return 'SDXL_1_0';
	}
}

/** Minimal multipart/form-data parser (Buffer-safe). */
export function parseMultipart(body: Buffer, boundary: string): Array<{ name: string | null; filename: string | null; contentType: string | null; data: Buffer }> {
	const out: Array<{ name: string | null; filename: string | null; contentType: string | null; data: Buffer }> = [];
	const delim = Buffer.from(`--${boundary}`);
	let pos = body.indexOf(delim);
	while (pos !== -1) {
		let start = pos + delim.length;
		if (body.subarray(start, start + 2).toString() === '--') break;
		if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
		const next = body.indexOf(delim, start);
		if (next === -1) break;
		let part = body.subarray(start, next);
		if (part.subarray(part.length - 2).toString() === '\r\n') part = part.subarray(0, part.length - 2);
		const headEnd = part.indexOf('\r\n\r\n');
		if (headEnd !== -1) {
			const head = part.subarray(0, headEnd).toString('utf8');
			const data = part.subarray(headEnd + 4);
			const name = /name="([^"]*)"/i.exec(head)?.[1] ?? null;
			const filename = /filename="([^"]*)"/i.exec(head)?.[1] ?? null;
			const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? null;
			out.push({ name, filename, contentType, data });
		}
		pos = next;
	}
	return out;
}
