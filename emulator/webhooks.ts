/**
 * Webhook callbacks per API key (leonardo-api.md §5). On job completion the emulator POSTs the documented
 * envelope to the key's callback URL with `authorization: Bearer <webhook callback API key>`,
 * `content-type: application/json`, `user-agent: axios/1.4.0`.
 *
 * Event types: image_generation.complete (image generations, v1 and v2), video_generation.complete
 * (SVD, image-to-video, text-to-video, v2 video; images carry motionMP4URL), post_processing.complete
 * (variations; object "generated_image_variation_generic").
 * Failed jobs: by default the *.complete type is sent with data.object.status "FAILED" (what most
 * receivers handle); `failedEventStyle` 'failed-type' sends image_generation.failed / video_generation.failed /
 * post_processing.failed instead, 'both' sends both.
 * One delivery attempt per event (no retries: Leonardo's retry policy is undocumented); every attempt is in
 * the delivery log. Faults: drop, duplicate, delay, reorder (see faults.ts).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Account, GenerationRecord, VariationRecord } from './state';
import type { Faults } from './faults';
import { findModel } from './catalog';

export type FailedEventStyle = 'complete-with-failed-status' | 'failed-type' | 'both';

export interface WebhookDelivery {
	id: number;
	eventId: string;
	type: string;
	jobId: string;
	key: string;
	url: string;
	status: number | null;
	error: string | null;
	/** dropped by fault / duplicate copy / sent after reorder */
	fault: 'dropped' | 'duplicate' | 'reordered' | null;
	queuedAt: string;
	sentAt: string | null;
	body: unknown;
}

interface Pending {
	delivery: WebhookDelivery;
	secret: string | null;
	payload: string;
}

const isoZ = (d: Date) => d.toISOString();

function apiKeyEcho(acc: Account) {
	return {
		id: acc.apiKeyId,
		createdAt: isoZ(acc.createdAt),
		userId: acc.userId,
		key: acc.key,
		lastUsed: acc.lastUsed ? isoZ(acc.lastUsed) : null,
		name: `emulator ${acc.plan.toLowerCase()} key`,
		type: 'PRODUCTION',
		webhookCallbackUrl: acc.webhookUrl,
		webhookCallbackApiKey: acc.webhookSecret,
	};
}

/** data.object of a generation event: the webhook-style generation row (seed and apiDollarCost as strings). */
export function generationWebhookObject(g: GenerationRecord, acc: Account) {
	const model = g.modelId ? findModel(g.modelId) : undefined;
	const video = g.motion !== null;
	return {
		id: g.id,
		createdAt: isoZ(g.createdAt),
		updatedAt: isoZ(g.updatedAt),
		userId: g.userId,
		public: g.public,
		flagged: false,
		nsfw: false,
		status: g.status,
		coreModel: 'SD',
		guidanceScale: g.guidanceScale,
		imageHeight: g.height,
		imageWidth: g.width,
		inferenceSteps: g.inferenceSteps,
		initGeneratedImageId: g.initGeneratedImageId,
		initImageId: g.initImageId,
		initStrength: g.initStrength,
		initType: g.initImageId ? 'UPLOADED' : g.initGeneratedImageId ? 'GENERATED' : null,
		initUpscaledImageId: null,
		modelId: g.modelId,
		negativePrompt: g.negativePrompt ?? '',
		prompt: g.prompt,
		quantity: g.numImages,
		sdVersion: g.sdVersion,
		tiling: false,
		imageAspectRatio: null,
		tokenCost: 0,
		negativeStylePrompt: '',
		seed: String(g.seed),
		scheduler: g.scheduler,
		presetStyle: g.presetStyle,
		promptMagic: g.promptMagic ?? false,
		canvasInitImageId: g.canvasInitImageId,
		canvasMaskImageId: g.canvasMaskImageId,
		canvasRequest: g.canvasRequest,
		api: true,
		poseImage2Image: false,
		imagePromptStrength: null,
		category: null,
		poseImage2ImageType: null,
		highContrast: false,
		apiDollarCost: String(g.cost),
		poseImage2ImageWeight: null,
		alchemy: g.alchemy,
		contrastRatio: null,
		highResolution: null,
		expandedDomain: null,
		promptMagicVersion: g.promptMagicVersion,
		unzoom: null,
		unzoomAmount: null,
		apiKeyId: acc.apiKeyId,
		photoReal: g.photoReal ?? false,
		promptMagicStrength: g.promptMagicStrength,
		photoRealStrength: g.photoRealStrength,
		imageToImage: !!(g.initImageId || g.initGeneratedImageId),
		controlnetsUsed: g.controlnetsUsed,
		ultra: g.ultra,
		transparency: g.transparent ? 'foreground_only' : null,
		model: model
			? {
					id: model.id,
					createdAt: '2024-01-01T00:00:00.000Z',
					updatedAt: '2024-01-01T00:00:00.000Z',
					name: model.name,
					description: model.description,
					public: true,
					userId: null,
					flagged: false,
					nsfw: false,
					official: true,
					status: 'COMPLETE',
					classPrompt: null,
					coreModel: 'SD',
					initDatasetId: null,
					instancePrompt: null,
					sdVersion: model.sdVersion,
					trainingEpoch: null,
					trainingSteps: null,
					tokenCost: null,
					batchSize: 4,
					learningRate: null,
					type: 'GENERAL',
					modelHeight: 1024,
					modelWidth: 1024,
					leonardoInstancePrompt: null,
					trainingStrength: 'MEDIUM',
					featured: model.featured,
					featuredImageId: null,
					featuredPosition: null,
					api: false,
					favouriteCount: 0,
					imageCount: 0,
					enhancedModeration: false,
					apiDollarCost: null,
					apiKeyId: null,
					modelLRN: null,
				}
			: null,
		images: g.images.map((img) => ({
			id: img.id,
			createdAt: isoZ(img.createdAt),
			updatedAt: isoZ(img.createdAt),
			userId: g.userId,
			url: img.url,
			generationId: g.id,
			nobgId: null,
			nsfw: false,
			likeCount: 0,
			trendingScore: 0,
			public: g.public,
			...(video ? { motionMP4URL: img.motionMP4URL, motionGIFURL: null, teamId: null } : {}),
		})),
		apiKey: apiKeyEcho(acc),
	};
}

export function variationWebhookObject(v: VariationRecord, acc: Account) {
	return {
		id: v.id,
		createdAt: isoZ(v.createdAt),
		updatedAt: isoZ(v.updatedAt),
		status: v.status,
		url: v.url,
		transparent: v.transparent,
		generatedImageId: v.generatedImageId,
		transformType: v.transformType,
		upscale_ratio: null,
		api: true,
		tokenCost: 0,
		apiDollarCost: String(v.cost),
		apiKeyId: acc.apiKeyId,
		apiKey: apiKeyEcho(acc),
	};
}

export class WebhookDispatcher {
	deliveries: WebhookDelivery[] = [];
	failedEventStyle: FailedEventStyle = 'complete-with-failed-status';
	private held: Pending[] = [];
	private nextId = 1;
	private timers = new Set<NodeJS.Timeout>();
	private inflight = new Set<Promise<void>>();

	constructor(private faults: Faults) {}

	/** Sends the events of a finished job. `base` is e.g. "image_generation". */
	emit(acc: Account, base: 'image_generation' | 'video_generation' | 'post_processing', object: string, jobId: string, dataObject: { status?: string }): void {
		if (!acc.webhookUrl) return;
		const failed = dataObject.status === 'FAILED';
		const types: string[] = !failed
			? [`${base}.complete`]
			: this.failedEventStyle === 'failed-type'
				? [`${base}.failed`]
				: this.failedEventStyle === 'both'
					? [`${base}.complete`, `${base}.failed`]
					: [`${base}.complete`];
		for (const type of types) {
			const body = { type, object, timestamp: Date.now(), api_version: 'v1', data: { object: dataObject } };
			this.enqueue(acc, type, jobId, body);
		}
	}

	private enqueue(acc: Account, type: string, jobId: string, body: unknown): void {
		const wf = this.faults.config.webhook;
		const delivery: WebhookDelivery = {
			id: this.nextId++,
			eventId: `${jobId}:${type}`,
			type,
			jobId,
			key: acc.key,
			url: acc.webhookUrl as string,
			status: null,
			error: null,
			fault: null,
			queuedAt: new Date().toISOString(),
			sentAt: null,
			body,
		};
		this.deliveries.push(delivery);
		if (wf.drop > 0) {
			wf.drop--;
			delivery.fault = 'dropped';
			return;
		}
		const p: Pending = { delivery, secret: acc.webhookSecret, payload: JSON.stringify(body) };
		if (wf.duplicate > 0) {
			wf.duplicate--;
			const copy: WebhookDelivery = { ...delivery, id: this.nextId++, fault: 'duplicate' };
			this.deliveries.push(copy);
			this.schedule(p);
			this.schedule({ ...p, delivery: copy });
			return;
		}
		if (wf.reorder > 0) {
			wf.reorder--;
			delivery.fault = 'reordered';
			this.held.push(p);
			if (wf.reorder === 0) this.flush();
			return;
		}
		this.schedule(p);
	}

	/** Releases held (reorder) deliveries, newest first. */
	flush(): number {
		const held = this.held.reverse();
		this.held = [];
		for (const p of held) this.schedule(p);
		return held.length;
	}

	private schedule(p: Pending): void {
		const delay = this.faults.config.webhook.delayMs;
		if (delay > 0) {
			const t = setTimeout(() => {
				this.timers.delete(t);
				this.track(this.send(p));
			}, delay);
			this.timers.add(t);
		} else this.track(this.send(p));
	}

	private track(pr: Promise<void>): void {
		this.inflight.add(pr);
		void pr.finally(() => this.inflight.delete(pr));
	}

	/** Resolves when no delivery is in flight or delayed (held reorder deliveries excluded). */
	async idle(): Promise<void> {
		while (this.inflight.size || this.timers.size) {
			await Promise.all([...this.inflight]);
			if (this.timers.size) await new Promise((r) => setTimeout(r, 10));
		}
	}

	private send(p: Pending): Promise<void> {
		const d = p.delivery;
		return new Promise<void>((resolve) => {
			let url: URL;
			try {
				url = new URL(d.url);
			} catch (err) {
				d.error = `invalid url: ${d.url}`;
				resolve();
				return;
			}
			const headers: Record<string, string | number> = {
				accept: 'application/json, text/plain, */*',
				'content-type': 'application/json',
				'user-agent': 'axios/1.4.0',
				'accept-encoding': 'gzip, compress, deflate, br',
				connection: 'close',
				'content-length': Buffer.byteLength(p.payload),
			};
			if (p.secret) headers.authorization = `Bearer ${p.secret}`;
			const mod = url.protocol === 'https:' ? https : http;
			d.sentAt = new Date().toISOString();
			const req = mod.request(url, { method: 'POST', headers, timeout: 10000, rejectUnauthorized: false }, (res) => {
				d.status = res.statusCode ?? null;
				res.resume();
				res.on('end', () => resolve());
				res.on('error', () => resolve());
			});
			req.on('timeout', () => req.destroy(new Error('timeout')));
			req.on('error', (err) => {
				d.error = err.message;
				resolve();
			});
			req.end(p.payload);
		});
	}

	reset(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.held = [];
		this.deliveries = [];
	}
}
