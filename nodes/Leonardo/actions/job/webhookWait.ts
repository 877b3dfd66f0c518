/**
 * "Wait for Result: Webhook" (Generate / Motion / Edit / Job → Await): the execution parks in n8n's waiting
 * state and the Leonardo Trigger (the relay for the API key's one callback URL) resumes it.
 *
 * 1. Operations run per item as with "Don't Wait" and return the pending job item (generationId...). The
 *    router then calls `finishWebhookWait`: it collects the job ids of every item whose waitMode is
 *    'webhook' (or that an operation queued explicitly with `queueAwaitedJob`).
 * 2. ONE signed `register` {jobIds, resumeUrl ($execution.resumeUrl, unchanged: v2 keeps ?signature=),
 *    deadline, executionId} goes to the relay URL of the Leonardo Webhook credential.
 * 3. If the relay already saw every job finish (early callbacks), the results are output at once. Otherwise
 *    `putExecutionToWait(deadline + grace)`.
 * 4. The relay resumes the execution when ALL jobs are terminal (or at the deadline), with a signed message;
 *    `awaitWebhook` (the node's restart webhook) checks the signature and the execution id (v1 resume URLs
 *    are guessable), fetches each job from the API and outputs it like the poll mode: one item per
 *    image/video with binary, pairedItem to the input item. Failed / timed-out jobs become items with an
 *    `error` field (never success-looking). A forged request gets 401 and resumes nothing.
 * If no relay resumes the execution at all, n8n's own wait timeout (deadline + grace) continues it with the
 * node's INPUT items unchanged: they carry no `status: "COMPLETE"` and no binary (see the node description).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PlanProfile } from '../../../shared/plans';
import {
	RELAY_WAIT_GRACE_MS,
	signMessage,
	verifyMessage,
	type AwaitedJobRef,
	type CarriedItem,
	type JobKind,
	type RegisterAnswer,
} from '../../../shared/relay';
import { getPlan, type LeonardoContext } from '../../helpers/plan';
import { bodyText, postRelay } from '../../transport/relay';
import { awaitedResultItems } from './jobs';

export const WEBHOOK_CREDENTIAL_TYPE = 'leonardoWebhookApi';
export const WEBHOOK_TIMEOUT_DEFAULT_MIN = 60;
export const WEBHOOK_TIMEOUT_MAX_MIN = 7 * 24 * 60;

/** The restart webhook of the Leonardo node (module constant: see n8n-runtime.md §4 lint note). */
export const AWAIT_WEBHOOKS: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path: '',
		restartWebhook: true,
	},
];

interface PendingWait {
	jobs: AwaitedJobRef[];
	timeoutMs: number;
	/** Error items (continueOnFail) to hand back on resume: the resume replaces the node's whole output. */
	carried?: CarriedItem[];
}

/** The primitive fields of an error item (what the router's continueOnFail puts there), size-capped. */
function carriedItem(itemIndex: number, json: IDataObject): CarriedItem {
	const out: CarriedItem['json'] = {};
	for (const [key, value] of Object.entries(json)) {
		if (value === null || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
		else if (typeof value === 'string') out[key] = value.slice(0, 2000);
	}
	return { itemIndex, json: out };
}

/** Job result items plus the carried error items, in input item order (stable). */
export function withCarried(items: INodeExecutionData[], carried: CarriedItem[] | undefined): INodeExecutionData[] {
	if (!carried?.length) return items;
	const all = [
		...items,
		...carried.map((c) => ({ json: { ...c.json } as IDataObject, pairedItem: { item: c.itemIndex } })),
	];
	const indexOf = (item: INodeExecutionData) =>
		(Array.isArray(item.pairedItem) ? item.pairedItem[0]?.item : typeof item.pairedItem === 'object' ? item.pairedItem.item : item.pairedItem) ?? 0;
	return all.map((item, order) => ({ item, order })).sort((a, b) => indexOf(a.item) - indexOf(b.item) || a.order - b.order).map((x) => x.item);
}

const pending = new WeakMap<object, PendingWait>();

/** For operations that create several jobs or non-generation jobs: queue one explicitly. */
export function queueAwaitedJob(ctx: IExecuteFunctions, job: AwaitedJobRef, timeoutMs: number): void {
	const wait = pending.get(ctx) ?? { jobs: [], timeoutMs: 0 };
	if (!wait.jobs.some((j) => j.id === job.id)) wait.jobs.push(job);
	wait.timeoutMs = Math.max(wait.timeoutMs, timeoutMs);
	pending.set(ctx, wait);
}

export function readWebhookTimeoutMs(ctx: IExecuteFunctions, i: number): number {
	const minutes = ctx.getNodeParameter('webhookTimeoutMinutes', i, WEBHOOK_TIMEOUT_DEFAULT_MIN) as number;
	if (!(minutes > 0) || minutes > WEBHOOK_TIMEOUT_MAX_MIN) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Deadline (Minutes) must be between 1 and ${WEBHOOK_TIMEOUT_MAX_MIN}`,
			{ itemIndex: i },
		);
	}
	return Math.round(minutes * 60_000);
}

function waitModeOf(ctx: IExecuteFunctions, i: number): string {
	try {
		return ctx.getNodeParameter('waitMode', i, 'none') as string;
	} catch {
		return 'none';
	}
}

interface WebhookCredentials {
	callbackApiKey: string;
	relayUrl: string;
}

async function webhookCredentials(ctx: IExecuteFunctions | IWebhookFunctions): Promise<WebhookCredentials> {
	const raw = await ctx.getCredentials(WEBHOOK_CREDENTIAL_TYPE);
	return { callbackApiKey: String(raw.callbackApiKey ?? ''), relayUrl: String(raw.relayUrl ?? '').trim() };
}

/**
 * Before any job is created: when an item waits by webhook, the Leonardo Webhook credential must be set
 * with a key and a relay URL.
 */
export async function preflightWebhookWait(this: IExecuteFunctions): Promise<void> {
	const items = this.getInputData();
	const index = items.findIndex((_, i) => waitModeOf(this, i) === 'webhook');
	if (index < 0) return;
	let creds: WebhookCredentials;
	try {
		creds = await webhookCredentials(this);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), 'Wait for Result "Webhook" needs a Leonardo Webhook API credential', {
			itemIndex: index,
			description: `Select one in the node (Credential for Leonardo Webhook API). ${(error as Error).message}. No request was sent.`,
		});
	}
	if (!creds.callbackApiKey || !/^https?:\/\//i.test(creds.relayUrl)) {
		throw new NodeOperationError(
			this.getNode(),
			'Wait for Result "Webhook": the Leonardo Webhook API credential needs the Webhook Callback API Key and the Relay URL',
			{
				itemIndex: index,
				description:
					'Relay URL = the Production URL of your active Leonardo Trigger workflow. No request was sent.',
			},
		);
	}
	if (index >= 0) readWebhookTimeoutMs(this, index);
}

const ID_FIELDS: Array<[string, JobKind]> = [
	['generationId', 'generation'],
	['variationId', 'variation'],
	['elementId', 'training'],
	['userLoraId', 'training'],
];

function primitiveMeta(json: IDataObject): AwaitedJobRef['meta'] {
	const meta: NonNullable<AwaitedJobRef['meta']> = {};
	for (const key of ['apiVersion', 'modelId', 'model', 'apiCreditCost', 'plan', 'commercialUse'] as const) {
		const v = json[key];
		if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) meta[key] = v as string;
	}
	return meta;
}

/**
 * Called by the router with every item's output. Items whose waitMode is 'webhook' have their job queued;
 * if anything is queued, registers with the relay and parks the execution (or returns early results).
 */
export async function finishWebhookWait(
	this: IExecuteFunctions,
	results: INodeExecutionData[][],
	plan: PlanProfile,
): Promise<INodeExecutionData[]> {
	const flat = results.flat().filter(Boolean);
	const carried: CarriedItem[] = [];
	results.forEach((itemResults, i) => {
		if (!itemResults) return;
		for (const item of itemResults) if (item.json.error !== undefined) carried.push(carriedItem(i, item.json));
		if (waitModeOf(this, i) !== 'webhook') return;
		const timeoutMs = readWebhookTimeoutMs(this, i);
		const download = this.getNodeParameter('download', i, true) as boolean;
		const binaryPropertyName = download ? ((this.getNodeParameter('binaryPropertyOutput', i, 'data') as string) || 'data') : 'data';
		for (const item of itemResults) {
			if (item.json.error !== undefined) continue; // a continueOnFail error item
			for (const [field, kind] of ID_FIELDS) {
				const id = item.json[field];
				if (typeof id === 'string' || typeof id === 'number') {
					queueAwaitedJob(this, { id: String(id), kind, itemIndex: i, meta: { ...primitiveMeta(item.json), download, binaryPropertyName } }, timeoutMs);
					break;
				}
			}
		}
	});
	const wait = pending.get(this);
	pending.delete(this);
	if (!wait?.jobs.length) return flat;
	if (carried.length) wait.carried = carried;
	return await registerAndPark.call(this, wait, flat, plan);
}

async function registerAndPark(
	this: IExecuteFunctions,
	wait: PendingWait,
	pendingItems: INodeExecutionData[],
	plan: PlanProfile,
): Promise<INodeExecutionData[]> {
	const ids = wait.jobs.map((j) => j.id);
	const creds = await webhookCredentials(this);
	const resumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string;
	const deadline = Date.now() + wait.timeoutMs;
	const message = signMessage(creds.callbackApiKey, {
		action: 'register',
		ts: Date.now(),
		executionId: this.getExecutionId(),
		resumeUrl,
		deadline,
		jobs: wait.jobs,
		...(wait.carried ? { carried: wait.carried } : {}),
		node: this.getNode().name,
	});
	const fail = (reason: string) => {
		const error = new NodeOperationError(this.getNode(), `Could not register the Leonardo jobs with the Leonardo Trigger: ${reason}`, {
			description: `The jobs keep running on Leonardo; their IDs: ${ids.join(', ')}. Fetch them with Job → Get, or check that the Leonardo Trigger workflow is active and its Production URL is the Relay URL of the Leonardo Webhook credential.`,
		});
		error.context.jobIds = ids;
		error.context.generationId = ids.join(', ');
		return error;
	};
	let response: { statusCode: number; body: unknown };
	try {
		response = await postRelay.call(this, creds.relayUrl, message, 30_000);
	} catch (error) {
		throw fail((error as Error).message);
	}
	if (response.statusCode < 200 || response.statusCode >= 300) {
		throw fail(`the relay answered HTTP ${response.statusCode} ${bodyText(response.body)}`);
	}
	const answer = response.body as RegisterAnswer;
	if (!answer?.registered) throw fail(`unexpected answer ${bodyText(answer)}`);
	if (answer.state === 'complete' && answer.jobs?.length) {
		return withCarried(await awaitedResultItems.call(this, answer.jobs, plan), answer.carried);
	}
	await this.putExecutionToWait(new Date(deadline + RELAY_WAIT_GRACE_MS));
	return pendingItems.map((item) => ({ ...item, json: { ...item.json, waitingForWebhook: true, deadline: new Date(deadline).toISOString() } }));
}

/** The restart webhook: the relay's signed resume message continues the execution with the job results. */
export async function awaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const deny = (reason: string): IWebhookResponseData => {
		const res = this.getResponseObject();
		res.status(401).json({ error: 'unauthorized', reason });
		return { noWebhookResponse: true };
	};
	let creds: WebhookCredentials;
	try {
		creds = await webhookCredentials(this);
	} catch {
		return deny('no Leonardo Webhook API credential');
	}
	const verified = verifyMessage(creds.callbackApiKey, this.getBodyData());
	if (!verified.ok) return deny(verified.reason);
	const message = verified.message;
	if (message.action !== 'resume' || String(message.executionId) !== String(this.getExecutionId())) {
		return deny('message is not a resume for this execution');
	}
	// Bound to the waiting node too: a captured resume of one wait cannot be replayed into a later wait of
	// another Leonardo node of the same execution.
	if (message.node !== undefined && message.node !== this.getNode().name) {
		return deny('message is a resume for another node of this execution');
	}
	const ctx = this as unknown as IExecuteFunctions;
	let items: INodeExecutionData[];
	try {
		const plan = await getPlan.call(ctx as LeonardoContext);
		items = withCarried(await awaitedResultItems.call(ctx, message.jobs, plan), message.carried);
	} catch (error) {
		// Never throw here: n8n would go on with an empty item and drop the run data. Answer 503 instead; the
		// execution stays waiting and the relay retries (or n8n's own timeout continues it).
		const res = this.getResponseObject();
		res.status(503).json({ error: 'not resumed', reason: (error as Error)?.message ?? 'unknown error' });
		return { noWebhookResponse: true };
	}
	return { webhookResponse: { resumed: true, items: items.length }, workflowData: [items] };
}
