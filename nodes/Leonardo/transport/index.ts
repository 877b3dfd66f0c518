/**
 * The only code of the Leonardo node that does HTTP.
 *
 * apiRequest<T>()      Leonardo REST call with the credential's bearer auth, plan pacing, timeout, retries and
 *                      Leonardo error bodies mapped to NodeApiError. Job-creating POSTs are never re-sent
 *                      once they may have reached the server.
 * uploadPresigned()    multipart POST of a file to a presigned (S3-like) URL, without auth.
 * uploadInitImage()    POST /init-image + uploadPresigned: returns the init image id.
 * downloadToBinary()   CDN download (no auth) into n8n binary data.
 * withJobSlot()        holds one of the plan's concurrent-job slots while a job runs.
 * getUserId()          the account's user id (GET /me, cached per key).
 */
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleepWithAbort } from 'n8n-workflow';

import { API_V1_PATH, API_V2_PATH, type GetMeResponse, type ImageExtension, type UploadInitImageResponse } from '../../shared/contract';
import type { PlanProfile } from '../../shared/plans';
import {
	CREDENTIAL_TYPE,
	MAX_RETRIES,
	REQUEST_TIMEOUT_MS,
	RETRY_AFTER_MAX_MS,
	RETRY_BASE_DELAY_MS,
	RETRY_MAX_DELAY_MS,
	TRANSFER_TIMEOUT_MS,
} from '../helpers/constants';
import {
	assertApiAccess,
	getLeonardoCredentials,
	planOf,
	type LeonardoContext,
} from '../helpers/plan';
import { cached, getKeyState, keyIdOf, pauseKey, takeRequestSlot, type KeyState } from './pacing';

export type { LeonardoContext } from '../helpers/plan';

export interface ApiRequestOptions {
	body?: IDataObject | object;
	qs?: IDataObject;
	/** Which REST root: /api/rest/v1 (default) or /api/rest/v2. */
	api?: 'v1' | 'v2';
	/**
	 * True for POSTs that start a paid job (generations, videos, variations, trainings, charged uploads).
	 * Such a request is retried only when Leonardo definitely refused it (429, or connection refused);
	 * a drop, timeout or 5xx after sending becomes an error saying the job may exist.
	 */
	jobCreating?: boolean;
	itemIndex?: number;
	timeoutMs?: number;
	maxRetries?: number;
}

/** Connection errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED']);
const CANCEL_CODES = new Set(['ERR_CANCELED']);

interface RequestContext {
	node: INode;
	plan: PlanProfile;
	state: KeyState;
	baseUrl: string;
	signal?: AbortSignal;
}

function cancelSignal(ctx: LeonardoContext): AbortSignal | undefined {
	const fn = (ctx as Partial<IExecuteFunctions>).getExecutionCancelSignal;
	return typeof fn === 'function' ? fn.call(ctx) : undefined;
}

async function requestContext(ctx: LeonardoContext): Promise<RequestContext> {
	const credentials = await getLeonardoCredentials.call(ctx);
	const plan = planOf(credentials);
	return {
		node: ctx.getNode(),
		plan,
		state: getKeyState(keyIdOf(credentials.baseUrl, credentials.apiKey), plan),
		baseUrl: credentials.baseUrl,
		signal: cancelSignal(ctx),
	};
}

/** The pacing state and plan of the current credential (for helpers such as withJobSlot). */
export async function getPacing(this: LeonardoContext) {
	const { state, plan } = await requestContext(this);
	return { state, plan };
}

function parseRetryAfter(value: unknown): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function backoffMs(attempt: number) {
	const ceiling = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function errorCode(error: unknown): string | undefined {
	const e = error as { code?: unknown; cause?: { code?: unknown }; errorResponse?: { code?: unknown } };
	const code = e?.cause?.code ?? e?.code;
	return typeof code === 'string' ? code : undefined;
}

function leonardoBody(body: unknown): { error?: string; code?: string; path?: string } {
	let parsed: unknown = body;
	if (Buffer.isBuffer(parsed)) parsed = parsed.toString('utf8');
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed);
		} catch {
			return parsed ? { error: (parsed as string).slice(0, 500) } : {};
		}
	}
	if (parsed && typeof parsed === 'object') {
		const o = parsed as { error?: unknown; code?: unknown; path?: unknown; message?: unknown };
		const message = typeof o.error === 'string' ? o.error : typeof o.message === 'string' ? o.message : undefined;
		return {
			error: message,
			code: typeof o.code === 'string' ? o.code : undefined,
			path: typeof o.path === 'string' ? o.path : undefined,
		};
	}
	return {};
}

const STATUS_HINTS: Record<number, string> = {
	401: 'Check the API key and Base URL of the Leonardo API credential.',
	402: 'The account balance may be empty: top up the Leonardo API credits.',
	403: 'Leonardo refused the request (plan without API access, or content moderation).',
	429: "Leonardo's rate or queue limit was reached even after waiting and retrying.",
};

/** A NodeApiError carrying Leonardo's message, its `code` and the HTTP status. */
export function leonardoApiError(
	node: INode,
	statusCode: number,
	body: unknown,
	request: { method: string; path: string; itemIndex?: number; extraDescription?: string },
) {
	const parsed = leonardoBody(body);
	const message = parsed.error ?? `Leonardo answered HTTP ${statusCode}`;
	const parts = [
		`Leonardo error${parsed.code ? ` code "${parsed.code}"` : ''} (HTTP ${statusCode}) on ${request.method} ${request.path}.`,
		STATUS_HINTS[statusCode],
		request.extraDescription,
	].filter(Boolean);
	const error = new NodeApiError(
		node,
		{ error: message, code: parsed.code ?? null, path: parsed.path ?? null, httpCode: String(statusCode) } as JsonObject,
		{ message, description: parts.join(' '), httpCode: String(statusCode), itemIndex: request.itemIndex },
	);
	error.context.leonardoCode = parsed.code;
	error.context.httpCode = statusCode;
	return error;
}

function mayHaveBeenCreatedError(
	node: INode,
	method: string,
	path: string,
	cause: string,
	itemIndex: number | undefined,
) {
	const error = new NodeApiError(node, { error: cause } as JsonObject, {
		message: `The connection to Leonardo failed after the ${method} ${path} request was sent: the job may have been created`,
		description: `${cause}. The request was NOT re-sent, so you are not charged twice. Check Image → List (or the Leonardo web app) for the job before retrying.`,
		itemIndex,
	});
	error.context.jobMayExist = true;
	return error;
}

/**
 * Calls the Leonardo REST API. `path` is relative to /api/rest/v1 (or /api/rest/v2 with api: 'v2').
 */
export async function apiRequest<T = IDataObject>(
	this: LeonardoContext,
	method: IHttpRequestMethods,
	path: string,
	options: ApiRequestOptions = {},
): Promise<T> {
	const rc = await requestContext(this);
	const { node, plan, state, signal } = rc;
	const { itemIndex, jobCreating = false } = options;
	assertApiAccess(node, plan, itemIndex);

	const idempotent = !jobCreating;
	const maxRetries = options.maxRetries ?? MAX_RETRIES;
	const root = options.api === 'v2' ? API_V2_PATH : API_V1_PATH;
	const request: IHttpRequestOptions = {
		method,
		url: `${rc.baseUrl}${root}${path}`,
		json: true,
		timeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		headers: { accept: 'application/json' },
	};
	if (options.qs) request.qs = options.qs;
	if (options.body !== undefined) request.body = options.body as IDataObject;
	const label = { method, path: `${root}${path}`, itemIndex };

	for (let attempt = 0; ; attempt++) {
		const release = await takeRequestSlot(state, signal);
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				{ ...request },
			)) as IN8nHttpFullResponse;
		} catch (error) {
			release();
			const code = errorCode(error);
			if (code && CANCEL_CODES.has(code)) {
				throw new NodeOperationError(node, 'Execution was cancelled', { itemIndex });
			}
			const notSent = code !== undefined && NOT_SENT_CODES.has(code);
			if (!notSent && jobCreating) {
				throw mayHaveBeenCreatedError(node, method, label.path, code ?? (error as Error).message, itemIndex);
			}
			if (attempt < maxRetries) {
				await sleepWithAbort(backoffMs(attempt), signal);
				continue;
			}
			throw new NodeApiError(node, error as JsonObject, { itemIndex });
		}
		release();

		const status = response.statusCode;
		if (status >= 200 && status < 300) return response.body as T;

		if (status === 429) {
			// Leonardo refused the request: safe to send again, job-creating or not.
			const retryAfter = parseRetryAfter(response.headers?.['retry-after']);
			const wait = retryAfter ?? backoffMs(attempt);
			if (attempt < maxRetries && wait <= RETRY_AFTER_MAX_MS) {
				pauseKey(state, wait);
				continue;
			}
			throw leonardoApiError(node, status, response.body, label);
		}
		if (status >= 500) {
			if (jobCreating) {
				throw leonardoApiError(node, status, response.body, {
					...label,
					extraDescription:
						'The job may have been created: the request was NOT re-sent, so you are not charged twice. Check Image → List before retrying.',
				});
			}
			if (idempotent && attempt < maxRetries) {
				const retryAfter = parseRetryAfter(response.headers?.['retry-after']);
				await sleepWithAbort(Math.min(RETRY_AFTER_MAX_MS, retryAfter ?? backoffMs(attempt)), signal);
				continue;
			}
		}
		throw leonardoApiError(node, status, response.body, label);
	}
}

/** Holds one of the plan's concurrent-job slots (per API key, process-wide) while `run` executes. */
export async function withJobSlot<T>(this: LeonardoContext, run: () => Promise<T>): Promise<T> {
	const { state } = await requestContext(this);
	let release: () => void;
	try {
		release = await state.jobs.acquire(cancelSignal(this));
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	try {
		return await run();
	} finally {
		release();
	}
}

/** The account's user id (GET /me), cached per API key. */
export async function getUserId(this: LeonardoContext, itemIndex?: number): Promise<string> {
	const { state } = await requestContext(this);
	return await cached(state, 'userId', async () => {
		const me = (await apiRequest.call(this, 'GET', '/me', { itemIndex })) as GetMeResponse;
		const id = me.user_details?.[0]?.user?.id;
		if (!id) {
			throw new NodeOperationError(this.getNode(), 'Leonardo /me returned no user id', { itemIndex });
		}
		return id;
	});
}

/** Caches a per-key value (catalogues) for a few minutes; `refresh` re-reads it now (e.g. after a miss). */
export async function cachedForKey<T>(
	this: LeonardoContext,
	name: string,
	load: () => Promise<T>,
	refresh = false,
) {
	const { state } = await requestContext(this);
	return await cached(state, name, load, refresh);
}

// ---------------------------------------------------------------------------------------------
// Presigned uploads (no auth) and CDN downloads
// ---------------------------------------------------------------------------------------------

export interface UploadFile {
	data: Buffer;
	fileName: string;
	mimeType: string;
}

/** A multipart/form-data body built by hand (no runtime dependencies): fields first, then `file`. */
export function buildMultipart(fields: Record<string, string>, file: UploadFile, fileField = 'file') {
	const boundary = `----n8nLeonardo${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const chunks: Buffer[] = [];
	const esc = (s: string) => s.replace(/"/g, '%22').replace(/\r|\n/g, ' ');
	for (const [name, value] of Object.entries(fields)) {
		chunks.push(
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${esc(name)}"\r\n\r\n${value}\r\n`),
		);
	}
	chunks.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${esc(fileField)}"; filename="${esc(file.fileName)}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
		),
	);
	chunks.push(file.data);
	chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Uploads a file to a presigned URL (Leonardo's S3 flow). `fields` is the JSON string (or object) from the
 * presign response. No authorization header is sent (S3 answers 403 to one). Success is any 2xx (S3: 204).
 */
export async function uploadPresigned(
	this: IExecuteFunctions,
	presigned: { url: string | null; fields: string | Record<string, string> | null },
	file: UploadFile,
	itemIndex?: number,
): Promise<void> {
	const node = this.getNode();
	if (!presigned.url) {
		throw new NodeOperationError(node, 'Leonardo returned no upload URL', { itemIndex });
	}
	let fields: Record<string, string> = {};
	if (typeof presigned.fields === 'string' && presigned.fields !== '') {
		try {
			fields = JSON.parse(presigned.fields) as Record<string, string>;
		} catch (error) {
			throw new NodeOperationError(node, 'Leonardo returned unreadable upload fields', {
				itemIndex,
				description: (error as Error).message,
			});
		}
	} else if (presigned.fields && typeof presigned.fields === 'object') {
		fields = presigned.fields;
	}
	const { body, contentType } = buildMultipart(fields, file);
	const signal = cancelSignal(this);
	for (let attempt = 0; ; attempt++) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequest({
				method: 'POST',
				url: presigned.url,
				body,
				headers: { 'content-type': contentType },
				timeout: TRANSFER_TIMEOUT_MS,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				json: false,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			// Re-uploading to the same presigned key is idempotent: retry network failures.
			if (attempt < 2 && !CANCEL_CODES.has(errorCode(error) ?? '')) {
				await sleepWithAbort(backoffMs(attempt), signal);
				continue;
			}
			throw new NodeApiError(node, error as JsonObject, { itemIndex, message: 'Upload to Leonardo storage failed' });
		}
		if (response.statusCode >= 200 && response.statusCode < 300) return;
		if ((response.statusCode >= 500 || response.statusCode === 429) && attempt < 2) {
			await sleepWithAbort(backoffMs(attempt), signal);
			continue;
		}
		const text = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : String(response.body ?? '');
		throw new NodeApiError(node, { error: text.slice(0, 500) } as JsonObject, {
			message: `Upload to Leonardo storage failed (HTTP ${response.statusCode})`,
			description: text.slice(0, 500),
			httpCode: String(response.statusCode),
			itemIndex,
		});
	}
}

/** POST /init-image then the presigned upload: returns the init image id (use with initImageType UPLOADED). */
export async function uploadInitImage(
	this: IExecuteFunctions,
	file: UploadFile & { extension: ImageExtension },
	itemIndex?: number,
): Promise<string> {
	const presign = (await apiRequest.call(this, 'POST', '/init-image', {
		body: { extension: file.extension },
		itemIndex,
	})) as UploadInitImageResponse;
	const upload = presign.uploadInitImage;
	if (!upload?.id) {
		throw new NodeOperationError(this.getNode(), 'Leonardo returned no init image id', { itemIndex });
	}
	await uploadPresigned.call(this, upload, file, itemIndex);
	return upload.id;
}

/** What prepareBinaryData accepts (Buffer | Readable), without importing 'stream' (banned in nodes). */
type BinarySource = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/**
 * Downloads a public CDN file (no auth) into n8n binary data. `stream: true` hands a stream to
 * prepareBinaryData (large files such as videos are not buffered when n8n stores binaries on disk).
 */
export async function downloadToBinary(
	this: IExecuteFunctions,
	url: string,
	options: { fileName: string; mimeType?: string; stream?: boolean; itemIndex?: number },
): Promise<IBinaryData> {
	const node = this.getNode();
	const signal = cancelSignal(this);
	for (let attempt = 0; ; attempt++) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: options.stream ? 'stream' : 'arraybuffer',
				timeout: TRANSFER_TIMEOUT_MS,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				json: false,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			if (attempt < 3 && !CANCEL_CODES.has(errorCode(error) ?? '')) {
				await sleepWithAbort(backoffMs(attempt), signal);
				continue;
			}
			throw new NodeApiError(node, error as JsonObject, {
				itemIndex: options.itemIndex,
				message: `Downloading ${url} failed`,
			});
		}
		if (response.statusCode >= 200 && response.statusCode < 300) {
			const header = response.headers?.['content-type'];
			const mimeType =
				options.mimeType ?? (typeof header === 'string' ? header.split(';')[0].trim() : undefined);
			if (!options.stream) {
				// n8n returns a Buffer for 'arraybuffer': wrap only a real ArrayBuffer (Buffer.from(buffer)
				// would copy the whole file once more; measured by bench/binary-memory.ts).
				const body = response.body as Buffer | ArrayBuffer;
				const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
				return await this.helpers.prepareBinaryData(data, options.fileName, mimeType);
			}
			try {
				// The body is the response stream: n8n writes it to its binary store as it arrives.
				return await this.helpers.prepareBinaryData(response.body as BinarySource, options.fileName, mimeType);
			} catch (error) {
				// Connection dropped mid-transfer (the stream errors, e.g. ECONNRESET 'aborted'): the GET is
				// idempotent, retry it like a failed request; report it as a download error of this item.
				if (attempt < 3 && !CANCEL_CODES.has(errorCode(error) ?? '')) {
					await sleepWithAbort(backoffMs(attempt), signal);
					continue;
				}
				throw new NodeApiError(node, error as JsonObject, {
					itemIndex: options.itemIndex,
					message: `Downloading ${url} failed`,
				});
			}
		}
		// Not stored: release a streamed body (and its socket) before retrying or failing.
		if (options.stream) (response.body as { destroy?: () => void } | undefined)?.destroy?.();
		if ((response.statusCode >= 500 || response.statusCode === 429) && attempt < 3) {
			await sleepWithAbort(backoffMs(attempt), signal);
			continue;
		}
		throw new NodeApiError(node, { error: `HTTP ${response.statusCode}` } as JsonObject, {
			message: `Downloading ${url} failed (HTTP ${response.statusCode})`,
			httpCode: String(response.statusCode),
			itemIndex: options.itemIndex,
		});
	}
}
