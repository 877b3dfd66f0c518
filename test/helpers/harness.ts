/**
 * Runs workflows through n8n-core's REAL `WorkflowExecute` (the engine n8n uses), under jest.
 *
 * n8n's own NodeTestHarness is not published, so this is the small re-implementation described in
 * shared/reference/n8n-runtime.md §5: real parameter and expression resolution, real credential
 * `authenticate` blocks applied by a credentials helper, real `httpRequestWithAuthentication` over the
 * network (to the emulator), real binary data handling (BinaryDataService in memory mode), pairedItem
 * handling, continueOnFail, putExecutionToWait and resume.
 *
 * API:
 *   const result = await runWorkflow({
 *     nodes: [...INode-like],              // `type` is e.g. 'n8n-nodes-leonardo.leonardo'
 *     connections: {...},                  // n8n connections; omit for a single node
 *     credentials: { leonardoApi: { apiKey, plan, baseUrl } },   // data per credential TYPE
 *     startNode: 'Leonardo',               // defaults to the first node
 *     input: [{ json: {...}, binary?: {...} }],  // items fed to the start node (default [{json:{}}])
 *   });
 *   result.status            // 'success' | 'error' | 'waiting' | ...
 *   result.output('Leonardo') // INodeExecutionData[] of output 0 of the node's last run
 *   result.error             // the execution error, if any
 *   result.run               // the raw IRun
 *   await binaryBuffer(item, 'data')   // the bytes of a binary property
 *   await resumeWorkflow(result, { webhookName: 'default', body, headers, query })  // resume a waiting run
 *   makeBinaryItem(buffer, { fileName, mimeType })  // an input item carrying a binary property `data`
 *   configureBinaryData({ mode: 'filesystem', localStoragePath })  // before the first run: n8n's
 *                                  // filesystem binary mode instead of memory mode (benches)
 * Call `await shutdownHarness()` in afterAll (stops n8n-core's SSH cleanup timer so jest can exit).
 */
import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';
import {
	BinaryDataConfig,
	BinaryDataService,
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	WorkflowExecute,
	InstanceSettings,
	WebhookContext,
} from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type IConnections,
	type IDataObject,
	type IExecuteData,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IRun,
	type IRunExecutionData,
	type IVersionedNodeType,
	type IWebhookFunctions,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
	NodeHelpers,
} from 'n8n-workflow';

// n8n-core's own copy of @n8n/di (another version may be hoisted for other dev tools).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(
	require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }),
) as typeof import('@n8n/di');

// ------------------------------------------------------------------------------------------------
// Node and credential types known to the harness
// ------------------------------------------------------------------------------------------------

type NodeTypeFactory = () => INodeType | IVersionedNodeType;
type CredentialTypeFactory = () => ICredentialType;

const nodeTypeFactories = new Map<string, NodeTypeFactory>();
const credentialTypeFactories = new Map<string, CredentialTypeFactory>();

/** Registers a node type under its workflow type name (e.g. 'n8n-nodes-leonardo.leonardo'). */
export function registerNodeType(typeName: string, factory: NodeTypeFactory): void {
	nodeTypeFactories.set(typeName, factory);
}

export function registerCredentialType(factory: CredentialTypeFactory): void {
	const type = factory();
	credentialTypeFactories.set(type.name, factory);
}

/* eslint-disable @typescript-eslint/no-require-imports */
function tryRegister(fn: () => void): void {
	try {
		fn();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== 'MODULE_NOT_FOUND') throw error;
	}
}
// The package's own nodes and credentials (loaded lazily so a missing one does not break the others).
tryRegister(() => {
	const { Leonardo } = require('../../nodes/Leonardo/Leonardo.node');
	registerNodeType('n8n-nodes-leonardo.leonardo', () => new Leonardo());
});
tryRegister(() => {
	const { LeonardoTrigger } = require('../../nodes/LeonardoTrigger/LeonardoTrigger.node');
	registerNodeType('n8n-nodes-leonardo.leonardoTrigger', () => new LeonardoTrigger());
});
tryRegister(() => {
	const { LeonardoApi } = require('../../credentials/LeonardoApi.credentials');
	registerCredentialType(() => new LeonardoApi());
});
tryRegister(() => {
	const { LeonardoWebhookApi } = require('../../credentials/LeonardoWebhookApi.credentials');
	registerCredentialType(() => new LeonardoWebhookApi());
});
/* eslint-enable @typescript-eslint/no-require-imports */

// Minimal stand-ins for n8n-nodes-base nodes that tests chain with ours (n8n-nodes-base itself is not a
// dev dependency). They behave like the real ones for what the tests use.
registerNodeType('n8n-nodes-base.manualTrigger', () => ({
	description: {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: { name: 'Manual Trigger' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		return [[{ json: {} }]];
	},
}));
registerNodeType('n8n-nodes-base.noOp', () => ({
	description: {
		displayName: 'No Operation',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: '',
		defaults: { name: 'No Operation' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	},
	async execute(this) {
		return [this.getInputData()];
	},
}));

// "Read/Write Files from Disk": read (a glob like /dir/*.png → one binary item per file, sorted) and write
// (the item's binary to the resolved file name), as the examples use it.
registerNodeType('n8n-nodes-base.readWriteFile', () => ({
	description: {
		displayName: 'Read/Write Files from Disk',
		name: 'readWriteFile',
		group: ['input'],
		version: 1,
		description: '',
		defaults: { name: 'Read/Write Files from Disk' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				default: 'read',
				options: [
					{ name: 'Read', value: 'read' },
					{ name: 'Write', value: 'write' },
				],
			},
			{ displayName: 'File(s) Selector', name: 'fileSelector', type: 'string', default: '' },
			{ displayName: 'File Path and Name', name: 'fileName', type: 'string', default: '' },
			{ displayName: 'Input Binary Field', name: 'dataPropertyName', type: 'string', default: 'data' },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	},
	async execute(this: IExecuteFunctions) {
		const out: INodeExecutionData[] = [];
		if (this.getNodeParameter('operation', 0) === 'read') {
			const selector = this.getNodeParameter('fileSelector', 0) as string;
			const dir = path.dirname(selector);
			const pattern = new RegExp(
				`^${path.basename(selector).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
			);
			for (const name of fs.readdirSync(dir).filter((n) => pattern.test(n)).sort()) {
				const data = await this.helpers.prepareBinaryData(fs.readFileSync(path.join(dir, name)), name);
				out.push({ json: { fileName: name }, binary: { data }, pairedItem: { item: 0 } });
			}
			return [out];
		}
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			const fileName = this.getNodeParameter('fileName', i) as string;
			const property = this.getNodeParameter('dataPropertyName', i) as string;
			fs.writeFileSync(fileName, await this.helpers.getBinaryDataBuffer(i, property));
			out.push({ json: { ...items[i].json, fileName }, binary: items[i].binary, pairedItem: { item: i } });
		}
		return [out];
	},
}));

class TestNodeTypes implements INodeTypes {
	private cache = new Map<string, INodeType | IVersionedNodeType>();

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		let instance = this.cache.get(nodeType);
		if (!instance) {
			const factory = nodeTypeFactories.get(nodeType);
			if (!factory) throw new Error(`harness: unknown node type ${nodeType}`);
			instance = factory();
			this.cache.set(nodeType, instance);
		}
		return instance;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

// ------------------------------------------------------------------------------------------------
// Credentials helper that applies the credential type's `authenticate` (generic or function)
// ------------------------------------------------------------------------------------------------

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const factory = credentialTypeFactories.get(typeName);
		const options = requestOptions as IHttpRequestOptions;
		if (!factory) return options;
		const authenticate = factory().authenticate;
		if (!authenticate) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		const resolve = (value: string) =>
			workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				value,
			) as string;
		const props = authenticate.properties;
		for (const target of ['headers', 'qs', 'body'] as const) {
			const entries = props[target];
			if (!entries) continue;
			const current = ((options as unknown as Record<string, IDataObject | undefined>)[target] ??
				{}) as IDataObject;
			for (const [key, value] of Object.entries(entries)) {
				current[key] = typeof value === 'string' ? resolve(value) : value;
			}
			(options as unknown as Record<string, IDataObject>)[target] = current;
		}
		if (props.auth) {
			options.auth = {
				username: resolve(props.auth.username),
				password: resolve(props.auth.password),
			};
		}
		return options;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(_details: INodeCredentialsDetails, _type: string): Promise<ICredentials> {
		throw new Error('harness: getCredentials is not supported');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const found = this.data[type];
		if (!found) throw new Error(`harness: no test credentials of type ${type}`);
		// Defaults from the credential type, like n8n applies them.
		const factory = credentialTypeFactories.get(type);
		const withDefaults: ICredentialDataDecryptedObject = {};
		for (const prop of factory?.().properties ?? []) {
			if (prop.default !== undefined) withDefaults[prop.name] = prop.default as never;
		}
		return { ...withDefaults, ...found };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypeFactories.get(type)?.().properties ?? [];
	}
}

// ------------------------------------------------------------------------------------------------
// Binary data (memory mode, like n8n's default; filesystem mode on request, see configureBinaryData)
// ------------------------------------------------------------------------------------------------

export interface HarnessBinaryDataOptions {
	/**
	 * 'default' (n8n's memory mode: binaries kept base64 in the item, what tests use) or 'filesystem'
	 * (N8N_DEFAULT_BINARY_DATA_MODE=filesystem: binaries written under `localStoragePath`, items keep an id).
	 */
	mode: 'default' | 'filesystem';
	/** Filesystem mode only: where binaries are stored (default: <N8N_USER_FOLDER>/.n8n/binaryData). */
	localStoragePath?: string;
}

let binaryOptions: HarnessBinaryDataOptions = { mode: 'default' };
let binaryReady: Promise<void> | undefined;

/**
 * Chooses n8n's binary data mode for this process (used by benches). Must be called before the first
 * run / binary helper call; without it the harness uses memory mode ('default'), unchanged for tests.
 */
export function configureBinaryData(options: HarnessBinaryDataOptions): void {
	if (binaryReady) {
		throw new Error('harness: configureBinaryData() must be called before the first run');
	}
	binaryOptions = { ...options };
}

/** The BinaryDataService the harness runs with (to read back metadata / paths of stored binaries). */
export async function getBinaryDataService(): Promise<BinaryDataService> {
	await ensureBinaryDataService();
	return Container.get(BinaryDataService);
}

function ensureBinaryDataService(): Promise<void> {
	binaryReady ??= (async () => {
		const settings = Container.get(InstanceSettings);
		const config = new BinaryDataConfig(settings);
		config.mode = binaryOptions.mode;
		config.availableModes = [binaryOptions.mode];
		if (binaryOptions.localStoragePath) config.localStoragePath = binaryOptions.localStoragePath;
		Container.set(BinaryDataConfig, config);
		await Container.get(BinaryDataService).init();
	})();
	return binaryReady;
}

// ------------------------------------------------------------------------------------------------
// Running
// ------------------------------------------------------------------------------------------------

export type HarnessNode = Partial<INode> & { name: string; type: string; parameters?: INode['parameters'] };

export interface RunWorkflowOptions {
	nodes: HarnessNode[];
	connections?: IConnections;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	startNode?: string;
	input?: INodeExecutionData[];
	mode?: WorkflowExecuteMode;
	executionId?: string;
	staticData?: IDataObject;
	/** Base URL used for $execution.resumeUrl (n8n: <WEBHOOK_URL>/webhook-waiting). */
	webhookWaitingBaseUrl?: string;
	webhookBaseUrl?: string;
}

export interface HarnessResult {
	status: IRun['status'];
	run: IRun;
	error: IRun['data']['resultData']['error'];
	waitTill?: Date | null;
	output(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** Everything needed to resume a waiting run. */
	readonly context: RunContext;
}

interface RunContext {
	workflow: Workflow;
	workflowData: IWorkflowBase;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	executionId: string;
	mode: WorkflowExecuteMode;
	webhookWaitingBaseUrl: string;
	webhookBaseUrl: string;
}

let executionCounter = 0;
const nodeTypes = new TestNodeTypes();

function buildAdditionalData(
	ctx: RunContext,
	hooks: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(ctx.credentials),
		executeWorkflow: async () => {
			throw new Error('harness: executeWorkflow is not supported');
		},
		getRunExecutionData: async () => undefined,
		executionId: ctx.executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: ctx.webhookBaseUrl,
		webhookWaitingBaseUrl: ctx.webhookWaitingBaseUrl,
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('harness: task runners are not supported');
		},
		hooks,
		// n8n-core 2.x reads this; an auto-mock would be truthy and break decryption.
		encryptedRunnerIdentity: undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
	return additionalData;
}

function toWorkflowNodes(
	nodes: HarnessNode[],
	credentialTypes: string[],
): INode[] {
	const defaultCredentials: INode['credentials'] = {};
	for (const type of new Set([...credentialTypes, 'leonardoApi', 'leonardoWebhookApi'])) {
		defaultCredentials[type] = { id: `cred-${type}`, name: `${type} (test)` };
	}
	return nodes.map((node, index) => ({
		id: node.id ?? `node-${index}`,
		typeVersion: node.typeVersion ?? 1,
		position: node.position ?? [index * 200, 0],
		parameters: node.parameters ?? {},
		credentials: node.credentials ?? defaultCredentials,
		...node,
	})) as INode[];
}

async function execute(
	ctx: RunContext,
	runExecutionData: IRunExecutionData,
): Promise<HarnessResult> {
	await ensureBinaryDataService();
	const hooks = new ExecutionLifecycleHooks(ctx.mode, ctx.executionId, ctx.workflowData);
	let resolveDone!: (run: IRun) => void;
	const done = new Promise<IRun>((resolve) => (resolveDone = resolve));
	hooks.addHandler('workflowExecuteAfter', (fullRunData: IRun) => resolveDone(fullRunData));
	const additionalData = buildAdditionalData(ctx, hooks);
	const workflowExecute = new WorkflowExecute(additionalData, ctx.mode, runExecutionData);
	const returned = await workflowExecute.processRunExecutionData(ctx.workflow);
	const run = returned ?? (await done);
	return makeResult(ctx, run);
}

function makeResult(ctx: RunContext, run: IRun): HarnessResult {
	return {
		status: run.status,
		run,
		error: run.data.resultData.error,
		waitTill: run.waitTill,
		context: ctx,
		output(nodeName: string, outputIndex = 0, runIndex?: number) {
			const runs = run.data.resultData.runData[nodeName];
			if (!runs?.length) return [];
			const taskData = runs[runIndex ?? runs.length - 1];
			return taskData?.data?.main?.[outputIndex] ?? [];
		},
	};
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<HarnessResult> {
	const nodes = toWorkflowNodes(options.nodes, Object.keys(options.credentials ?? {}));
	const connections = options.connections ?? {};
	const executionId = options.executionId ?? String(++executionCounter);
	const workflowData: IWorkflowBase = {
		id: 'harness-workflow',
		name: 'harness',
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		staticData: options.staticData,
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes,
		connections,
		active: false,
		nodeTypes,
		staticData: options.staticData,
		settings: { executionOrder: 'v1' },
	});
	const startName = options.startNode ?? nodes[0].name;
	const startNode = workflow.getNode(startName);
	if (!startNode) throw new Error(`harness: no node named ${startName}`);
	const ctx: RunContext = {
		workflow,
		workflowData,
		credentials: options.credentials ?? {},
		executionId,
		mode: options.mode ?? 'manual',
		webhookWaitingBaseUrl: options.webhookWaitingBaseUrl ?? 'http://127.0.0.1:5678/webhook-waiting',
		webhookBaseUrl: options.webhookBaseUrl ?? 'http://127.0.0.1:5678/webhook',
	};
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: startNode, data: { main: [options.input ?? [{ json: {} }]] }, source: null },
			],
		},
	});
	return await execute(ctx, runExecutionData);
}

export interface ResumeOptions {
	webhookName?: string;
	body?: IDataObject;
	headers?: Record<string, string>;
	query?: IDataObject;
	/** The URL suffix after /webhook-waiting/<id> (n8n matches it against the webhook path). */
	path?: string;
	/**
	 * Use n8n-core's real WebhookContext (real request/binary helpers, credentials, static data) instead
	 * of the minimal stand-in. Added for the await/trigger tests.
	 */
	realContext?: boolean;
}

/**
 * Does what n8n's `/webhook-waiting/:id` handler does for a waiting run: finds the waiting node's restart
 * webhook, calls its `webhook()` with a request context, and — when it returns `workflowData` — disables
 * the waiting node, pops its run and continues the execution with that data as the node's output.
 * Returns the webhook's response plus the continued run (or `resumed: false` when nothing was resumed).
 */
export async function resumeWorkflow(
	previous: HarnessResult,
	options: ResumeOptions = {},
): Promise<{ resumed: boolean; webhookResponse: unknown; result: HarnessResult | undefined }> {
	const ctx = previous.context;
	const runData = previous.run.data;
	const lastNodeName = runData.resultData.lastNodeExecuted;
	if (previous.status !== 'waiting' || !lastNodeName) {
		throw new Error(`harness: run is not waiting (status ${previous.status})`);
	}
	const node = ctx.workflow.getNode(lastNodeName)!;
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.webhook) throw new Error(`harness: ${node.type} has no webhook()`);
	const body = options.body ?? {};
	const headers = options.headers ?? {};
	const query = options.query ?? {};
	let responseCode = 200;
	const res = {
		status(code: number) {
			responseCode = code;
			return res;
		},
		json() {
			return res;
		},
		send() {
			return res;
		},
		end() {
			return res;
		},
		setHeader() {
			return res;
		},
	};
	const credentialsHelper = new TestCredentialsHelper(ctx.credentials);
	const webhookContext = {
		getNode: () => node,
		getNodeParameter: (name: string, fallback?: unknown) => {
			const value = ctx.workflow.expression.getSimpleParameterValue(
				node,
				node.parameters[name] as string,
				ctx.mode,
				{},
				undefined,
				fallback as string,
			);
			return value ?? fallback;
		},
		getBodyData: () => body,
		getHeaderData: () => headers,
		getQueryData: () => query,
		getParamsData: () => ({}),
		getRequestObject: () => ({ body, headers, query, method: 'POST' }),
		getResponseObject: () => res,
		getWebhookName: () => options.webhookName ?? 'default',
		getCredentials: async (type: string) =>
			await credentialsHelper.getDecrypted(
				{} as IWorkflowExecuteAdditionalData,
				{ id: null, name: '' },
				type,
			),
		getWorkflowStaticData: (type: string) => ctx.workflow.getStaticData(type, node),
		getMode: () => ctx.mode,
		getExecutionId: () => ctx.executionId,
		getInputData: () => [],
		getNodeWebhookUrl: () => `${ctx.webhookBaseUrl}/${node.webhookId ?? node.id}`,
		getWorkflow: () => ({ id: ctx.workflow.id, name: ctx.workflow.name, active: false }),
		getChildNodes: () => [],
		getParentNodes: () => [],
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		helpers: {
			returnJsonArray: (data: IDataObject | IDataObject[]) =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
		evaluateExpression: (expression: string) =>
			ctx.workflow.expression.getSimpleParameterValue(node, expression, ctx.mode, {}),
	} as unknown as IWebhookFunctions;
	let realResponse: RealWebhookResponse | undefined;
	let contextToUse = webhookContext;
	if (options.realContext) {
		const real = await makeRealWebhookContext(ctx, node, {
			body,
			headers,
			query,
			webhookName: options.webhookName ?? 'default',
			runExecutionData: runData,
		});
		contextToUse = real.context;
		realResponse = real.response;
	}
	const webhookResult = await nodeType.webhook.call(contextToUse);
	const webhookResponse =
		webhookResult.webhookResponse ??
		(realResponse ? { code: realResponse.code, body: realResponse.body } : { code: responseCode });
	if (!webhookResult.workflowData) {
		return { resumed: false, webhookResponse, result: undefined };
	}
	// What WaitingWebhooks + WebhookHelpers do: continue the waiting execution with the webhook output.
	const resumeData: IRunExecutionData = JSON.parse(JSON.stringify(runData));
	// Keep binary data references intact (JSON copy above keeps ids for memory-mode binaries too).
	const stack = resumeData.executionData!.nodeExecutionStack;
	const lastNodeRuns = resumeData.resultData.runData[lastNodeName];
	lastNodeRuns?.pop();
	if (!lastNodeRuns?.length) delete resumeData.resultData.runData[lastNodeName];
	resumeData.waitTill = undefined;
	const waitingNode = { ...node, disabled: true };
	stack[0] = {
		...(stack[0] as IExecuteData),
		node: waitingNode,
		data: { main: webhookResult.workflowData },
	};
	ctx.workflow.nodes[lastNodeName] = waitingNode;
	const result = await execute(ctx, resumeData);
	ctx.workflow.nodes[lastNodeName] = node;
	return { resumed: true, webhookResponse, result };
}

// ------------------------------------------------------------------------------------------------
// Binary helpers
// ------------------------------------------------------------------------------------------------

export async function binaryBuffer(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`harness: item has no binary property ${property}`);
	await ensureBinaryDataService();
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** An input item with a binary property, stored like n8n stores binaries (base64 in memory mode). */
export function makeBinaryItem(
	buffer: Buffer,
	options: { fileName?: string; mimeType?: string; property?: string; json?: IDataObject } = {},
): INodeExecutionData {
	const property = options.property ?? 'data';
	const fileName = options.fileName ?? 'image.png';
	return {
		json: options.json ?? { fileName },
		binary: {
			[property]: {
				data: buffer.toString('base64'),
				mimeType: options.mimeType ?? 'image/png',
				fileName,
				fileExtension: fileName.split('.').pop(),
				fileSize: `${buffer.length} B`,
			},
		},
	};
}

export async function shutdownHarness(): Promise<void> {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager') as {
			SSHClientsManager: new () => { onShutdown(): void };
		};
		Container.get(SSHClientsManager).onShutdown();
	} catch {
		// not present in this n8n-core version
	}
}

// ------------------------------------------------------------------------------------------------
// loadOptions / listSearch (what the editor calls), through n8n-core's real LoadOptionsContext
// ------------------------------------------------------------------------------------------------

export interface LoadOptionsCall {
	node: HarnessNode;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Method name under description `methods.loadOptions` or `methods.listSearch`. */
	method: string;
	kind?: 'loadOptions' | 'listSearch';
	/** listSearch filter text. */
	filter?: string;
}

/** Calls a node's loadOptions or listSearch method with real credentials handling and real HTTP. */
export async function callLoadOptions(options: LoadOptionsCall): Promise<unknown> {
	const [node] = toWorkflowNodes([options.node], Object.keys(options.credentials));
	const workflowData = {
		id: 'harness-load-options',
		name: 'harness',
		nodes: [node],
		connections: {},
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const ctx: RunContext = {
		workflow,
		workflowData,
		credentials: options.credentials,
		executionId: String(++executionCounter),
		mode: 'internal',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
	};
	const additionalData = buildAdditionalData(
		ctx,
		new ExecutionLifecycleHooks('internal', ctx.executionId, workflowData),
	);
	additionalData.currentNodeParameters = node.parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters');
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const kind = options.kind ?? 'loadOptions';
	const methods = nodeType.methods?.[kind] as
		| Record<string, (this: LoadOptionsContext, filter?: string) => Promise<unknown>>
		| undefined;
	const fn = methods?.[options.method];
	if (!fn) throw new Error(`harness: ${node.type} has no ${kind} method ${options.method}`);
	return await fn.call(context, options.filter);
}

// ------------------------------------------------------------------------------------------------
// Real webhook contexts (added for the Leonardo Trigger / await tests)
// ------------------------------------------------------------------------------------------------

export interface RealWebhookResponse {
	code: number;
	body: unknown;
}

async function makeRealWebhookContext(
	ctx: RunContext,
	node: INode,
	request: {
		body: IDataObject;
		headers: Record<string, string>;
		query: IDataObject;
		webhookName: string;
		runExecutionData?: IRunExecutionData;
	},
): Promise<{ context: IWebhookFunctions; response: RealWebhookResponse }> {
	await ensureBinaryDataService();
	const hooks = new ExecutionLifecycleHooks(ctx.mode, ctx.executionId, ctx.workflowData);
	const additionalData = buildAdditionalData(ctx, hooks) as IWorkflowExecuteAdditionalData & {
		httpRequest?: unknown;
		httpResponse?: unknown;
	};
	const response: RealWebhookResponse = { code: 200, body: undefined };
	const res = {
		status(code: number) {
			response.code = code;
			return res;
		},
		json(body: unknown) {
			response.body = body;
			return res;
		},
		send(body: unknown) {
			response.body = body;
			return res;
		},
		end() {
			return res;
		},
		setHeader() {
			return res;
		},
	};
	additionalData.httpRequest = {
		body: request.body,
		headers: request.headers,
		query: request.query,
		params: {},
		method: 'POST',
	};
	additionalData.httpResponse = res;
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const description = (nodeType.description.webhooks ?? []).find((w) => w.name === request.webhookName);
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: description?.path ?? '',
		webhookDescription: description ?? { name: request.webhookName, httpMethod: 'POST', path: '' },
		workflowId: ctx.workflow.id,
		workflowExecuteAdditionalData: additionalData,
	};
	const context = new WebhookContext(
		ctx.workflow,
		node,
		additionalData,
		ctx.mode,
		webhookData as never,
		[],
		request.runExecutionData ?? null,
	) as unknown as IWebhookFunctions;
	return { context, response };
}

/** n8n's per-workflow static data as stored in the DB (one JSON value, loaded fresh per webhook request). */
export interface StaticDataStore {
	data: IDataObject;
	/** How many times a webhook call's static-data change was saved. */
	saves: number;
}

export interface TriggerWebhookOptions {
	nodes: HarnessNode[];
	connections?: IConnections;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The trigger node (default: the first node). */
	triggerNode?: string;
	body: IDataObject;
	headers?: Record<string, string>;
	store: StaticDataStore;
	/**
	 * Static-data persistence as measured in shared/reference/n8n-relay.md: 'v1' saves a webhook's change
	 * also when it starts an execution; 'v2' drops it in that case.
	 */
	flavor?: 'v1' | 'v2';
	workflowId?: string;
	webhookBaseUrl?: string;
	webhookWaitingBaseUrl?: string;
}

export interface TriggerWebhookResult {
	/** HTTP status n8n would answer with. */
	code: number;
	/** The JSON body n8n would answer with (webhookResponse, or what the node sent itself). */
	body: unknown;
	/** The run started from the trigger's workflowData, if any (runs to completion). */
	run?: HarnessResult;
	workflowData?: INodeExecutionData[][];
}

/**
 * Does what n8n's LiveWebhooks does for a production trigger webhook: loads the workflow's static data
 * fresh, calls the trigger's webhook() with a real WebhookContext, saves static data if it changed (per
 * `flavor`), answers, and — when webhook() returns workflowData — runs the workflow from the trigger with it.
 */
export async function callTriggerWebhook(options: TriggerWebhookOptions): Promise<TriggerWebhookResult> {
	const nodes = toWorkflowNodes(options.nodes, Object.keys(options.credentials ?? {}));
	const connections = options.connections ?? {};
	const workflowId = options.workflowId ?? 'harness-trigger-workflow';
	const staticData = JSON.parse(JSON.stringify(options.store.data ?? {})) as IDataObject;
	const workflowData = {
		id: workflowId,
		name: 'harness trigger',
		active: true,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		staticData,
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowId,
		name: workflowData.name,
		nodes,
		connections,
		active: true,
		nodeTypes,
		staticData,
		settings: { executionOrder: 'v1' },
	});
	const triggerName = options.triggerNode ?? nodes[0].name;
	const node = workflow.getNode(triggerName);
	if (!node) throw new Error(`harness: no node named ${triggerName}`);
	const ctx: RunContext = {
		workflow,
		workflowData,
		credentials: options.credentials ?? {},
		executionId: String(++executionCounter),
		mode: 'webhook',
		webhookWaitingBaseUrl: options.webhookWaitingBaseUrl ?? 'http://127.0.0.1:5678/webhook-waiting',
		webhookBaseUrl: options.webhookBaseUrl ?? 'http://127.0.0.1:5678/webhook',
	};
	const { context, response } = await makeRealWebhookContext(ctx, node, {
		body: options.body,
		headers: options.headers ?? {},
		query: {},
		webhookName: 'default',
	});
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.webhook) throw new Error(`harness: ${node.type} has no webhook()`);
	const result = await nodeType.webhook.call(context);
	const changed = (workflow.staticData as IDataObject & { __dataChanged?: boolean }).__dataChanged === true;
	const flavor = options.flavor ?? 'v1';
	if (changed && (flavor === 'v1' || !result.workflowData)) {
		options.store.data = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		options.store.saves++;
	}
	const answer: TriggerWebhookResult = result.noWebhookResponse
		? { code: response.code, body: response.body }
		: { code: 200, body: result.webhookResponse };
	if (result.workflowData) {
		answer.workflowData = result.workflowData;
		const runExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node, data: { main: result.workflowData }, source: null }],
			},
		});
		answer.run = await execute(ctx, runExecutionData);
	}
	return answer;
}
