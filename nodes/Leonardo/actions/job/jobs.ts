/**
 * Jobs of any kind: image/video generations, post-processing variations and element (LoRA) trainings.
 * Reading their state from the API and turning a finished (or failed) job into output items. Used by the
 * Job operations, by the resume of "Wait for Result: Webhook" and by the Leonardo Trigger's reconcile.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type {
	Generation,
	GetElementResponse,
	GetGenerationResponse,
	GetVariationResponse,
	UserLora,
} from '../../../shared/contract';
import type { PlanProfile } from '../../../shared/plans';
import type { AwaitedJobResult, JobKind } from '../../../shared/relay';
import { isUuid } from '../../../shared/validation';
import { generationToItems } from '../../helpers/output';
import { planOutputFields, type LeonardoContext } from '../../helpers/plan';
import { apiRequest, downloadToBinary } from '../../transport';

export type JobKindChoice = JobKind | 'auto';

export interface VariationRow {
	id: string;
	createdAt: string;
	status: string;
	transformType: string;
	url: string | null;
}

export type FetchedJob =
	| { kind: 'generation'; id: string; status: string; generation: Generation }
	| { kind: 'variation'; id: string; status: string; variation: VariationRow }
	| { kind: 'training'; id: string; status: string; element: UserLora }
	| { kind: JobKind; id: string; status: 'MISSING' };

/** Element (LoRA training) ids are integers; generation and variation ids are UUIDs. */
export function kindOfId(id: string, choice: JobKindChoice = 'auto'): JobKind | undefined {
	if (choice !== 'auto') return choice;
	if (/^\d+$/.test(id)) return 'training';
	if (isUuid(id)) return 'generation';
	return undefined;
}

export function checkJobId(ctx: { getNode: IExecuteFunctions['getNode'] }, id: string, kind: JobKind, itemIndex: number) {
	const ok = kind === 'training' ? /^\d+$/.test(id) : isUuid(id);
	if (!ok) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Job ID "${id}" is not a Leonardo ${kind === 'training' ? 'element ID (an integer)' : 'job ID (a UUID)'}`,
			{ itemIndex },
		);
	}
}

/**
 * Reads a job's current state. `auto` for a UUID tries generations first, then variations
 * (post-processing); an integer is an element training.
 */
export async function fetchJob(
	this: LeonardoContext,
	id: string,
	choice: JobKindChoice,
	itemIndex?: number,
	maxRetries?: number,
): Promise<FetchedJob> {
	const kind = kindOfId(id, choice) ?? 'generation';
	const opts = { itemIndex, maxRetries };
	if (kind === 'training') {
		const r = (await apiRequest.call(this, 'GET', `/elements/${id}`, opts)) as GetElementResponse;
		const element = r.user_loras_by_pk;
		return element ? { kind, id, status: element.status, element } : { kind, id, status: 'MISSING' };
	}
	if (kind === 'generation') {
		const r = (await apiRequest.call(this, 'GET', `/generations/${id}`, opts)) as GetGenerationResponse;
		const generation = r.generations_by_pk;
		if (generation) return { kind, id, status: generation.status, generation };
		if (choice === 'generation') return { kind, id, status: 'MISSING' };
	}
	const r = (await apiRequest.call(this, 'GET', `/variations/${id}`, opts)) as GetVariationResponse;
	const variation = r.generated_image_variation_generic?.[0];
	return variation
		? { kind: 'variation', id, status: variation.status, variation }
		: { kind: choice === 'auto' ? 'generation' : kind, id, status: 'MISSING' };
}

const idField: Record<JobKind, string> = { generation: 'generationId', variation: 'variationId', training: 'elementId' };

/** The JSON of a job that did not finish well. It never looks like a success: `error` is always set. */
export function failedJobJson(job: { id: string; kind: JobKind; status: string; reason?: string }): IDataObject {
	const what = job.kind === 'training' ? 'element training' : job.kind;
	const message =
		job.status === 'FAILED'
			? `Leonardo ${what} ${job.id} failed`
			: job.status === 'MISSING'
				? `Leonardo has no ${what} ${job.id} (deleted, or another account's)`
				: job.status === 'TIMEOUT'
					? `Leonardo ${what} ${job.id} did not finish before the deadline`
					: `Leonardo ${what} ${job.id} is ${job.status}`;
	return {
		error: message,
		description:
			job.reason ??
			(job.status === 'FAILED'
				? 'Leonardo reported status FAILED. Failed generations are refunded by Leonardo.'
				: 'The job may still finish on Leonardo: fetch it later with Job → Get and its ID.'),
		status: job.status,
		jobKind: job.kind,
		jobId: job.id,
		[idField[job.kind]]: job.id,
	};
}

export interface JobItemOptions {
	itemIndex: number;
	plan: PlanProfile;
	download: boolean;
	binaryPropertyName: string;
	extra?: IDataObject;
}

/** Output items of a fetched job: like the poll mode (one item per image/video with binary) or an error item. */
export async function jobToItems(
	this: IExecuteFunctions,
	job: FetchedJob,
	options: JobItemOptions,
	reported?: { status: string; reason?: string },
): Promise<INodeExecutionData[]> {
	const pairedItem = { item: options.itemIndex };
	const status = job.status === 'COMPLETE' || job.status === 'COMPLETED' ? 'COMPLETE' : job.status;
	if (status !== 'COMPLETE' || !('kind' in job) || job.status === 'MISSING') {
		// The relay may know more (deadline reached, FAILED callback) than a PENDING read says.
		const finalStatus = status === 'PENDING' && reported && reported.status !== 'COMPLETE' ? reported.status : status;
		return [
			{
				json: { ...failedJobJson({ id: job.id, kind: job.kind, status: finalStatus, reason: reported?.reason }), ...options.extra },
				pairedItem,
			},
		];
	}
	if (job.kind === 'generation' && 'generation' in job) {
		return await generationToItems.call(this, job.generation, {
			itemIndex: options.itemIndex,
			plan: options.plan,
			download: options.download,
			binaryPropertyName: options.binaryPropertyName,
			urlOf: (image) => image.motionMP4URL ?? image.url,
			stream: job.generation.generated_images?.some((image) => !!image.motionMP4URL),
			extra: options.extra,
		});
	}
	if (job.kind === 'variation' && 'variation' in job) {
		const v = job.variation;
		const item: INodeExecutionData = {
			json: {
				variationId: v.id,
				status: 'COMPLETE',
				transformType: v.transformType,
				url: v.url,
				createdAt: v.createdAt,
				...planOutputFields(options.plan),
				...options.extra,
			},
			pairedItem,
		};
		if (options.download && v.url) {
			item.binary = {
				[options.binaryPropertyName]: await downloadToBinary.call(this, v.url, {
					fileName: `${v.id}.${v.url.split('?')[0].split('.').pop() ?? 'png'}`,
					itemIndex: options.itemIndex,
				}),
			};
		}
		return [item];
	}
	if (job.kind === 'training' && 'element' in job) {
		return [
			{
				json: { elementId: job.element.id, ...(job.element as unknown as IDataObject), ...planOutputFields(options.plan), ...options.extra },
				pairedItem,
			},
		];
	}
	return [{ json: { ...failedJobJson({ id: job.id, kind: job.kind, status: String(job.status) }), ...options.extra }, pairedItem }];
}

/** Items for jobs reported by the relay (resume or early completion): fetch each from the API. */
export async function awaitedResultItems(
	this: IExecuteFunctions,
	jobs: AwaitedJobResult[],
	plan: PlanProfile,
): Promise<INodeExecutionData[]> {
	const ordered = [...jobs].sort((a, b) => a.itemIndex - b.itemIndex);
	const out: INodeExecutionData[] = [];
	for (const job of ordered) {
		const meta = job.meta ?? {};
		const { download, binaryPropertyName, ...extra } = meta;
		const options: JobItemOptions = {
			itemIndex: job.itemIndex,
			plan,
			download: download !== false,
			binaryPropertyName: typeof binaryPropertyName === 'string' && binaryPropertyName ? binaryPropertyName : 'data',
			extra: extra as IDataObject,
		};
		if (job.status === 'MISSING' || job.status === 'TIMEOUT' || job.status === 'FAILED') {
			// Read the real state once more: a job reported late may have finished after all.
			let fetched: FetchedJob | undefined;
			try {
				fetched = await fetchJob.call(this, job.id, job.kind, job.itemIndex, 1);
			} catch {
				fetched = undefined;
			}
			if (fetched && (fetched.status === 'COMPLETE' || fetched.status === 'COMPLETED')) {
				out.push(...(await jobToItems.call(this, fetched, options)));
			} else {
				out.push({
					json: { ...failedJobJson({ ...job, status: fetched?.status === 'FAILED' ? 'FAILED' : job.status }), ...extra },
					pairedItem: { item: job.itemIndex },
				});
			}
			continue;
		}
		try {
			const fetched = await fetchJob.call(this, job.id, job.kind, job.itemIndex);
			out.push(...(await jobToItems.call(this, fetched, options, job)));
		} catch (error) {
			// Reported finished, but its result could not be read or downloaded (after the transport's retries).
			// This runs in the resume webhook: throwing there would not keep the execution waiting (n8n goes on
			// with an empty item), so the job becomes an error item that carries its ID.
			out.push({ json: { ...unreadableJobJson(job, error), ...extra }, pairedItem: { item: job.itemIndex } });
		}
	}
	return out;
}

function unreadableJobJson(job: AwaitedJobResult, error: unknown): IDataObject {
	const what = job.kind === 'training' ? 'element training' : job.kind;
	const message = (error as Error)?.message ?? String(error);
	return {
		error: `The result of Leonardo ${what} ${job.id} could not be read: ${message}`,
		description: `Leonardo reported it ${job.status}. Fetch it later with Job → Get and its ID.`,
		status: 'UNREADABLE',
		reportedStatus: job.status,
		jobKind: job.kind,
		jobId: job.id,
		[idField[job.kind]]: job.id,
	};
}
