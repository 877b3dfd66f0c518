import * as http from 'http';
import type { AddressInfo } from 'net';
import type { IExecuteFunctions, INodeType, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	binaryBuffer,
	makeBinaryItem,
	registerCredentialType,
	registerNodeType,
	resumeWorkflow,
	runWorkflow,
	shutdownHarness,
} from '../helpers/harness';

// A tiny node and credential exercising what the harness must support: authenticate blocks, real HTTP,
// binary data, continueOnFail errors and putExecutionToWait + resume.
registerCredentialType(() => ({
	name: 'harnessTestApi',
	displayName: 'Harness Test API',
	properties: [{ displayName: 'Key', name: 'key', type: 'string', default: '' }],
	authenticate: { type: 'generic', properties: { headers: { 'x-key': '={{$credentials.key}}' } } },
}));

const echoNode: INodeType = {
	description: {
		displayName: 'Echo',
		name: 'echo',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Echo' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'harnessTestApi', required: true }],
		properties: [{ displayName: 'URL', name: 'url', type: 'string', default: '' }],
	},
	async execute(this: IExecuteFunctions) {
		const items = this.getInputData();
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const url = this.getNodeParameter('url', i) as string;
			const body = await this.helpers.httpRequestWithAuthentication.call(this, 'harnessTestApi', {
				url,
				json: true,
			});
			const binary = await this.helpers.prepareBinaryData(Buffer.from('bytes'), 'f.txt', 'text/plain');
			out.push({ json: body, binary: { data: binary }, pairedItem: { item: i } });
		}
		return [out];
	},
};
registerNodeType('test.echo', () => echoNode);

const waitNode: INodeType = {
	description: {
		displayName: 'Waiter',
		name: 'waiter',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Waiter' },
		inputs: ['main'],
		outputs: ['main'],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true },
		],
		properties: [{ displayName: 'Fail', name: 'fail', type: 'boolean', default: false }],
	},
	async execute(this: IExecuteFunctions) {
		if (this.getNodeParameter('fail', 0)) throw new NodeOperationError(this.getNode(), 'asked to fail');
		const resumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string;
		await this.putExecutionToWait(new Date(Date.now() + 60_000));
		return [[{ json: { resumeUrl }, pairedItem: { item: 0 } }]];
	},
	async webhook(this: IWebhookFunctions) {
		return { workflowData: [[{ json: { resumedWith: this.getBodyData() } }]] };
	},
};
registerNodeType('test.waiter', () => waitNode);

let server: http.Server;
let url: string;
const seenKeys: string[] = [];

beforeAll(async () => {
	server = http.createServer((req, res) => {
		seenKeys.push(String(req.headers['x-key']));
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify({ ok: true, path: req.url }));
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise((r) => server.close(r));
	await shutdownHarness();
});

test('runs a node through the real engine with credentials, HTTP and binary data', async () => {
	const result = await runWorkflow({
		nodes: [{ name: 'Echo', type: 'test.echo', parameters: { url: `={{ "${url}/x/" + $json.n }}` } }],
		credentials: { harnessTestApi: { key: 'k-123' } },
		input: [{ json: { n: 1 } }, { json: { n: 2 } }],
	});
	expect(result.error?.message).toBeUndefined();
	expect(result.status).toBe('success');
	const out = result.output('Echo');
	expect(out.map((i) => i.json.path)).toEqual(['/x/1', '/x/2']);
	expect(seenKeys).toEqual(['k-123', 'k-123']);
	expect((await binaryBuffer(out[1])).toString()).toBe('bytes');
	expect(out[1].pairedItem).toEqual({ item: 1 });
});

test('an error fails the run and carries the node error', async () => {
	const result = await runWorkflow({
		nodes: [{ name: 'Waiter', type: 'test.waiter', parameters: { fail: true } }],
	});
	expect(result.status).toBe('error');
	expect(result.error?.message).toBe('asked to fail');
});

test('continueOnFail in the engine passes the input through and records the error', async () => {
	// Why our router handles continueOnFail itself: the engine only forwards the input items.
	const result = await runWorkflow({
		nodes: [{ name: 'Waiter', type: 'test.waiter', parameters: { fail: true }, onError: 'continueRegularOutput' }],
		input: [{ json: { original: true } }],
	});
	expect(result.output('Waiter')[0].json).toEqual({ original: true });
	expect(result.run.data.resultData.runData.Waiter[0].error?.message).toBe('asked to fail');
});

test('waits, then resumes through the restart webhook into downstream nodes', async () => {
	const result = await runWorkflow({
		nodes: [
			{ name: 'Waiter', type: 'test.waiter' },
			{ name: 'After', type: 'n8n-nodes-base.noOp' },
		],
		connections: { Waiter: { main: [[{ node: 'After', type: 'main', index: 0 }]] } },
		executionId: '77',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
	});
	expect(result.status).toBe('waiting');
	expect(result.output('Waiter')[0].json.resumeUrl).toBe('http://127.0.0.1:5678/webhook-waiting/77');
	const resumed = await resumeWorkflow(result, { body: { jobId: 'j1' } });
	expect(resumed.resumed).toBe(true);
	expect(resumed.result?.status).toBe('success');
	expect(resumed.result?.output('After')[0].json).toEqual({ resumedWith: { jobId: 'j1' } });
});

test('makeBinaryItem builds input binaries the engine can read', async () => {
	const item = makeBinaryItem(Buffer.from([1, 2, 3]), { fileName: 'a.png' });
	expect((await binaryBuffer(item)).equals(Buffer.from([1, 2, 3]))).toBe(true);
});
