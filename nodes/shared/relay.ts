/**
 * The relay protocol between Leonardo nodes that wait for a callback ("Wait for Result: Webhook", Job →
 * Await) and the Leonardo Trigger (the relay that receives Leonardo's callbacks on one fixed URL).
 *
 * Every relay message is a signed envelope `{ leonardoRelay: 1, payload: "<JSON string>", signature }`
 * where signature = hex HMAC-SHA256(callbackApiKey, payload). Signing the exact payload string avoids any
 * dependence on n8n's raw-body handling. Messages carry a timestamp (`ts`) and are refused when older than
 * RELAY_MAX_AGE_MS; resume messages also carry the execution id they are meant for, so a signed resume for
 * one execution cannot be replayed against another.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

import type { JobStatus } from './contract';

export const RELAY_ENVELOPE_VERSION = 1;
/** Signed messages older (or further in the future) than this are refused. */
export const RELAY_MAX_AGE_MS = 10 * 60_000;
/** How much later than the relay deadline n8n's own wait timeout fires (the relay resumes first). */
export const RELAY_WAIT_GRACE_MS = 3 * 60_000;

export const JOB_KINDS = ['generation', 'variation', 'training'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Final state of an awaited job as the relay reports it. */
export type AwaitedStatus = Extract<JobStatus, 'COMPLETE' | 'FAILED'> | 'TIMEOUT' | 'MISSING';

export interface AwaitedJobRef {
	id: string;
	kind: JobKind;
	/** Index of the input item the job belongs to (pairedItem on resume). */
	itemIndex: number;
	/** Small per-job settings resolved at execute time (download, binary property, model...). */
	meta?: Record<string, string | number | boolean | null>;
}

export interface AwaitedJobResult extends AwaitedJobRef {
	status: AwaitedStatus;
	reason?: string;
}

/** An error item of the waiting node (continueOnFail) that has no job: handed back on resume. */
export interface CarriedItem {
	itemIndex: number;
	json: Record<string, string | number | boolean | null>;
}

export interface RegisterMessage {
	action: 'register';
	ts: number;
	executionId: string;
	resumeUrl: string;
	/** Epoch ms: after this the relay resumes the execution with the jobs' real state (or TIMEOUT). */
	deadline: number;
	jobs: AwaitedJobRef[];
	carried?: CarriedItem[];
	/** Name of the waiting node: the resume message carries it back and the node checks it (no replay into another wait). */
	node?: string;
}

export interface ReconcileMessage {
	action: 'reconcile';
	ts: number;
}

export interface ResumeMessage {
	action: 'resume';
	ts: number;
	executionId: string;
	jobs: AwaitedJobResult[];
	carried?: CarriedItem[];
	node?: string;
}

export type RelayMessage = RegisterMessage | ReconcileMessage | ResumeMessage;

export interface SignedEnvelope {
	leonardoRelay: number;
	payload: string;
	signature: string;
}

/** Answer of the relay to a register message. */
export interface RegisterAnswer {
	registered: boolean;
	/** 'complete': every job already finished (early callbacks); the caller outputs `jobs` at once. */
	state: 'waiting' | 'complete';
	jobs?: AwaitedJobResult[];
	carried?: CarriedItem[];
}

export function hmacHex(secret: string, payload: string): string {
	return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** Constant-time string comparison (hashes first so lengths never leak or throw). */
export function safeEqual(a: string, b: string): boolean {
	const da = createHash('sha256').update(a, 'utf8').digest();
	const db = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(da, db) && a.length === b.length;
}

export function signMessage(secret: string, message: RelayMessage): SignedEnvelope {
	const payload = JSON.stringify(message);
	return { leonardoRelay: RELAY_ENVELOPE_VERSION, payload, signature: hmacHex(secret, payload) };
}

export function isEnvelope(body: unknown): body is SignedEnvelope {
	const b = body as Partial<SignedEnvelope> | undefined;
	return !!b && typeof b === 'object' && b.leonardoRelay !== undefined && typeof b.payload === 'string';
}

/** Verifies a signed envelope; returns the message, or a reason string when it must be refused. */
export function verifyMessage(
	secret: string,
	body: unknown,
	now = Date.now(),
): { ok: true; message: RelayMessage } | { ok: false; reason: string } {
	if (!secret) return { ok: false, reason: 'no webhook callback API key configured' };
	if (!isEnvelope(body)) return { ok: false, reason: 'not a signed relay message' };
	if (typeof body.signature !== 'string' || !safeEqual(body.signature, hmacHex(secret, body.payload))) {
		return { ok: false, reason: 'bad signature' };
	}
	let message: RelayMessage;
	try {
		message = JSON.parse(body.payload) as RelayMessage;
	} catch {
		return { ok: false, reason: 'unreadable payload' };
	}
	if (typeof message?.ts !== 'number' || Math.abs(now - message.ts) > RELAY_MAX_AGE_MS) {
		return { ok: false, reason: 'message expired' };
	}
	return { ok: true, message };
}

/** Checks `authorization: Bearer <key>` in constant time. */
export function bearerMatches(header: unknown, expected: string): boolean {
	if (!expected) return false;
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string') return false;
	const match = /^Bearer\s+(.+)$/i.exec(value.trim());
	return safeEqual(match ? match[1].trim() : '', expected);
}
