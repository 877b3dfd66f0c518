/** Small helpers shared by the demo and the e2e tests: PNG/MP4 header checks and workflow JSON templating. */
import * as fs from 'fs';
import * as path from 'path';
import type { WorkflowJson } from './process';
import { REPO_ROOT } from './ensure';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Reads width/height from a PNG's IHDR chunk; throws if the bytes are not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } {
	if (buf.length < 24 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG (bad signature)');
	if (buf.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG (first chunk is not IHDR)');
	return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** True when the bytes start like an ISO BMFF / MP4 file (`ftyp` box). */
export function isMp4(buf: Buffer): boolean {
	return buf.length > 12 && buf.toString('ascii', 4, 8) === 'ftyp';
}

/** Width/height of the first video track of an MP4 (from its `tkhd` box, 16.16 fixed point); throws if not an MP4. */
export function mp4Size(buf: Buffer): { width: number; height: number } {
	if (!isMp4(buf)) throw new Error('not an MP4 (no ftyp box)');
	let from = 0;
	for (;;) {
		const at = buf.indexOf('tkhd', from, 'ascii');
		if (at < 4) throw new Error('MP4 without a video track header (tkhd)');
		const size = buf.readUInt32BE(at - 4);
		const end = at - 4 + size;
		const width = buf.readUInt32BE(end - 8) >>> 16;
		const height = buf.readUInt32BE(end - 4) >>> 16;
		if (width > 0 && height > 0) return { width, height };
		from = at + 4;
	}
}

export function loadExample(name: string): WorkflowJson {
	const file = name.endsWith('.json') ? name : `${name}.json`;
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'));
}

/** Deep copy of a workflow with node parameters changed: `{ 'Node name': { 'a.b': value } }`. */
export function withParameters(wf: WorkflowJson, changes: Record<string, Record<string, unknown>>): WorkflowJson {
	const copy: WorkflowJson = JSON.parse(JSON.stringify(wf));
	for (const [nodeName, params] of Object.entries(changes)) {
		const node = copy.nodes.find((n) => n.name === nodeName);
		if (!node) throw new Error(`workflow "${wf.name}" has no node "${nodeName}"`);
		for (const [key, value] of Object.entries(params)) {
			const parts = key.split('.');
			let obj = (node.parameters ??= {});
			for (const p of parts.slice(0, -1)) obj = obj[p] ??= {};
			obj[parts[parts.length - 1]] = value;
		}
	}
	return copy;
}

/** Points every node credential of `type` at the credential with `id`/`name`. */
export function withCredential(wf: WorkflowJson, type: string, cred: { id: string; name: string }): WorkflowJson {
	const copy: WorkflowJson = JSON.parse(JSON.stringify(wf));
	for (const n of copy.nodes) if (n.credentials?.[type]) n.credentials[type] = { id: cred.id, name: cred.name };
	return copy;
}

export function withId(wf: WorkflowJson, id: string, name?: string): WorkflowJson {
	return { ...JSON.parse(JSON.stringify(wf)), id, ...(name ? { name } : {}) };
}

export async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== null && (v as unknown) !== false) return v;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}
