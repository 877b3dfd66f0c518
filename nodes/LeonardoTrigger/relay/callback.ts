/**
 * Leonardo callback payloads (leonardo-api.md §5): event normalisation, secret redaction and output items.
 */
import type { IDataObject } from 'n8n-workflow';

import type { AwaitedStatus, JobKind } from '../../shared/relay';

export const TRIGGER_EVENTS = [
	'image_generation.complete',
	'image_generation.failed',
	'video_generation.complete',
	'video_generation.failed',
	'post_processing.complete',
	'post_processing.failed',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export interface CallbackInfo {
	/** `type` as sent by Leonardo. */
	type: string;
	/** Normalised: `<category>.complete` or `<category>.failed` (a *.complete with status FAILED is failed). */
	event: string;
	jobId: string;
	kind: JobKind;
	status: AwaitedStatus;
	object: IDataObject;
}

/** Reads a callback body; undefined when it is not a Leonardo job callback. */
export function parseCallback(body: unknown): CallbackInfo | undefined {
	const b = body as { type?: unknown; data?: { object?: IDataObject } } | undefined;
	if (!b || typeof b !== 'object' || typeof b.type !== 'string') return undefined;
	const object = b.data?.object;
	if (!object || typeof object !== 'object') return undefined;
	const id = object.id;
	if (typeof id !== 'string' && typeof id !== 'number') return undefined;
	const [category, suffix = ''] = b.type.split('.');
	const failed = /^fail/i.test(suffix) || String(object.status ?? '').toUpperCase() === 'FAILED';
	const kind: JobKind =
		category === 'post_processing' || category === 'upscale' ? 'variation' : category === 'element_training' ? 'training' : 'generation';
	return {
		type: b.type,
		event: `${category}.${failed ? 'failed' : 'complete'}`,
		jobId: String(id),
		kind,
		status: failed ? 'FAILED' : 'COMPLETE',
		object,
	};
}

/** Keys whose values are secrets echoed by Leonardo (the API key object, the webhook secret). */
const SECRET_KEYS = new Set(['apikey', 'key', 'webhookcallbackapikey', 'authorization', 'token', 'secret']);

/** Secrets found in a callback: the echoed API key and webhook callback key. */
export function echoedSecrets(body: unknown): string[] {
	const found: string[] = [];
	const walk = (value: unknown, depth: number) => {
		if (!value || typeof value !== 'object' || depth > 12) return;
		for (const [k, v] of Object.entries(value as IDataObject)) {
			if (k === 'apiKey' && v && typeof v === 'object') {
				const echo = v as IDataObject;
				for (const f of ['key', 'webhookCallbackApiKey']) if (typeof echo[f] === 'string' && echo[f]) found.push(echo[f] as string);
			} else walk(v, depth + 1);
		}
	};
	walk(body, 0);
	return found;
}

export const REDACTED = '[redacted]';

/**
 * A deep copy without secrets: `apiKey` objects are reduced to non-secret fields (id, name, type), keys
 * named like secrets are removed, and any string containing one of `secrets` is replaced.
 */
export function redact<T>(value: T, secrets: string[]): T {
	const needles = secrets.filter((s) => typeof s === 'string' && s.length >= 4);
	const walk = (v: unknown, depth: number): unknown => {
		if (typeof v === 'string') return needles.some((s) => v.includes(s)) ? REDACTED : v;
		if (!v || typeof v !== 'object' || depth > 20) return v;
		if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
		const out: IDataObject = {};
		for (const [k, x] of Object.entries(v as IDataObject)) {
			if (k === 'apiKey' && x && typeof x === 'object' && !Array.isArray(x)) {
				const echo = x as IDataObject;
				out.apiKey = { id: walk(echo.id, depth + 1), name: walk(echo.name, depth + 1), type: walk(echo.type, depth + 1) } as IDataObject;
				continue;
			}
			if (SECRET_KEYS.has(k.toLowerCase()) || k === 'webhookCallbackUrl') continue;
			out[k] = walk(x, depth + 1) as IDataObject;
		}
		return out;
	};
	return walk(value, 0) as T;
}

export interface OutputFile {
	url: string;
	imageId?: string;
	index: number;
	video: boolean;
}

/** The files of a callback: images (or videos via motionMP4URL) of a generation, or a variation's url. */
export function outputFiles(info: CallbackInfo): OutputFile[] {
	if (info.kind === 'variation') {
		const url = info.object.url;
		return typeof url === 'string' && url ? [{ url, index: 0, video: false }] : [];
	}
	const images = Array.isArray(info.object.images) ? (info.object.images as IDataObject[]) : [];
	const files: OutputFile[] = [];
	images.forEach((image, index) => {
		const mp4 = typeof image.motionMP4URL === 'string' && image.motionMP4URL ? (image.motionMP4URL as string) : undefined;
		const url = mp4 ?? (typeof image.url === 'string' ? (image.url as string) : undefined);
		if (url) files.push({ url, imageId: typeof image.id === 'string' ? image.id : undefined, index, video: !!mp4 });
	});
	return files;
}
