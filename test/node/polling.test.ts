/**
 * pollUntilDone: adaptive interval, deadline, FAILED and cancellation, each error carrying the job id.
 * A minimal execute context is enough here: polling only uses getNode and getExecutionCancelSignal.
 */
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { pollUntilDone } from '../../nodes/Leonardo/helpers/polling';

const node = { id: '1', name: 'Leonardo', type: 'n8n-nodes-leonardo.leonardo', typeVersion: 1, position: [0, 0], parameters: {} } as INode;

function context(signal?: AbortSignal) {
	return { getNode: () => node, getExecutionCancelSignal: () => signal } as unknown as IExecuteFunctions;
}

describe('pollUntilDone', () => {
	it('reads rarely: the interval grows until the job completes', async () => {
		const reads: number[] = [];
		const started = Date.now();
		const result = await pollUntilDone.call(context(), {
			jobId: 'job-1',
			jobLabel: 'generation',
			intervalMs: 40,
			timeoutMs: 5000,
			itemIndex: 0,
			backoffFactor: 2,
			fetch: async () => {
				reads.push(Date.now() - started);
				return { status: reads.length < 4 ? 'PENDING' : 'COMPLETE' };
			},
			status: (r: unknown) => (r as { status: string }).status,
		});
		expect(result).toEqual({ status: 'COMPLETE' });
		expect(reads).toHaveLength(4);
		// 40, +80, +160, +320 ms
		expect(reads[3]).toBeGreaterThanOrEqual(40 + 80 + 160 + 320 - 20);
	});

	it('FAILED → NodeOperationError with the job id', async () => {
		const error = await pollUntilDone
			.call(context(), {
				jobId: 'job-2',
				jobLabel: 'generation',
				intervalMs: 1,
				timeoutMs: 1000,
				itemIndex: 3,
				fetch: async () => ({ status: 'FAILED' }),
				status: (r: unknown) => (r as { status: string }).status,
			})
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toBe('Leonardo generation job-2 failed');
		expect((error as NodeOperationError).context).toMatchObject({ generationId: 'job-2', itemIndex: 3 });
	});

	it('stops at the deadline with the job id, after a last read', async () => {
		let reads = 0;
		const started = Date.now();
		const error = await pollUntilDone
			.call(context(), {
				jobId: 'job-3',
				jobLabel: 'generation',
				intervalMs: 100,
				timeoutMs: 250,
				itemIndex: 0,
				fetch: async () => {
					reads++;
					return { status: 'PENDING' };
				},
				status: (r: unknown) => (r as { status: string }).status,
			})
			.catch((e: unknown) => e);
		expect((error as Error).message).toBe('Timed out after 0.3 s waiting for Leonardo generation job-3');
		expect((error as NodeOperationError).description).toMatch(/still PENDING/);
		expect(Date.now() - started).toBeGreaterThanOrEqual(240);
		expect(Date.now() - started).toBeLessThan(600);
		expect(reads).toBeGreaterThanOrEqual(2);
	});

	it('stops as soon as the execution is cancelled', async () => {
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 50);
		const error = await pollUntilDone
			.call(context(controller.signal), {
				jobId: 'job-4',
				jobLabel: 'generation',
				intervalMs: 10_000,
				timeoutMs: 60_000,
				itemIndex: 0,
				fetch: async () => ({ status: 'PENDING' }),
				status: (r: unknown) => (r as { status: string }).status,
			})
			.catch((e: unknown) => e);
		expect(Date.now() - started).toBeLessThan(2000);
		expect((error as Error).message).toBe('Execution cancelled while waiting for Leonardo generation job-4');
		expect((error as NodeOperationError).context.generationId).toBe('job-4');
	});
});
