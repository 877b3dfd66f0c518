/**
 * Starts a real n8n (`n8n start`) on a free loopback port with a fresh user folder, and runs n8n CLI commands
 * (import:credentials, import:workflow, execute) against the same user folder / SQLite DB.
 *
 *   const n8n = await startN8n({ flavor: 'v1', packages: [tarball] });
 *   await n8n.importCredentials([{ id, name, type: 'leonardoApi', data: {...} }]);
 *   await n8n.importWorkflow(workflowJson);
 *   const result = await n8n.execute(workflowJson.id);   // `n8n execute --id --rawOutput`, parsed IRun
 *   await n8n.stop();
 *
 * The env follows shared/reference/n8n-runtime.md: v1 runs with N8N_EXPRESSION_ENGINE=legacy and
 * N8N_RUNNERS_ENABLED=false; v2 runs on Node 24 with its own task-broker port (and every CLI call gets another);
 * TMPDIR is inside the user folder; WEBHOOK_URL points at the instance.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ensureN8n, REPO_ROOT, type N8nFlavor, type N8nInstall } from './ensure';
import { installCommunityPackage } from './install-package';
import { parseExecuteOutput, type ExecuteResult } from './run-output';
import { N8nRest } from './rest';

export const ENCRYPTION_KEY = 'n8n-nodes-leonardo-e2e-encryption-key';

/** n8n processes started by this process: killed when it exits, even on a crash, so none is left behind. */
const liveChildren = new Set<ChildProcess>();
process.on('exit', () => {
	for (const c of liveChildren) c.kill('SIGKILL');
});

function elideLongLines(text: string): string {
	return text
		.split('\n')
		.map((l) => (l.length > 2000 ? `${l.slice(0, 200)}... <${l.length} characters elided>` : l))
		.join('\n');
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

export interface StartOptions {
	flavor: N8nFlavor;
	/** user folder (N8N_USER_FOLDER); default: a fresh folder under <repo>/.tmp/ */
	userFolder?: string;
	port?: number;
	/** packed tarballs (.tgz) to install as community packages before starting */
	packages?: string[];
	/** extra env for the server and the CLI */
	env?: Record<string, string>;
	/** folders the Read/Write Files node may use (N8N_RESTRICT_FILE_ACCESS_TO) */
	fileAccessDirs?: string[];
	/** print n8n's output lines (default: only on failure) */
	verbose?: boolean;
	/** create the owner, log in and create an API key (default true) */
	setupOwner?: boolean;
	/** ms to wait for "Editor is now accessible" (default 120 s) */
	startTimeoutMs?: number;
	log?: (line: string) => void;
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

export const OWNER = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Passw0rd!234' };

export class N8nInstance {
	readonly url: string;
	readonly rest: N8nRest;
	apiKey?: string;
	private child?: ChildProcess;
	private exited?: Promise<void>;
	private logStream?: fs.WriteStream;

	constructor(
		readonly install: N8nInstall,
		readonly userFolder: string,
		readonly port: number,
		readonly env: Record<string, string>,
		private readonly log: (line: string) => void,
	) {
		this.url = `http://127.0.0.1:${port}`;
		this.rest = new N8nRest(this.url);
	}

	get flavor(): N8nFlavor {
		return this.install.flavor;
	}
	get version(): string {
		return this.install.version;
	}
	get logFile(): string {
		return path.join(this.userFolder, 'n8n.log');
	}

	/** The env for n8n processes of this instance; `brokerPort` distinct per process for v2. */
	processEnv(brokerPort?: number): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = { ...process.env, ...this.env };
		if (brokerPort) env.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
		return env;
	}

	async startServer(timeoutMs = 120000, verbose = false): Promise<void> {
		const started = Date.now();
		this.logStream = fs.createWriteStream(this.logFile, { flags: 'a' });
		const brokerPort = this.flavor === 'v2' ? await freePort() : undefined;
		const child = spawn(this.install.nodeBin, [this.install.n8nBin, 'start'], {
			cwd: this.userFolder,
			env: this.processEnv(brokerPort),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.child = child;
		liveChildren.add(child);
		this.exited = new Promise((resolve) =>
			child.on('exit', () => {
				liveChildren.delete(child);
				resolve();
			}),
		);
		let output = '';
		const ready = new Promise<void>((resolve, reject) => {
			const onData = (d: Buffer) => {
				const s = d.toString();
				this.logStream?.write(s);
				if (verbose) process.stderr.write(s);
				output = (output + s).slice(-20000);
				if (output.includes('Editor is now accessible')) resolve();
			};
			child.stdout!.on('data', onData);
			child.stderr!.on('data', onData);
			child.on('exit', (code) =>
				reject(new Error(`n8n ${this.flavor} exited during start (code ${code}). Output:\n${output.slice(-5000)}`)),
			);
			setTimeout(
				() => reject(new Error(`n8n ${this.flavor} did not start within ${timeoutMs} ms. Output:\n${output.slice(-5000)}`)),
				timeoutMs,
			).unref();
		});
		await ready;
		// the editor message comes right before the HTTP server accepts requests: wait for /healthz
		for (let i = 0; i < 100; i++) {
			try {
				const r = await fetch(`${this.url}/healthz`);
				if (r.ok) break;
			} catch {
				/* not listening yet */
			}
			await new Promise((r) => setTimeout(r, 100));
		}
		this.log(`n8n ${this.version} (${this.flavor}) ready on ${this.url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}

	/** Runs `n8n <args>` against this instance's user folder / DB. */
	async cli(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
		const started = Date.now();
		const brokerPort = this.flavor === 'v2' ? await freePort() : undefined;
		// stdout goes to a file, not a pipe: n8n exits right after printing the (possibly huge) IRun, and Node only
		// writes to files synchronously, so a pipe could lose the end of the output
		const outFile = path.join(this.userFolder, `cli-stdout-${process.pid}-${Date.now()}.txt`);
		const outFd = fs.openSync(outFile, 'w');
		return await new Promise((resolve, reject) => {
			const child = spawn(this.install.nodeBin, [this.install.n8nBin, ...args], {
				cwd: this.userFolder,
				env: { ...this.processEnv(brokerPort), ...(opts.env ?? {}) },
				stdio: ['ignore', outFd, 'pipe'],
			});
			fs.closeSync(outFd);
			liveChildren.add(child);
			let stdout = '';
			let stderr = '';
			child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
			const timer = setTimeout(() => {
				child.kill('SIGKILL');
				reject(new Error(`n8n ${args.join(' ')} timed out after ${opts.timeoutMs} ms\n${stderr.slice(-3000)}`));
			}, opts.timeoutMs ?? 180000);
			child.on('error', reject);
			child.on('close', (code) => {
				clearTimeout(timer);
				liveChildren.delete(child);
				stdout = fs.readFileSync(outFile, 'utf8');
				fs.rmSync(outFile, { force: true });
				fs.appendFileSync(
					path.join(this.userFolder, 'cli.log'),
					`\n$ n8n ${args.join(' ')}  (exit ${code})\n${elideLongLines(stdout)}\n${stderr}\n`,
				);
				resolve({ code, stdout, stderr, ms: Date.now() - started });
			});
		});
	}

	private async cliOk(args: string[]): Promise<CliResult> {
		const r = await this.cli(args);
		if (r.code !== 0) throw new Error(`n8n ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
		return r;
	}

	/** `n8n import:credentials`: `data` is the plain (decrypted) object; n8n encrypts it on import. */
	async importCredentials(creds: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>): Promise<void> {
		const file = path.join(this.userFolder, `import-credentials-${Date.now()}.json`);
		fs.writeFileSync(file, JSON.stringify(creds, null, 2));
		await this.cliOk(['import:credentials', `--input=${file}`]);
	}

	/** `n8n import:workflow` of one workflow object or an array of them. The workflow(s) need an `id`. */
	async importWorkflow(workflow: WorkflowJson | WorkflowJson[]): Promise<void> {
		const list = Array.isArray(workflow) ? workflow : [workflow];
		for (const wf of list) if (!wf.id) throw new Error(`workflow "${wf.name}" has no id`);
		const file = path.join(this.userFolder, `import-workflow-${Date.now()}.json`);
		fs.writeFileSync(file, JSON.stringify(list.map(normalizeWorkflow), null, 2));
		await this.cliOk(['import:workflow', `--input=${file}`]);
	}

	/** `n8n execute --id=<id> --rawOutput`: runs a workflow that starts with a Manual Trigger. */
	async execute(workflowId: string, opts: { timeoutMs?: number } = {}): Promise<ExecuteResult> {
		const r = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], { timeoutMs: opts.timeoutMs ?? 300000 });
		return parseExecuteOutput(r.stdout, r.stderr, r.code, r.ms);
	}

	/** Owner setup + login (cookie) + an API key for the public API. */
	async setupOwner(): Promise<void> {
		await this.rest.setupOwner(OWNER);
		this.apiKey = await this.rest.createApiKey();
	}

	/** Activates (v2: publishes) a workflow through the public API and waits until its webhooks answer. */
	async activate(workflowId: string): Promise<void> {
		if (!this.apiKey) throw new Error('setupOwner() first');
		await this.rest.publicApi(this.apiKey, 'POST', `/workflows/${workflowId}/activate`);
	}

	async stop(): Promise<void> {
		const child = this.child;
		if (child && child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			let timer: NodeJS.Timeout | undefined;
			const killed = await Promise.race([
				this.exited!.then(() => true),
				new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 15000))),
			]);
			clearTimeout(timer);
			if (!killed) {
				child.kill('SIGKILL');
				await this.exited;
			}
		}
		this.logStream?.end();
		this.child = undefined;
	}
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<Record<string, any>>;
	connections: Record<string, any>;
	active?: boolean;
	settings?: Record<string, any>;
	[k: string]: any;
}

/** Fills the fields `import:workflow` needs in both versions. */
function normalizeWorkflow(wf: WorkflowJson): WorkflowJson {
	return {
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		...wf,
		versionId: wf.versionId ?? randomUuid(),
	};
}

function randomUuid(): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require('crypto').randomUUID();
}

/** A fresh folder <repo>/.tmp/<prefix>-XXXXXX (gitignored); older ones with the same prefix are pruned, the last 3 kept. */
export function newUserFolder(prefix: string, keep = 3): string {
	const base = path.join(REPO_ROOT, '.tmp');
	fs.mkdirSync(base, { recursive: true });
	const old = fs
		.readdirSync(base)
		.filter((n) => n.startsWith(`${prefix}-`) && /^[A-Za-z0-9]{6}$/.test(n.slice(prefix.length + 1)))
		.map((n) => ({ n, t: fs.statSync(path.join(base, n)).mtimeMs }))
		.sort((a, b) => b.t - a.t);
	for (const { n } of old.slice(Math.max(0, keep - 1))) fs.rmSync(path.join(base, n), { recursive: true, force: true });
	return fs.mkdtempSync(path.join(base, `${prefix}-`));
}

export function baseEnv(install: N8nInstall, userFolder: string, port: number, fileAccessDirs: string[]): Record<string, string> {
	const tmp = path.join(userFolder, 'tmp');
	fs.mkdirSync(tmp, { recursive: true });
	const env: Record<string, string> = {
		...install.env,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_LOG_LEVEL: 'info',
		DB_SQLITE_POOL_SIZE: '2',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		N8N_RESTRICT_FILE_ACCESS_TO: fileAccessDirs.join(';'),
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		TMPDIR: tmp,
		NODE_OPTIONS: '--max-old-space-size=2048',
		// jest sets NODE_ENV=test, which makes n8n silence its logger and behave like its own unit tests
		NODE_ENV: 'production',
	};
	if (install.flavor === 'v1') {
		env.N8N_EXPRESSION_ENGINE = 'legacy';
		env.N8N_RUNNERS_ENABLED = 'false';
	} else {
		env.N8N_WEBHOOK_URL = env.WEBHOOK_URL;
		env.N8N_RUNNERS_MODE = 'internal';
	}
	return env;
}

/** Ensures the install, prepares a user folder (with the community packages), starts n8n and sets up the owner. */
export async function startN8n(opts: StartOptions): Promise<N8nInstance> {
	const log = opts.log ?? ((l: string) => process.stderr.write(`[n8n ${opts.flavor}] ${l}\n`));
	const install = await ensureN8n(opts.flavor, { log });
	const userFolder = opts.userFolder ?? newUserFolder(`n8n-${opts.flavor}`);
	fs.mkdirSync(userFolder, { recursive: true });
	const port = opts.port ?? (await freePort());
	const fileDirs = opts.fileAccessDirs ?? [os.tmpdir()];
	for (const d of fileDirs) fs.mkdirSync(d, { recursive: true });
	const env = { ...baseEnv(install, userFolder, port, fileDirs), ...(opts.env ?? {}) };
	for (const tgz of opts.packages ?? []) installCommunityPackage(userFolder, tgz);
	const inst = new N8nInstance(install, userFolder, port, env, log);
	try {
		await inst.startServer(opts.startTimeoutMs ?? 120000, opts.verbose ?? false);
		if (opts.setupOwner !== false) await inst.setupOwner();
	} catch (e) {
		await inst.stop();
		throw e;
	}
	return inst;
}
