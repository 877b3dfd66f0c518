/**
 * Binary download memory benchmark: peak memory growth of downloading one large output file into n8n
 * binary data through our real transport helper `downloadToBinary`, inside n8n-core's real WorkflowExecute.
 *
 *   npx tsx bench/binary-memory.ts [--size-mib 256] [--scenarios fs+stream,fs+buffer,mem+stream]
 *
 * The parent process serves a deterministic file (generated in 1 MiB chunks, never held whole, with
 * content-length) from node:http on 127.0.0.1, and runs each scenario in a FRESH child process (this file
 * with `--child <scenario>`) so peaks do not mix:
 *   (a) fs+stream   n8n filesystem binary mode, downloadToBinary({ stream: true })
 *   (b) fs+buffer   n8n filesystem binary mode, downloadToBinary({ stream: false })  (buffered)
 *   (c) mem+stream  n8n default (memory) binary mode, stream: true; n8n keeps binaries in memory (base64) by
 *                   design in this mode: reference only.
 * The child warms up (one small download), runs gc, takes a baseline, then samples
 * process.memoryUsage() every 10 ms during the large run; it also resets and reads the kernel's peak RSS
 * (VmHWM, /proc/self/clear_refs) so a peak between two samples is not missed. It then checks the stored
 * binary: metadata size, size on disk and SHA-256 must match the served file.
 */
import * as path from 'path';

process.env.N8N_USER_FOLDER ??= path.join(__dirname, '..', '.n8n-test-home');
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ??= 'false';

import { spawn } from 'child_process';
import { createHash } from 'crypto';
import { createReadStream, promises as fs, readFileSync, writeFileSync } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';

import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { downloadToBinary } from '../nodes/Leonardo/transport';

const MiB = 1024 * 1024;
const CHUNK = MiB;

const argValue = (name: string): string | undefined => {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1] : undefined;
};

// ------------------------------------------------------------------------------------------------
// The deterministic file: a fixed 1 MiB pseudo-random block, each chunk stamped with its index
// ------------------------------------------------------------------------------------------------

function makeBlock(): Buffer {
	const block = Buffer.allocUnsafe(CHUNK);
	let x = 0x2545f491;
	for (let i = 0; i < CHUNK; i += 4) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		block.writeUInt32LE(x >>> 0, i);
	}
	return block;
}

function chunkAt(block: Buffer, index: number, size: number): Buffer {
	const length = Math.min(CHUNK, size - index * CHUNK);
	const chunk = Buffer.from(block.subarray(0, length));
	if (length >= 8) chunk.writeUInt32LE(index, 0);
	return chunk;
}

function expectedSha256(block: Buffer, size: number): string {
	const hash = createHash('sha256');
	for (let i = 0; i * CHUNK < size; i++) hash.update(chunkAt(block, i, size));
	return hash.digest('hex');
}

/** GET /file?size=N serves N deterministic bytes with content-length, honouring backpressure. */
async function startFileServer(): Promise<{ url: string; close(): Promise<void> }> {
	const block = makeBlock();
	const server = http.createServer((req, res) => {
		const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size'));
		if (!Number.isSafeInteger(size) || size < 0) {
			res.writeHead(400).end();
			return;
		}
		res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size) });
		let index = 0;
		const pump = () => {
			while (index * CHUNK < size) {
				const ok = res.write(chunkAt(block, index++, size));
				if (!ok) {
					res.once('drain', pump);
					return;
				}
			}
			res.end();
		};
		res.on('close', () => res.removeAllListeners('drain'));
		pump();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/file`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

// ------------------------------------------------------------------------------------------------
// Child: one scenario in a fresh process
// ------------------------------------------------------------------------------------------------

type ScenarioName = 'fs+stream' | 'fs+buffer' | 'mem+stream';
const SCENARIOS: Record<ScenarioName, { mode: 'default' | 'filesystem'; stream: boolean; label: string }> = {
	'fs+stream': { mode: 'filesystem', stream: true, label: '(a) filesystem mode, stream: true' },
	'fs+buffer': { mode: 'filesystem', stream: false, label: '(b) filesystem mode, stream: false' },
	'mem+stream': { mode: 'default', stream: true, label: '(c) memory mode, stream: true (reference)' },
};

interface ChildResult {
	scenario: ScenarioName;
	wallMs: number;
	samples: number;
	peakRss: number;
	peakExternal: number;
	peakArrayBuffers: number;
	peakHeapUsed: number;
	kernelPeakRss: number | null;
	metadataSize: number;
	diskBytes: number;
	sha256: string;
	binaryMode: string;
}

const benchNode: INodeType = {
	description: {
		displayName: 'Binary Download Bench',
		name: 'binaryDownloadBench',
		group: ['transform'],
		version: 1,
		description: 'bench only: downloadToBinary for a URL',
		defaults: { name: 'Download' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Stream', name: 'stream', type: 'boolean', default: true },
		],
	},
	async execute(this: IExecuteFunctions) {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const url = this.getNodeParameter('url', i) as string;
			const stream = this.getNodeParameter('stream', i) as boolean;
			const data = await downloadToBinary.call(this, url, {
				fileName: 'output.mp4',
				mimeType: 'video/mp4',
				stream,
				itemIndex: i,
			});
			out.push({ json: { url }, binary: { data }, pairedItem: { item: i } });
		}
		return [out];
	},
};

function readHwmBytes(): number | null {
	try {
		const status = readFileSync('/proc/self/status', 'utf8');
		const match = /VmHWM:\s+(\d+) kB/.exec(status);
		return match ? Number(match[1]) * 1024 : null;
	} catch {
		return null;
	}
}

/** Resets the kernel's peak RSS of this process to the current RSS (Linux >= 4.0). */
function resetHwm(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

async function dirBytes(dir: string): Promise<number> {
	let total = 0;
	for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) total += await dirBytes(full);
		else if (entry.isFile() && !entry.name.endsWith('.metadata')) total += (await fs.stat(full)).size;
	}
	return total;
}

async function sha256OfFile(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(file, { highWaterMark: MiB })) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

async function runChild(scenario: ScenarioName, baseUrl: string, size: number): Promise<void> {
	const setup = SCENARIOS[scenario];
	const storage = await fs.mkdtemp(path.join(os.tmpdir(), 'leonardo-binary-bench-'));
	try {
		const harness = await import('../test/helpers/harness');
		harness.configureBinaryData({ mode: setup.mode, localStoragePath: storage });
		harness.registerNodeType('bench.binaryDownload', () => benchNode);
		const run = (url: string) =>
			harness.runWorkflow({
				nodes: [{ name: 'Download', type: 'bench.binaryDownload', parameters: { url, stream: setup.stream } }],
			});

		// Warm-up: loads axios, the engine and the binary data manager, so the baseline includes them.
		const warm = await run(`${baseUrl}?size=65536`);
		if (warm.error) throw warm.error;
		const diskBefore = await dirBytes(storage);

		const gc = (globalThis as { gc?: () => void }).gc;
		gc?.();
		gc?.();
		await new Promise((r) => setTimeout(r, 50));
		const base = process.memoryUsage();
		const hwmReset = resetHwm();
		let peak = { ...base };
		let samples = 0;
		const sample = () => {
			const m = process.memoryUsage();
			samples++;
			if (m.rss > peak.rss) peak.rss = m.rss;
			if (m.external > peak.external) peak.external = m.external;
			if (m.arrayBuffers > peak.arrayBuffers) peak.arrayBuffers = m.arrayBuffers;
			if (m.heapUsed > peak.heapUsed) peak.heapUsed = m.heapUsed;
		};
		const timer = setInterval(sample, 10);
		const started = Date.now();
		const result = await run(`${baseUrl}?size=${size}`);
		const wallMs = Date.now() - started;
		sample();
		clearInterval(timer);
		const kernelPeak = hwmReset ? readHwmBytes() : null;
		if (result.error) throw result.error;

		// Check what was stored (after the measurement).
		const binary = result.output('Download')[0]?.binary?.data;
		if (!binary) throw new Error('no binary in the output');
		let metadataSize: number;
		let sha256: string;
		const diskBytes = (await dirBytes(storage)) - diskBefore;
		if (binary.id) {
			const service = await harness.getBinaryDataService();
			metadataSize = (await service.getMetadata(binary.id)).fileSize;
			const file = service.getPath(binary.id);
			if ((await fs.stat(file)).size !== metadataSize) throw new Error('metadata size != file size');
			sha256 = await sha256OfFile(file);
		} else {
			const bytes = Buffer.from(binary.data, 'base64');
			metadataSize = bytes.length;
			sha256 = createHash('sha256').update(bytes).digest('hex');
		}
		const out: ChildResult = {
			scenario,
			wallMs,
			samples,
			peakRss: peak.rss - base.rss,
			peakExternal: peak.external - base.external,
			peakArrayBuffers: peak.arrayBuffers - base.arrayBuffers,
			peakHeapUsed: peak.heapUsed - base.heapUsed,
			kernelPeakRss: kernelPeak === null ? null : kernelPeak - base.rss,
			metadataSize,
			diskBytes,
			sha256,
			binaryMode: binary.id ? binary.id.split(':')[0] : 'memory (base64 in the item)',
		};
		console.log(`RESULT ${JSON.stringify(out)}`);
		await harness.shutdownHarness();
	} finally {
		await fs.rm(storage, { recursive: true, force: true });
	}
}

// ------------------------------------------------------------------------------------------------
// Parent: serve the file, run each scenario in its own process, print the table
// ------------------------------------------------------------------------------------------------

function runScenarioProcess(scenario: ScenarioName, url: string, size: number): Promise<ChildResult> {
	return new Promise((resolve, reject) => {
		// Same node + tsx loader as this process (process.execArgv carries tsx's --require/--import).
		const child = spawn(
			process.execPath,
			[...process.execArgv, '--expose-gc', __filename, '--child', scenario, '--url', url, '--size', String(size)],
			{ stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
		);
		let stdout = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.on('error', reject);
		child.on('close', (code) => {
			const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
			if (code !== 0 || !line) {
				reject(new Error(`scenario ${scenario} failed (exit ${code}):\n${stdout}`));
				return;
			}
			resolve(JSON.parse(line.slice('RESULT '.length)) as ChildResult);
		});
	});
}

const mib = (n: number | null) => (n === null ? 'n/a' : `${(n / MiB).toFixed(1)} MiB`);

async function main() {
	const sizeMib = Number(argValue('size-mib') ?? 256);
	const size = Math.round(sizeMib * MiB);
	const server = await startFileServer();
	try {
		const expected = expectedSha256(makeBlock(), size);
		console.log(
			`file: ${mib(size)} (${size} bytes, served with content-length from 127.0.0.1), node ${process.version}, ` +
				`each scenario in a fresh process, memory sampled every 10 ms (growth over the post-warm-up baseline)`,
		);
		const results: ChildResult[] = [];
		const wanted = (argValue('scenarios') ?? Object.keys(SCENARIOS).join(',')).split(',') as ScenarioName[];
		for (const scenario of wanted) {
			if (!(scenario in SCENARIOS)) throw new Error(`unknown scenario ${scenario}`);
			results.push(await runScenarioProcess(scenario, server.url, size));
		}
		console.log('');
		console.log(
			'scenario                                      peak RSS    kernel peak   external   arrayBuffers  heapUsed   on disk      stored size  wall',
		);
		let failed = false;
		for (const r of results) {
			const ok = r.metadataSize === size && r.sha256 === expected;
			if (!ok) failed = true;
			console.log(
				[
					SCENARIOS[r.scenario].label.padEnd(44),
					mib(r.peakRss).padStart(11),
					mib(r.kernelPeakRss).padStart(12),
					mib(r.peakExternal).padStart(11),
					mib(r.peakArrayBuffers).padStart(11),
					mib(r.peakHeapUsed).padStart(10),
					mib(r.diskBytes).padStart(11),
					`${r.metadataSize === size ? '=' : '!='} file${r.sha256 === expected ? ', sha ok' : ', SHA MISMATCH'}`.padStart(16),
					`${(r.wallMs / 1000).toFixed(1)} s`.padStart(7),
				].join(' '),
			);
		}
		const by = (s: ScenarioName) => results.find((r) => r.scenario === s);
		const ratio = (a: number | null | undefined, b: number | null | undefined) =>
			a == null || b == null || b <= 0 ? 'n/a' : `${(a / b).toFixed(1)}x`;
		const share = (r: ChildResult | undefined) => (r ? `${((r.peakRss / size) * 100).toFixed(1)}%` : 'n/a');
		console.log('');
		console.log(
			`ratio buffered/streamed (filesystem mode): peak RSS ${ratio(by('fs+buffer')?.peakRss, by('fs+stream')?.peakRss)}, ` +
				`kernel peak ${ratio(by('fs+buffer')?.kernelPeakRss, by('fs+stream')?.kernelPeakRss)}`,
		);
		console.log(
			`peak RSS growth as a share of the file: streamed ${share(by('fs+stream'))}, buffered ${share(by('fs+buffer'))}, ` +
				`memory mode reference ${share(by('mem+stream'))}`,
		);
		console.log(`samples per run: ${results.map((r) => `${r.scenario} ${r.samples}`).join(', ')}`);
		if (failed) {
			console.error('stored binary does not match the served file');
			process.exitCode = 1;
		}
	} finally {
		await server.close();
	}
}

const childScenario = argValue('child') as ScenarioName | undefined;
if (childScenario) {
	if (!(childScenario in SCENARIOS)) throw new Error(`unknown scenario ${childScenario}`);
	runChild(childScenario, argValue('url')!, Number(argValue('size'))).catch((error) => {
		console.error(error);
		process.exit(1);
	});
} else {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
