import { startEmulator, type EmulatorHandle, type StartOptions } from '../../emulator';

export async function start(opts: StartOptions = {}): Promise<EmulatorHandle> {
	return startEmulator({ port: 0, latencyMs: 40, trainingLatencyMs: 80, ...opts });
}

export interface ApiResponse<T = any> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
}

/** A raw API call over real HTTP (fetch). `path` starts with /api/rest/... or is relative to v1. */
export async function api<T = any>(emu: EmulatorHandle, method: string, path: string, opts: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
	const url = emu.url + (path.startsWith('/api/') ? path : `/api/rest/v1${path}`);
	const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
	if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? emu.keyFor('MAESTRO')}`;
	let body: string | undefined;
	if (opts.rawBody !== undefined) body = opts.rawBody;
	else if (opts.body !== undefined) body = JSON.stringify(opts.body);
	if (body !== undefined) headers['content-type'] = 'application/json';
	const res = await fetch(url, { method, headers, body });
	const text = await res.text();
	let parsed: any = undefined;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		parsed = undefined;
	}
	return { status: res.status, headers: res.headers, body: parsed, text };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 5000, everyMs = 20): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > deadline) throw new Error('waitFor: timed out');
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

/** Polls GET /generations/{id} until it is not PENDING. */
export async function waitGeneration(emu: EmulatorHandle, id: string, key?: string): Promise<any> {
	return waitFor(async () => {
		const r = await api(emu, 'GET', `/generations/${id}`, { key });
		const g = r.body?.generations_by_pk;
		return g && g.status !== 'PENDING' ? g : undefined;
	});
}

/** The presigned upload: multipart form with every field from `fields` (a JSON string) then `file`. */
export async function presignedUpload(url: string, fieldsJson: string, bytes: Buffer, opts: { authorization?: string; contentType?: string } = {}): Promise<Response> {
	const form = new FormData();
	for (const [k, v] of Object.entries(JSON.parse(fieldsJson) as Record<string, string>)) form.append(k, v);
	form.append('file', new Blob([new Uint8Array(bytes)], { type: opts.contentType ?? 'image/png' }), 'upload.png');
	const headers: Record<string, string> = {};
	if (opts.authorization) headers.authorization = opts.authorization;
	return fetch(url, { method: 'POST', body: form, headers });
}

export async function download(url: string): Promise<{ status: number; contentType: string | null; bytes: Buffer }> {
	const res = await fetch(url);
	return { status: res.status, contentType: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Creates a generation and waits for it; returns the GET row. */
export async function generate(emu: EmulatorHandle, body: Record<string, unknown>, key?: string): Promise<any> {
	const r = await api(emu, 'POST', '/generations', { key, body });
	if (r.status !== 200) throw new Error(`create failed ${r.status} ${r.text}`);
	return waitGeneration(emu, r.body.sdGenerationJob.generationId, key);
}

export function isMp4(buf: Buffer): boolean {
	return buf.toString('ascii', 4, 8) === 'ftyp';
}
