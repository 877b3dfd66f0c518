/**
 * Polling that spends the request budget sparingly: the first status read comes after the user's
 * interval, each further read waits POLL_BACKOFF_FACTOR times longer (capped), the deadline is honoured
 * exactly (a last read at the deadline) and the wait stops as soon as the execution is cancelled.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleepWithAbort } from 'n8n-workflow';

import type { Generation, GetGenerationResponse, JobStatus } from '../../shared/contract';
import { apiRequest } from '../transport';
import { POLL_BACKOFF_FACTOR, POLL_INTERVAL_MAX_MS } from './constants';

export interface PollOptions {
	/** First wait, and the base of the adaptive interval. */
	intervalMs: number;
	/** Give up (NodeOperationError carrying the job id) after this long. */
	timeoutMs: number;
	itemIndex: number;
	maxIntervalMs?: number;
	backoffFactor?: number;
}

export interface PollJob<T> extends PollOptions {
	jobId: string;
	/** "generation", "training", "variation"... for messages. */
	jobLabel: string;
	fetch: () => Promise<T>;
	status: (result: T) => JobStatus | string | undefined;
	/** Extra text for a FAILED job (provider reason). */
	failureDescription?: (result: T) => string | undefined;
}

function jobError(
	ctx: IExecuteFunctions,
	message: string,
	description: string,
	itemIndex: number,
	jobId: string,
) {
	const error = new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
	error.context.jobId = jobId;
	error.context.generationId = jobId;
	return error;
}

/**
 * Same as pollUntilDone, context first: `pollJob(this, {...})` keeps the result type T inferred (TypeScript
 * loses generics through `pollUntilDone.call(this, ...)`, which types T as unknown).
 */
export async function pollJob<T>(ctx: IExecuteFunctions, job: PollJob<T>): Promise<T> {
	return (await pollUntilDone.call(ctx, job as PollJob<unknown>)) as T;
}

/** Polls `fetch` until the status is COMPLETE (returns the result) or FAILED / deadline / cancel (throws). */
export async function pollUntilDone<T>(this: IExecuteFunctions, job: PollJob<T>): Promise<T> {
	const signal = this.getExecutionCancelSignal?.();
	const deadline = Date.now() + job.timeoutMs;
	const maxInterval = Math.max(job.intervalMs, job.maxIntervalMs ?? POLL_INTERVAL_MAX_MS);
	let interval = job.intervalMs;
	for (;;) {
		const wait = Math.min(interval, Math.max(0, deadline - Date.now()));
		try {
			await sleepWithAbort(wait, signal);
		} catch {
			throw jobError(
				this,
				`Execution cancelled while waiting for Leonardo ${job.jobLabel} ${job.jobId}`,
				`The ${job.jobLabel} keeps running on Leonardo; fetch it later with its ID.`,
				job.itemIndex,
				job.jobId,
			);
		}
		const result = await job.fetch();
		const status = job.status(result);
		if (status === 'COMPLETE' || status === 'COMPLETED') return result;
		if (status === 'FAILED') {
			throw jobError(
				this,
				`Leonardo ${job.jobLabel} ${job.jobId} failed`,
				job.failureDescription?.(result) ??
					`Leonardo reported status FAILED for ${job.jobLabel} ${job.jobId}. Failed generations are refunded by Leonardo.`,
				job.itemIndex,
				job.jobId,
			);
		}
		if (Date.now() >= deadline) {
			throw jobError(
				this,
				`Timed out after ${Math.round(job.timeoutMs / 100) / 10} s waiting for Leonardo ${job.jobLabel} ${job.jobId}`,
				`The ${job.jobLabel} is still ${status ?? 'pending'} on Leonardo. Fetch it later with its ID (for images: Image → Get), or raise the timeout.`,
				job.itemIndex,
				job.jobId,
			);
		}
		interval = Math.min(maxInterval, Math.round(interval * (job.backoffFactor ?? POLL_BACKOFF_FACTOR)));
	}
}

/** Waits for a generation (image or video, v1 or v2) to finish; reads GET /generations/{id} (v1). */
export async function waitForGeneration(
	this: IExecuteFunctions,
	generationId: string,
	options: PollOptions,
): Promise<Generation> {
	return (await pollUntilDone.call(this, {
		...options,
		jobId: generationId,
		jobLabel: 'generation',
		fetch: async () => {
			const response = (await apiRequest.call(this, 'GET', `/generations/${generationId}`, {
				itemIndex: options.itemIndex,
			})) as GetGenerationResponse;
			if (!response.generations_by_pk) {
				throw jobError(
					this,
					`Leonardo has no generation ${generationId}`,
					'It may have been deleted.',
					options.itemIndex,
					generationId,
				);
			}
			return response.generations_by_pk;
		},
		status: (generation) => (generation as Generation).status,
	} as PollJob<unknown>)) as Generation;
}
