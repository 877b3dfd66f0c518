/**
 * A tiny stand-in for n8n's HTTP front (for harness tests): production webhook of the Leonardo Trigger
 * (`POST /webhook/relay/callback`, static data loaded fresh per request and saved like n8n 1.x or 2.x does,
 * see n8n-relay.md §1-2) and the waiting-webhook route (`POST /webhook-waiting/:id`, 409 while running or
 * finished, 404 unknown, like WaitingWebhooks). Executions themselves run in n8n-core's real WorkflowExecute
 * through test/helpers/harness.ts, webhook() calls get n8n-core's real WebhookContext.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { ICredentialDataDecryptedObject, IConnections, IDataObject } from 'n8n-workflow';

import {
	callTriggerWebhook,
	resumeWorkflow,
	runWorkflow,
	type HarnessNode,
	type HarnessResult,
	type RunWorkflowOptions,
	type StaticDataStore,
	type TriggerWebhookResult,
} from '../helpers/harness';

let nextExecution = 1000;

export interface MiniN8nOptions {
	relayNodes: HarnessNode[];
	relayConnections?: IConnections;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	flavor?: 'v1' | 'v2';
}

export class MiniN8n {
	url = '';
	store: StaticDataStore = { data: {}, saves: 0 };
	/** Runs started by the trigger (its own workflow runs). */
	triggerRuns: TriggerWebhookResult[] = [];
	/** Every answer of the relay webhook. */
	relayAnswers: Array<{ code: number; body: unknown }> = [];
	resumeAnswers: Array<{ id: string; code: number; body: unknown }> = [];
	waiting = new Map<string, HarnessResult>();
	running = new Set<string>();
	finished = new Map<string, HarnessResult>();
	/** Extra delay before a run is recorded as waiting (widens the "callback before parked" window). */
	parkDelayMs = 0;
	private server?: http.Server;
	private finishedWaiters: Array<() => void> = [];

	constructor(private options: MiniN8nOptions) {}

	get relayUrl() {
		return `${this.url}/webhook/relay/callback`;
	}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
		return this;
	}

	async stop() {
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	private send(res: http.ServerResponse, code: number, body: unknown) {
		res.writeHead(code, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body ?? {}));
	}

	/** Calls the relay directly (as n8n would for one HTTP request). */
	async relay(body: IDataObject, headers: Record<string, string> = {}): Promise<TriggerWebhookResult> {
		const answer = await callTriggerWebhook({
			nodes: this.options.relayNodes,
			connections: this.options.relayConnections,
			credentials: this.options.credentials,
			body,
			headers,
			store: this.store,
			flavor: this.options.flavor ?? 'v1',
			workflowId: 'relay-workflow',
		});
		this.relayAnswers.push({ code: answer.code, body: answer.body });
		if (answer.run) this.triggerRuns.push(answer);
		return answer;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		let body: IDataObject = {};
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as IDataObject;
		} catch {
			body = {};
		}
		const headers = Object.fromEntries(
			Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : String(v ?? '')]),
		);
		try {
			if (req.url === '/webhook/relay/callback') {
				const answer = await this.relay(body, headers);
				return this.send(res, answer.code, answer.body);
			}
			const m = /^\/webhook-waiting\/([^/?]+)/.exec(req.url ?? '');
			if (m) return await this.resume(m[1], body, headers, res);
			this.send(res, 404, { message: 'not found' });
		} catch (error) {
			this.send(res, 500, { message: (error as Error).message });
		}
	}

	private async resume(id: string, body: IDataObject, headers: Record<string, string>, res: http.ServerResponse) {
		const answer = (code: number, b: unknown) => {
			this.resumeAnswers.push({ id, code, body: b });
			this.send(res, code, b);
		};
		if (this.running.has(id)) return answer(409, { message: `The execution "${id}" is running already.` });
		if (this.finished.has(id)) return answer(409, { message: `The execution "${id} has finished already.` });
		const waiting = this.waiting.get(id);
		if (!waiting) return answer(404, { message: `The execution "${id}" does not exist.` });
		this.waiting.delete(id);
		this.running.add(id);
		try {
			const resumed = await resumeWorkflow(waiting, { body, headers, realContext: true });
			if (!resumed.resumed) {
				this.waiting.set(id, waiting);
				const r = resumed.webhookResponse as { code?: number; body?: unknown };
				return answer(r?.code ?? 200, r?.body ?? r);
			}
			this.record(id, resumed.result!);
			return answer(200, resumed.webhookResponse);
		} catch (error) {
			this.waiting.set(id, waiting);
			return answer(500, { message: (error as Error).message });
		} finally {
			this.running.delete(id);
		}
	}

	private record(id: string, result: HarnessResult) {
		if (result.status === 'waiting') this.waiting.set(id, result);
		else {
			this.finished.set(id, result);
			for (const w of this.finishedWaiters.splice(0)) w();
		}
	}

	/** Runs a workflow like n8n: "running" until it ends; a waiting run can then be resumed over HTTP. */
	async run(options: RunWorkflowOptions): Promise<{ id: string; result: HarnessResult }> {
		const id = String(nextExecution++);
		this.running.add(id);
		try {
			const result = await runWorkflow({
				...options,
				executionId: id,
				mode: options.mode ?? 'trigger',
				webhookWaitingBaseUrl: `${this.url}/webhook-waiting`,
			});
			if (this.parkDelayMs) await new Promise((r) => setTimeout(r, this.parkDelayMs));
			this.running.delete(id);
			this.record(id, result);
			return { id, result };
		} finally {
			this.running.delete(id);
		}
	}

	async waitFinished(id: string, timeoutMs = 15_000): Promise<HarnessResult> {
		const deadline = Date.now() + timeoutMs;
		while (!this.finished.has(id)) {
			if (Date.now() > deadline) throw new Error(`execution ${id} did not finish (waiting: ${this.waiting.has(id)})`);
			await new Promise<void>((resolve) => {
				this.finishedWaiters.push(resolve);
				setTimeout(resolve, 100);
			});
		}
		return this.finished.get(id)!;
	}
}
