/**
 * Shared helpers of the node tests: an emulator per suite, a fresh API key per test (so plan windows and
 * pacing state never leak between tests), and a Leonardo node for the real WorkflowExecute harness.
 */
import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';

import { startEmulator, type EmulatorHandle, type KeyOptions } from '../../emulator';
import type { HarnessNode } from '../helpers/harness';
import type { PlanId } from '../../nodes/shared/plans';

export const PHOENIX_ID = 'de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3';
export const LIGHTNING_XL_ID = 'b24e16ff-06e3-43eb-8d33-4416c2d75876';

export async function emulator(latencyMs = 150): Promise<EmulatorHandle> {
	return await startEmulator({ port: 0, latencyMs });
}

/** Adds a new key of `plan` to the emulator and returns the credential data for the harness. */
export function newKey(emu: EmulatorHandle, plan: PlanId, extra: Partial<KeyOptions> = {}) {
	const key = randomUUID();
	const info = emu.admin.addKey({ key, plan, ...extra });
	return {
		key,
		userId: info.userId,
		credentials: { leonardoApi: { apiKey: key, plan, baseUrl: emu.url } },
	};
}

export function leonardoNode(parameters: HarnessNode['parameters'], extra: Partial<HarnessNode> = {}): HarnessNode {
	return {
		name: 'Leonardo',
		type: 'n8n-nodes-leonardo.leonardo',
		parameters,
		...extra,
	};
}

/** Records raw request bodies reaching the emulator (its request log has no bodies). */
export function recordBodies(emu: EmulatorHandle) {
	const bodies: Array<{ method: string; url: string; body: string }> = [];
	const server = emu.admin.server as unknown as { readBody(req: IncomingMessage): Promise<Buffer> };
	const original = server.readBody.bind(server);
	server.readBody = async (req: IncomingMessage) => {
		const raw = await original(req);
		bodies.push({ method: req.method ?? '', url: req.url ?? '', body: raw.toString('utf8') });
		return raw;
	};
	return {
		bodies,
		json(method: string, urlPart: string) {
			return bodies
				.filter((b) => b.method === method && b.url.includes(urlPart))
				.map((b) => JSON.parse(b.body) as Record<string, unknown>);
		},
	};
}

/** Max number of this key's jobs running at the same time, from the emulator ledger. */
export function maxConcurrentJobs(emu: EmulatorHandle, key: string) {
	const events: Array<[number, number]> = [];
	for (const entry of emu.admin.ledger(key)) {
		if (!entry.startedAt) continue;
		events.push([Date.parse(entry.startedAt), 1]);
		events.push([entry.completedAt ? Date.parse(entry.completedAt) : Infinity, -1]);
	}
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let current = 0;
	let max = 0;
	for (const [, delta] of events) {
		current += delta;
		max = Math.max(max, current);
	}
	return max;
}

export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** A valid 1x1 PNG. */
export const TINY_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);
