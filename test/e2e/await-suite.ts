/**
 * Durable await end to end in a real n8n: Generate (Wait for Result: Webhook) → Write Files, resumed by the
 * Leonardo Trigger from a real emulator callback; with a restart while waiting; with the callback dropped
 * (reconcile fallback); and a forged resume request refused.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { N8nFlavor } from '../../scripts/n8n';
import { pngSize } from '../../scripts/n8n';
import { startAwaitLab, type AwaitLab } from './await-lab';

const SETUP_TIMEOUT_MS = 20 * 60 * 1000;

function filesOf(lab: AwaitLab, generationId: string) {
	return fs.readdirSync(lab.outDir).filter((f) => f.startsWith(generationId));
}

export function describeAwait(flavor: N8nFlavor): void {
	describe(`real n8n ${flavor}: durable await via the Leonardo Trigger`, () => {
		let lab: AwaitLab;
		beforeAll(async () => {
			lab = await startAwaitLab(flavor);
		}, SETUP_TIMEOUT_MS);
		afterAll(async () => {
			await lab?.stop();
		}, 60_000);

		test('Generate → Await (webhook) → write files finishes after the real callback', async () => {
			const { executionId, generationId } = await lab.startAwait('a fox in the snow');
			const done = await lab.waitStatus(executionId, ['success', 'error', 'crashed'], 60_000);
			expect(done.status).toBe('success');
			const files = filesOf(lab, generationId);
			expect(files).toEqual([`${generationId}-0.png`]);
			expect(pngSize(fs.readFileSync(path.join(lab.outDir, files[0])))).toEqual({ width: 512, height: 512 });
			const delivery = lab.emu.admin.webhookDeliveries().find((d) => d.jobId === generationId)!;
			expect(delivery.status).toBe(200);
			const latencyMs = new Date(done.stoppedAt).getTime() - new Date(delivery.sentAt!).getTime();
			console.log(`[${flavor}] callback sent → execution finished: ${latencyMs} ms`);
			// Speed is measured by bench/resume-latency.ts (team rule: no timed tests); here only sanity.
			expect(latencyMs).toBeGreaterThanOrEqual(0);
			// Note: whether the relay workflow also stored the file depends on whether the callback arrived before
			// the registration (an early callback cannot be known as awaited); see the harness tests for notAwaited.
		}, 120_000);

		test('a forged resume request is refused and the execution keeps waiting', async () => {
			lab.emu.admin.setLatency({ key: lab.key, ms: 120_000 });
			try {
				const { executionId, generationId } = await lab.startAwait('forgery target');
				await lab.waitStatus(executionId, ['waiting'], 30_000);
				const base = lab.n8n.url.replace(/\/$/, '');
				const forged = await fetch(`${base}/webhook-waiting/${executionId}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ leonardoRelay: 1, payload: JSON.stringify({ action: 'resume', executionId, ts: Date.now(), jobs: [] }), signature: 'f'.repeat(64) }),
				});
				expect(forged.status).toBe(401);
				expect((await lab.execution(executionId)).status).toBe('waiting');
				lab.emu.admin.finishJob(generationId);
				const done = await lab.waitStatus(executionId, ['success', 'error', 'crashed'], 60_000);
				expect(done.status).toBe('success');
				expect(filesOf(lab, generationId)).toHaveLength(1);
			} finally {
				lab.emu.admin.setLatency({ key: lab.key, ms: null });
			}
		}, 120_000);

		test('n8n restarted while the execution waits: the callback still resumes it', async () => {
			lab.emu.admin.setLatency({ key: lab.key, ms: 300_000 });
			try {
				const { executionId, generationId } = await lab.startAwait('survives a restart');
				await lab.waitStatus(executionId, ['waiting'], 30_000);
				await lab.n8n.stop();
				await lab.n8n.startServer();
				lab.emu.admin.finishJob(generationId);
				const done = await lab.waitStatus(executionId, ['success', 'error', 'crashed'], 90_000);
				expect(done.status).toBe('success');
				expect(filesOf(lab, generationId)).toHaveLength(1);
			} finally {
				lab.emu.admin.setLatency({ key: lab.key, ms: null });
			}
		}, 240_000);

		test('callback dropped by the emulator: the reconcile tick reads the job from the API and resumes', async () => {
			lab.emu.admin.setFaults({ webhook: { drop: 1 } });
			try {
				const { executionId, generationId } = await lab.startAwait('lost callback');
				await lab.waitStatus(executionId, ['waiting'], 30_000);
				// The trigger's own per-minute cron does this (first check after 5 s here); no manual help.
				const done = await lab.waitStatus(executionId, ['success', 'error', 'crashed'], 150_000);
				expect(done.status).toBe('success');
				expect(lab.emu.admin.webhookDeliveries().find((d) => d.jobId === generationId)?.fault).toBe('dropped');
				expect(filesOf(lab, generationId)).toHaveLength(1);
			} finally {
				lab.emu.admin.clearFaults();
			}
		}, 200_000);
	});
}
