/**
 * LoRA → Train with Wait "Poll" (to COMPLETE and to FAILED), then the trained element in the Image Generate
 * LoRA picker (loadOptions, real HTTP) and in a generation request with a weight, next to a platform element.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import type { EmulatorHandle } from '../../emulator';
import { callLoadOptions, runWorkflow, shutdownHarness } from '../helpers/harness';
import { PHOENIX_ID, emulator, leonardoNode, newKey, recordBodies } from '../node/helpers';
import { pngItems } from './images';

const FLAT_ILLUSTRATION = '5f3e58d8-7af3-4d5b-92e3-a3d04b9a3414';

let emu: EmulatorHandle;

beforeAll(async () => {
	// Trainings stay PENDING 3 x 150 ms.
	emu = await emulator(150);
});

afterEach(() => emu.admin.clearFaults());

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

const trainParams = (extra: Record<string, unknown> = {}) => ({
	resource: 'lora',
	operation: 'train',
	name: 'Inkwell Style',
	focus: 'Style',
	sdVersion: 'FLUX_DEV',
	imageSource: 'binary',
	binaryPropertyName: 'data',
	waitMode: 'poll',
	pollIntervalSeconds: 0.5,
	timeoutSeconds: 60,
	options: {},
	...extra,
});

describe('LoRA → Train with Wait: Poll', () => {
	it('polls GET /elements/{id} until COMPLETE, then the LoRA is in the picker and works with a weight', async () => {
		const { credentials, key } = newKey(emu, 'ARTISAN');
		const trained = await runWorkflow({ nodes: [leonardoNode(trainParams())], credentials, input: pngItems(20) });
		expect(trained.error).toBeUndefined();
		const [item] = trained.output('Leonardo');
		const userLoraId = item.json.userLoraId as number;
		expect(item.json).toMatchObject({ status: 'COMPLETE', imagesUsed: 20, notice: null });
		expect(item.json.element).toMatchObject({ id: userLoraId, status: 'COMPLETE', name: 'Inkwell Style', focus: 'Style' });
		const polls = emu.admin.requests({ key }).filter((r) => r.method === 'GET' && r.path.endsWith(`/elements/${userLoraId}`));
		expect(polls.length).toBeGreaterThanOrEqual(1);
		expect(polls.length).toBeLessThanOrEqual(4);
		expect(emu.admin.ledger(key)).toEqual([expect.objectContaining({ kind: 'training', status: 'COMPLETE' })]);

		// The Image Generate LoRA picker lists it (platform elements + the user's trained elements).
		const generateNode = leonardoNode({ resource: 'image', operation: 'generate' });
		const options = (await callLoadOptions({ node: generateNode, credentials, method: 'getElements' })) as INodePropertyOptions[];
		expect(options).toContainEqual(expect.objectContaining({ value: `user:${userLoraId}`, name: 'Trained: Inkwell Style' }));
		expect(options).toContainEqual(expect.objectContaining({ value: `platform:${FLAT_ILLUSTRATION}` }));

		// Generate with the new LoRA at 0.8 and a platform element at 0.6.
		const bodies = recordBodies(emu);
		const generated = await runWorkflow({
			nodes: [
				leonardoNode({
					resource: 'image',
					operation: 'generate',
					prompt: 'a lighthouse in our ink style',
					modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
					sizeMode: 'custom',
					width: 512,
					height: 512,
					numImages: 1,
					loras: {
						lora: [
							{ element: `=user:{{ $json.userLoraId }}`, weight: 0.8 },
							{ element: `platform:${FLAT_ILLUSTRATION}`, weight: 0.6 },
						],
					},
					waitMode: 'poll',
					pollIntervalSeconds: 0.5,
					timeoutSeconds: 30,
					download: false,
				}),
			],
			credentials,
			input: [{ json: item.json }],
		});
		expect(generated.error).toBeUndefined();
		const [request] = bodies.json('POST', '/api/rest/v1/generations');
		expect(request.userElements).toEqual([{ userLoraId, weight: 0.8 }]);
		expect(request.elements).toEqual([{ akUUID: FLAT_ILLUSTRATION, weight: 0.6 }]);
		const [image] = generated.output('Leonardo');
		const record = emu.admin.server.store.generations.get(image.json.generationId as string);
		expect(record?.status).toBe('COMPLETE');
		expect(record?.userElements).toEqual([{ userLoraId, weight: 0.8 }]);
	});

	it('a FAILED training is an error carrying the element ID', async () => {
		const { credentials, userId } = newKey(emu, 'MAESTRO');
		emu.admin.setFaults({ failJobs: { next: 1 } });
		const result = await runWorkflow({ nodes: [leonardoNode(trainParams())], credentials, input: pngItems(10) });
		expect(result.status).toBe('error');
		const [element] = [...emu.admin.server.store.elements.values()].filter((e) => e.userId === userId);
		expect(element.status).toBe('FAILED');
		expect(result.error?.message).toBe(`Leonardo training ${element.id} failed`);
		expect(result.error?.description).toContain(`userLoraId) ${element.id}, dataset ${element.datasetId}`);
	});

	it('stops at the deadline with the element ID (the training keeps running)', async () => {
		const { credentials } = newKey(emu, 'MAESTRO');
		emu.admin.setFaults({ jobLatencyMs: 60_000 });
		const result = await runWorkflow({
			nodes: [leonardoNode(trainParams({ timeoutSeconds: 2, pollIntervalSeconds: 0.5 }))],
			credentials,
			input: pngItems(10),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Timed out after 2 s waiting for Leonardo training \d+$/);
		emu.admin.settleAll();
	}, 15_000);
});
