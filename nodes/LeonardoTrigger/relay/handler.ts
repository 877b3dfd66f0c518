/**
 * The Leonardo Trigger's webhook(): Leonardo callbacks (bearer-checked) and relay messages (HMAC-signed:
 * register from Await nodes, reconcile from the trigger's own per-minute tick).
 *
 * Static-data rule (n8n-relay.md): the registry is read fresh on every call, merged into the in-process
 * cache and written back in full as the LAST step. Calls that start a run (a callback matching the event
 * filter) write too: persisted on n8n 1.x, silently dropped on 2.x — the merge cache still has it and the
 * next call that starts nothing persists it. Everything that changes the registry without starting a run
 * (registrations, reconcile, callbacks that only resume) is persisted before the HTTP answer.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { fetchJob } from '../../Leonardo/actions/job/jobs';
import type { LeonardoContext } from '../../Leonardo/helpers/plan';
import { downloadToBinary } from '../../Leonardo/transport';
import { bodyText, postRelay } from '../../Leonardo/transport/relay';
import {
	bearerMatches,
	isEnvelope,
	signMessage,
	verifyMessage,
	type RegisterAnswer,
	type RegisterMessage,
} from '../../shared/relay';
import { echoedSecrets, outputFiles, parseCallback, redact, type CallbackInfo } from './callback';
import {
	STATIC_DATA_KEY,
	addRegistration,
	isComplete,
	isTerminal,
	loadState,
	markDone,
	pruneState,
	recordResult,
	regId,
	results,
	snapshot,
	type Registration,
	type RelayState,
} from './registry';

export const WEBHOOK_CREDENTIAL_TYPE = 'leonardoWebhookApi';

/** First API check of a registered job that got no callback, and the longest interval between checks. */
export const RECONCILE_FIRST_CHECK_MS = 30_000;
export const RECONCILE_MAX_INTERVAL_MS = 5 * 60_000;
/** At most this many API reads per reconcile call (the plan's request budget). */
export const RECONCILE_MAX_READS = 20;

/** Registrations (waits) being resumed by this process right now (no double resume from concurrent calls). */
const resuming = new Set<string>();

type ResumeOutcome = 'done' | 'retry';

function deny(ctx: IWebhookFunctions, code: number, reason: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(code).json({ error: code === 401 ? 'unauthorized' : 'bad request', reason });
	return { noWebhookResponse: true };
}

async function resumeExecution(ctx: IWebhookFunctions, secret: string, reg: Registration): Promise<ResumeOutcome> {
	const message = signMessage(secret, {
		action: 'resume',
		ts: Date.now(),
		executionId: reg.executionId,
		jobs: results(reg),
		...(reg.carried?.length ? { carried: reg.carried } : {}),
		...(reg.node ? { node: reg.node } : {}),
	});
	for (let attempt = 0; ; attempt++) {
		let statusCode: number;
		let text: string;
		try {
			const response = await postRelay.call(ctx, reg.resumeUrl, message);
			statusCode = response.statusCode;
			text = bodyText(response.body);
		} catch (error) {
			reg.lastError = (error as Error).message;
			return 'retry';
		}
		if (statusCode >= 200 && statusCode < 300) return 'done';
		if (statusCode === 409 && /running/i.test(text) && attempt < 4) {
			// The callback beat the execution to its waiting state: it is parked within milliseconds.
			await sleep(250 * (attempt + 1));
			continue;
		}
		// 409 finished (duplicate) / finished with error, 404 unknown execution, 401/403 refused: nothing to resume.
		if (statusCode === 409 || statusCode === 404 || statusCode === 401 || statusCode === 403) {
			if (statusCode !== 409 || !/running/i.test(text)) return 'done';
		}
		reg.lastError = `HTTP ${statusCode} ${text}`.slice(0, 300);
		return 'retry';
	}
}

/** Resumes every registration whose jobs are all terminal. */
async function deliverReady(ctx: IWebhookFunctions, state: RelayState, secret: string, now: number): Promise<string[]> {
	const resumed: string[] = [];
	for (const reg of Object.values(state.regs)) {
		const rid = regId(reg);
		if (!isComplete(reg) || resuming.has(rid)) continue;
		resuming.add(rid);
		try {
			const outcome = await resumeExecution(ctx, secret, reg);
			if (outcome === 'done') {
				markDone(state, reg, Date.now());
				resumed.push(reg.executionId);
			} else {
				reg.attempts = (reg.attempts ?? 0) + 1;
			}
		} finally {
			resuming.delete(rid);
		}
	}
	pruneState(state, now);
	return resumed;
}

/**
 * The durable fallback: for registered jobs with no callback yet, read the real state from the API (first
 * after RECONCILE_FIRST_CHECK_MS, then with a growing interval; element trainings the same way), and at the
 * deadline mark unfinished jobs TIMEOUT so the execution goes on with a clear error item.
 */
async function reconcile(ctx: IWebhookFunctions, state: RelayState, now: number): Promise<number> {
	let reads = 0;
	for (const reg of Object.values(state.regs)) {
		const overdue = now >= reg.deadline;
		for (const id of reg.order) {
			const job = reg.jobs[id];
			if (!job || isTerminal(job.status)) continue;
			if (!overdue && (job.nextCheck ?? 0) > now) continue;
			if (reads >= RECONCILE_MAX_READS && !overdue) continue;
			reads++;
			job.checks = (job.checks ?? 0) + 1;
			const interval = Math.min(RECONCILE_MAX_INTERVAL_MS, RECONCILE_FIRST_CHECK_MS * 2 ** Math.min(job.checks, 8));
			job.nextCheck = now + (job.kind === 'training' ? Math.max(60_000, interval) : interval);
			try {
				const fetched = await fetchJob.call(ctx as unknown as LeonardoContext, id, job.kind, undefined, 1);
				const status = fetched.status === 'COMPLETED' ? 'COMPLETE' : fetched.status;
				if (status === 'COMPLETE' || status === 'FAILED' || status === 'MISSING') {
					job.status = status;
					job.reason = `state read from the Leonardo API (no callback received)`;
					continue;
				}
			} catch (error) {
				job.reason = `API check failed: ${(error as Error).message}`.slice(0, 300);
			}
			if (overdue) {
				job.status = 'TIMEOUT';
				job.reason = `Still not finished at the deadline (${new Date(reg.deadline).toISOString()}); the job may still finish on Leonardo.`;
			}
		}
	}
	return reads;
}

async function configuredApiKey(ctx: IWebhookFunctions): Promise<string | undefined> {
	try {
		const creds = await ctx.getCredentials('leonardoApi');
		return typeof creds.apiKey === 'string' && creds.apiKey.length >= 8 ? creds.apiKey : undefined;
	} catch {
		return undefined; // no Leonardo API credential set: nothing more to redact
	}
}

async function callbackItems(ctx: IWebhookFunctions, info: CallbackInfo, redacted: IDataObject, awaited: boolean): Promise<INodeExecutionData[]> {
	const download = ctx.getNodeParameter('download', true) as boolean;
	const property = ((ctx.getNodeParameter('binaryPropertyName', 'data') as string) || 'data').trim();
	const base: IDataObject = {
		event: info.event,
		type: redacted.type as string,
		jobId: info.jobId,
		[info.kind === 'variation' ? 'variationId' : 'generationId']: info.jobId,
		status: info.status,
		awaitedByExecution: awaited,
		timestamp: redacted.timestamp as number,
	};
	const object = ((redacted.data as IDataObject | undefined)?.object ?? {}) as IDataObject;
	const files = info.status === 'COMPLETE' ? outputFiles(info) : [];
	if (!download || !files.length) {
		const json: IDataObject = { ...base, data: object };
		if (info.status === 'FAILED') json.error = `Leonardo ${info.kind} ${info.jobId} failed`;
		return [{ json }];
	}
	const exec = ctx as unknown as IExecuteFunctions;
	const items: INodeExecutionData[] = [];
	for (const file of files) {
		const ext = file.video ? 'mp4' : (file.url.split('?')[0].split('.').pop() ?? 'png').slice(0, 4);
		const binary = await downloadToBinary.call(exec, file.url, {
			fileName: `${info.jobId}-${file.index}.${ext}`,
			stream: file.video,
		});
		items.push({
			json: { ...base, index: file.index, imageId: file.imageId ?? null, url: file.url, data: object },
			binary: { [property]: binary },
		});
	}
	return items;
}

function validRegister(m: RegisterMessage): string | undefined {
	if (typeof m.executionId !== 'string' && typeof m.executionId !== 'number') return 'executionId missing';
	if (typeof m.resumeUrl !== 'string' || !/^https?:\/\//i.test(m.resumeUrl)) return 'resumeUrl must be an http(s) URL';
	if (typeof m.deadline !== 'number') return 'deadline missing';
	if (!Array.isArray(m.jobs) || !m.jobs.length) return 'jobs missing';
	for (const j of m.jobs) if (!j || typeof j.id !== 'string' || !j.kind) return 'bad job entry';
	return undefined;
}

export async function relayWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const now = Date.now();
	let secret = '';
	try {
		const creds = await this.getCredentials(WEBHOOK_CREDENTIAL_TYPE);
		secret = String(creds.callbackApiKey ?? '');
	} catch {
		secret = '';
	}
	const body = this.getBodyData();
	const headers = this.getHeaderData();
	const staticData = this.getWorkflowStaticData('node');
	const cacheKey = `${this.getWorkflow().id ?? ''}:${this.getNode().name}`;

	// ---- relay messages (signed): register / reconcile ---------------------------------------------
	if (isEnvelope(body)) {
		const verified = verifyMessage(secret, body, now);
		if (!verified.ok) return deny(this, 401, verified.reason);
		const message = verified.message;
		const state = loadState(cacheKey, staticData[STATIC_DATA_KEY]);
		let answer: IDataObject;
		if (message.action === 'register') {
			const problem = validRegister(message);
			if (problem) return deny(this, 400, problem);
			const firstCheck = now + (this.getNodeParameter('options.reconcileAfterSeconds', RECONCILE_FIRST_CHECK_MS / 1000) as number) * 1000;
			const reg = addRegistration(
				state,
				{
					executionId: String(message.executionId),
					resumeUrl: message.resumeUrl,
					deadline: message.deadline,
					createdAt: now,
					jobs: message.jobs,
					carried: Array.isArray(message.carried) ? message.carried : undefined,
					node: typeof message.node === 'string' ? message.node : undefined,
				},
				firstCheck,
			);
			if (isComplete(reg)) {
				// Every job already finished (callbacks came first): the Await node outputs them without waiting.
				const registerAnswer: RegisterAnswer = { registered: true, state: 'complete', jobs: results(reg), carried: reg.carried };
				markDone(state, reg, now);
				answer = registerAnswer as unknown as IDataObject;
			} else {
				answer = { registered: true, state: 'waiting' } satisfies RegisterAnswer;
			}
		} else if (message.action === 'reconcile') {
			const reads = await reconcile(this, state, now);
			answer = { reconciled: true, apiReads: reads };
		} else {
			return deny(this, 400, `unexpected action ${(message as { action?: string }).action}`);
		}
		const resumed = await deliverReady(this, state, secret, now);
		answer.resumed = resumed;
		answer.waiting = Object.keys(state.regs).length;
		staticData[STATIC_DATA_KEY] = snapshot(state) as unknown as IDataObject;
		return { webhookResponse: answer };
	}

	// ---- Leonardo callback ---------------------------------------------------------------------
	if (!bearerMatches(headers.authorization, secret)) return deny(this, 401, 'bad or missing bearer token');
	const info = parseCallback(body);
	if (!info) return { webhookResponse: { received: true, ignored: 'not a Leonardo job callback' } };

	const state = loadState(cacheKey, staticData[STATIC_DATA_KEY]);
	const reg = recordResult(state, info.jobId, info.status, now);
	const awaited = !!reg;
	const resumed = await deliverReady(this, state, secret, now);
	// The LAST step, after every await (downloads included): a snapshot taken earlier would be saved after
	// them and overwrite registrations other calls saved meanwhile.
	const persist = () => {
		staticData[STATIC_DATA_KEY] = snapshot(state) as unknown as IDataObject;
	};

	const events = this.getNodeParameter('events', []) as string[];
	const startFor = this.getNodeParameter('startRunsFor', 'notAwaited') as string;
	const start = events.includes(info.event) && (startFor === 'all' || (startFor === 'notAwaited' && !awaited));
	const webhookResponse = { received: true, resumed };
	if (!start) {
		persist();
		return { webhookResponse };
	}
	// Also the configured Leonardo API key itself, whatever shape the echo takes.
	const apiKey = await configuredApiKey(this);
	const redacted = redact(body, [secret, ...echoedSecrets(body), ...(apiKey ? [apiKey] : [])]);
	let items: INodeExecutionData[];
	try {
		items = await callbackItems(this, info, redacted, awaited);
	} finally {
		persist();
	}
	if (this.getMode() === 'manual') manualStash.set(cacheKey, [items]);
	return { webhookResponse, workflowData: [items] };
}

/**
 * Editor test runs ("Listen for test event") run a hybrid webhook + trigger() node in manual mode, where
 * n8n-core runs trigger() and waits for its emit instead of passing the webhook data through. The test
 * webhook stashes its items here and trigger() emits them (same process, one test run at a time).
 */
const manualStash = new Map<string, INodeExecutionData[][]>();

export function takeManualItems(workflowId: string | undefined, nodeName: string): INodeExecutionData[][] | undefined {
	const key = `${workflowId ?? ''}:${nodeName}`;
	const data = manualStash.get(key);
	manualStash.delete(key);
	return data;
}
