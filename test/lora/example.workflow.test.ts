/**
 * examples/train-lora-then-generate.json, run through WorkflowExecute against the emulator: read a folder
 * of PNGs → Train (poll) → Generate with the new LoRA at 0.8 and a platform element at 0.6.
 *
 * n8n-nodes-base is not a dev dependency, so "Read/Write Files from Disk" (operation read, a glob such as
 * /dir/*.png) is a small stand-in (test/helpers/harness.ts) that reads the matching files into binary items like the real node.
 * Only the folder and the poll intervals are changed from the example file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { EmulatorHandle } from '../../emulator';
import { runWorkflow, shutdownHarness, type HarnessNode } from '../helpers/harness';
import { emulator, newKey, recordBodies } from '../node/helpers';
import { png } from './images';


let emu: EmulatorHandle;
let folder: string;

beforeAll(async () => {
	emu = await emulator(150);
	folder = mkdtempSync(join(tmpdir(), 'lora-images-'));
	for (let n = 0; n < 22; n++) writeFileSync(join(folder, `ref-${String(n).padStart(2, '0')}.png`), png(n));
	writeFileSync(join(folder, 'notes.txt'), 'not matched by *.png');
});

afterAll(async () => {
	rmSync(folder, { recursive: true, force: true });
	await emu.stop();
	await shutdownHarness();
});

it('runs examples/train-lora-then-generate.json end to end', async () => {
	const example = JSON.parse(readFileSync(join(__dirname, '../../examples/train-lora-then-generate.json'), 'utf8')) as {
		nodes: HarnessNode[];
		connections: Parameters<typeof runWorkflow>[0]['connections'];
	};
	const nodes = example.nodes.map((node) => {
		const parameters = { ...node.parameters };
		if (node.name === 'Read Training Images') {
			expect(parameters.fileSelector).toBe('/data/lora-images/*.png');
			parameters.fileSelector = join(folder, '*.png');
		}
		if ('pollIntervalSeconds' in parameters) parameters.pollIntervalSeconds = 0.5;
		return { ...node, parameters };
	});
	const { credentials, key } = newKey(emu, 'ARTISAN');
	const bodies = recordBodies(emu);
	const result = await runWorkflow({ nodes, connections: example.connections, credentials });
	expect(result.error).toBeUndefined();

	const [trained] = result.output('Train LoRA');
	expect(trained.json).toMatchObject({ status: 'COMPLETE', imagesUsed: 22, uploadedImages: 22, focus: 'Style', baseModel: 'KINO_XL' });
	expect(trained.pairedItem).toHaveLength(22);
	const userLoraId = trained.json.userLoraId as number;

	const images = result.output('Generate With LoRA');
	expect(images).toHaveLength(2);
	for (const image of images) expect(image.binary?.data?.mimeType).toBe('image/png');
	const [generation] = bodies.json('POST', '/api/rest/v1/generations');
	expect(generation.prompt).toBe('A lighthouse on a rocky coast at dusk, inkwell studio style');
	expect(generation.userElements).toEqual([{ userLoraId, weight: 0.8 }]);
	expect(generation.elements).toEqual([{ akUUID: '5f3e58d8-7af3-4d5b-92e3-a3d04b9a3414', weight: 0.6 }]);
	expect(emu.admin.ledger(key).map((l) => l.kind)).toEqual(['training', 'generation']);
}, 30_000);
