/**
 * The router: dispatch to `<resource>/<operation>.operation.ts`, run the items with bounded concurrency
 * (the plan's concurrent jobs) while keeping output order and pairedItem, and handle continueOnFail.
 * This is the ONLY place that applies continueOnFail; operations just throw NodeApiError/NodeOperationError.
 *
 * Adding an operation to an existing resource (e.g. image/upscale):
 *   1. actions/image/upscale.operation.ts exporting `description` (properties wrapped with
 *      updateDisplayOptions({ show: { resource: ['image'], operation: ['upscale'] } }, ...)) and
 *      `execute(this: IExecuteFunctions, i: number, { plan }: OperationContext): Promise<INodeExecutionData[]>`
 *      handling ONE item and returning items with `pairedItem: { item: i }`.
 *   2. actions/image/index.ts: add it to `operations` and to the operation options + `description` spread.
 * Adding a resource (e.g. lora, motion, job):
 *   3. actions/<resource>/index.ts exporting `operations` and `description` (like image/index.ts).
 *   4. Register it in RESOURCES below and add { name, value } to the Resource options in Leonardo.node.ts,
 *      and spread its `description` into the node's properties.
 * Building blocks: transport (apiRequest with jobCreating, uploadPresigned, uploadInitImage, downloadToBinary,
 * withJobSlot, getUserId, cachedForKey), helpers/polling (pollUntilDone, waitForGeneration), helpers/output
 * (generationToItems), helpers/binary (getInputImage), helpers/plan (assert* plan checks), actions/descriptions
 * (waitProperties / readWaitSettings / WAIT_MODE_OPTIONS, binaryOutputProperties, modelRLC).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { assertApiAccess, getPlan } from '../helpers/plan';
import * as account from './account';
import * as image from './image';
import * as job from './job';
import { finishWebhookWait, preflightWebhookWait } from './job/webhookWait';
import * as lora from './lora';
import * as motion from './motion';
import type { ResourceOperations } from './node.type';

export const RESOURCES: Record<string, { operations: ResourceOperations }> = {
	image,
	account,
	lora,
	job,
	motion,
};

function toNodeError(ctx: IExecuteFunctions, error: unknown, i: number) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = i;
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, {
		itemIndex: i,
		description: (error as { description?: string }).description,
	});
}

function errorJson(error: NodeApiError | NodeOperationError): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	for (const key of ['leonardoCode', 'generationId', 'jobId', 'jobMayExist', 'userLoraId', 'datasetId'] as const) {
		if (error.context[key] !== undefined) json[key === 'leonardoCode' ? 'code' : key] = error.context[key] as string;
	}
	return json;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = RESOURCES[resource]?.operations[operation];
	if (!op) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	const plan = await getPlan.call(this);
	// Wait for Result "Webhook": the webhook credential must be usable before any job is created.
	await preflightWebhookWait.call(this);
	if (op.batch) {
		// Batch operations (LoRA → Train) turn ALL input items into one job: one call, output paired with every
		// input item. They check the plan themselves first (training allowed, then API access: the clearest
		// message for Free/Apprentice); apiRequest asserts API access anyway.
		try {
			return [await finishWebhookWait.call(this, [await op.execute.call(this, 0, { plan })], plan)];
		} catch (error) {
			const nodeError = toNodeError(this, error, 0);
			if (!this.continueOnFail()) throw nodeError;
			return [[{ json: errorJson(nodeError), pairedItem: items.map((_, item) => ({ item })) }]];
		}
	}
	const results: INodeExecutionData[][] = new Array(items.length);
	type Failure = { index: number; error: NodeApiError | NodeOperationError };
	let failure = undefined as Failure | undefined;
	let next = 0;

	const worker = async () => {
		while (next < items.length && !failure) {
			const i = next++;
			try {
				assertApiAccess(this.getNode(), plan, i);
				results[i] = await op.execute.call(this, i, { plan });
			} catch (error) {
				const nodeError = toNodeError(this, error, i);
				if (this.continueOnFail()) {
					results[i] = [{ json: errorJson(nodeError), pairedItem: { item: i } }];
				} else {
					const previous = failure as Failure | undefined;
					if (!previous || i < previous.index) failure = { index: i, error: nodeError };
				}
			}
		}
	};

	// Items run concurrently up to the plan's concurrent jobs; transport pacing keeps requests in budget.
	const concurrency = Math.max(1, Math.min(items.length, plan.concurrentJobs || 1));
	await Promise.all(Array.from({ length: concurrency }, async () => await worker()));

	const failed = failure as Failure | undefined;
	if (failed) {
		// Items that finished while the failing one ran: their job ids must not get lost (generations,
		// motion jobs, and the variations of Upscale / Remove Background / Unzoom).
		const done = results
			.flat()
			.map((item) => item?.json?.generationId ?? item?.json?.variationId)
			.filter((id): id is string => typeof id === 'string');
		if (done.length) {
			const note = `Other items finished before the error; their job IDs: ${[...new Set(done)].join(', ')}.`;
			failed.error.description = failed.error.description ? `${failed.error.description} ${note}` : note;
		}
		throw failed.error;
	}
	// Items waiting by webhook: ONE registration with the relay, then the execution parks (or early results).
	return [await finishWebhookWait.call(this, results, plan)];
}
