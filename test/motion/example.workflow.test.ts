/**
 * examples/generate-then-motion.json, run through WorkflowExecute against the emulator: Generate (poll) →
 * Motion from the first image (poll) → Read/Write Files from Disk (write the MP4).
 *
 * n8n-nodes-base is not a dev dependency, so "Read/Write Files from Disk" (operation write) is a small
 * stand-in (test/helpers/harness.ts) that writes the item's binary to the resolved file name like the real node. Only the target
 * folder and the poll intervals are changed from the example file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { EmulatorHandle } from '../../emulator';
import { topLevelBoxes } from '../../emulator/video';
import { runWorkflow, shutdownHarness, type HarnessNode } from '../helpers/harness';
import { emulator, newKey } from '../node/helpers';


let emu: EmulatorHandle;
let folder: string;

beforeAll(async () => {
	emu = await emulator(100);
	folder = mkdtempSync(join(tmpdir(), 'leonardo-motion-'));
});

afterAll(async () => {
	rmSync(folder, { recursive: true, force: true });
	await emu.stop();
	await shutdownHarness();
});

it('runs examples/generate-then-motion.json end to end and writes a real MP4', async () => {
	const example = JSON.parse(readFileSync(join(__dirname, '../../examples/generate-then-motion.json'), 'utf8')) as {
		nodes: HarnessNode[];
		connections: Parameters<typeof runWorkflow>[0]['connections'];
	};
	const types = example.nodes.map((n) => n.type);
	expect(types).toEqual([
		'n8n-nodes-base.manualTrigger',
		'n8n-nodes-leonardo.leonardo',
		'n8n-nodes-leonardo.leonardo',
		'n8n-nodes-base.readWriteFile',
	]);
	const nodes = example.nodes.map((node) => {
		const parameters = { ...node.parameters };
		expect(node.credentials === undefined || Object.keys(node.credentials).join() === 'leonardoApi').toBe(true);
		if (node.name === 'Save MP4') {
			expect(parameters).toMatchObject({ operation: 'write', fileName: '=/tmp/leonardo/{{ $json.generationId }}.mp4' });
			parameters.fileName = `=${folder}/{{ $json.generationId }}.mp4`;
		}
		if ('pollIntervalSeconds' in parameters) parameters.pollIntervalSeconds = 0.5;
		return { ...node, parameters };
	});
	const { credentials, key } = newKey(emu, 'ARTISAN');
	const result = await runWorkflow({ nodes, connections: example.connections, credentials });
	expect(result.error).toBeUndefined();
	expect(result.status).toBe('success');

	const still = result.output('Generate Still');
	expect(still).toHaveLength(1);
	const [clip] = result.output('Animate First Image');
	expect(clip.json).toMatchObject({ sourceImageId: still[0].json.imageId, status: 'COMPLETE' });
	const [saved] = result.output('Save MP4');
	expect(saved.json.fileName).toBe(join(folder, `${clip.json.generationId}.mp4`));
	const bytes = readFileSync(String(saved.json.fileName));
	expect(bytes.length).toBeGreaterThan(0);
	const boxes = topLevelBoxes(bytes).map((b) => b.type);
	expect(boxes[0]).toBe('ftyp');
	expect(boxes).toEqual(expect.arrayContaining(['moov', 'mdat']));
	const paths = emu.admin.requests({ key }).map((r) => `${r.method} ${r.path}`);
	expect(paths.filter((p) => p === 'POST /api/rest/v1/generations-motion-svd')).toHaveLength(1);
});
