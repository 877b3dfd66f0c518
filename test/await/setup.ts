/** Shared setup of the await / trigger tests: emulator key whose callbacks go to a MiniN8n relay. */
import { randomUUID } from 'crypto';

import type { EmulatorHandle } from '../../emulator';
import type { HarnessNode } from '../helpers/harness';
import { MiniN8n } from './miniN8n';

export const PHOENIX_ID = 'de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3';

export function relayNode(parameters: Record<string, unknown> = {}): HarnessNode {
	return {
		name: 'Leonardo Trigger',
		type: 'n8n-nodes-leonardo.leonardoTrigger',
		parameters: { startRunsFor: 'notAwaited', download: true, options: { reconcileAfterSeconds: 30 }, ...parameters } as never,
	};
}

export async function setup(
	emu: EmulatorHandle,
	opts: { flavor?: 'v1' | 'v2'; relay?: Record<string, unknown>; latencyMs?: number } = {},
) {
	const key = randomUUID();
	const secret = `whsec-${randomUUID()}`;
	const credentials = {
		leonardoApi: { apiKey: key, plan: 'MAESTRO', baseUrl: emu.url },
		leonardoWebhookApi: { callbackApiKey: secret, relayUrl: '' },
	};
	const mini = await new MiniN8n({
		relayNodes: [relayNode(opts.relay), { name: 'After Trigger', type: 'n8n-nodes-base.noOp' }],
		relayConnections: { 'Leonardo Trigger': { main: [[{ node: 'After Trigger', type: 'main' as never, index: 0 }]] } },
		credentials,
		flavor: opts.flavor,
	}).start();
	credentials.leonardoWebhookApi.relayUrl = mini.relayUrl;
	emu.admin.addKey({ key, plan: 'MAESTRO', webhookUrl: mini.relayUrl, webhookSecret: secret });
	if (opts.latencyMs !== undefined) emu.admin.setLatency({ key, ms: opts.latencyMs });
	return { key, secret, credentials, mini };
}

export const generateParams = (extra: Record<string, unknown> = {}) => ({
	resource: 'image',
	operation: 'generate',
	prompt: '={{ $json.prompt }}',
	modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
	sizeMode: 'aspectRatio',
	aspectRatio: '1:1',
	longSide: 512,
	numImages: 1,
	waitMode: 'webhook',
	webhookTimeoutMinutes: 10,
	...extra,
});

/** Manual Trigger → Leonardo → Done. */
export function awaitWorkflow(parameters: Record<string, unknown>) {
	return {
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.noOp' },
			{ name: 'Leonardo', type: 'n8n-nodes-leonardo.leonardo', parameters: parameters as never },
			{ name: 'Done', type: 'n8n-nodes-base.noOp' },
		] as HarnessNode[],
		connections: {
			Start: { main: [[{ node: 'Leonardo', type: 'main' as never, index: 0 }]] },
			Leonardo: { main: [[{ node: 'Done', type: 'main' as never, index: 0 }]] },
		},
	};
}

export async function until<T>(fn: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = fn();
		if (v) return v;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}
