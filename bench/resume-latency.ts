/**
 * Resume latency of the durable await in a real n8n: time from the emulator SENDING Leonardo's callback to
 * the Leonardo Trigger until the waiting execution (Generate → Write Files) is finished (its stoppedAt).
 *
 *   npx tsx bench/resume-latency.ts [v1|v2] [runs=10]
 *
 * Prints every sample, then median and p95.
 */
import { startAwaitLab } from '../test/e2e/await-lab';

async function main() {
	const flavor = (process.argv[2] ?? 'v1') as 'v1' | 'v2';
	const runs = Number(process.argv[3] ?? 10);
	const lab = await startAwaitLab(flavor, { latencyMs: 800, log: (l) => console.error(`[pack] ${l}`) });
	const samples: number[] = [];
	try {
		// Warm-up (first execution loads the node modules).
		const warm = await lab.startAwait('warm-up');
		await lab.waitStatus(warm.executionId, ['success', 'error', 'crashed'], 60_000);
		for (let i = 0; i < runs; i++) {
			const { executionId, generationId } = await lab.startAwait(`bench ${i}`);
			const done = await lab.waitStatus(executionId, ['success', 'error', 'crashed'], 60_000);
			if (done.status !== 'success') throw new Error(`execution ${executionId} ended ${done.status}`);
			const delivery = lab.emu.admin.webhookDeliveries().find((d) => d.jobId === generationId);
			if (!delivery?.sentAt) throw new Error(`no callback delivery for ${generationId}`);
			const ms = new Date(done.stoppedAt).getTime() - new Date(delivery.sentAt).getTime();
			samples.push(ms);
			console.log(`run ${i + 1}/${runs}: callback sent → execution finished ${ms} ms`);
		}
	} finally {
		await lab.stop();
	}
	const sorted = [...samples].sort((a, b) => a - b);
	const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
	const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
	console.log(`n8n ${flavor}, ${samples.length} runs: median ${median} ms, p95 ${pick(0.95)} ms, min ${sorted[0]} ms, max ${sorted[sorted.length - 1]} ms`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
