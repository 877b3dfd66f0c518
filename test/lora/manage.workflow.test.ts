/**
 * LoRA → Get, Get Many, Delete, Get Dataset, Delete Dataset through WorkflowExecute against the emulator.
 */
import type { EmulatorHandle } from '../../emulator';
import { runWorkflow, shutdownHarness } from '../helpers/harness';
import { emulator, leonardoNode, newKey } from '../node/helpers';
import { pngItems } from './images';

let emu: EmulatorHandle;
let credentials: ReturnType<typeof newKey>['credentials'];
let key: string;
let first: { userLoraId: number; datasetId: string };
let second: { userLoraId: number; datasetId: string };

async function train(name: string) {
	const result = await runWorkflow({
		nodes: [
			leonardoNode({
				resource: 'lora',
				operation: 'train',
				name,
				focus: 'Object',
				sdVersion: 'FLUX_DEV',
				waitMode: 'none',
				options: {},
			}),
		],
		credentials,
		input: pngItems(10),
	});
	expect(result.error).toBeUndefined();
	const json = result.output('Leonardo')[0].json;
	return { userLoraId: json.userLoraId as number, datasetId: json.datasetId as string };
}

const run = async (parameters: Record<string, unknown>, input = [{ json: {} }]) =>
	await runWorkflow({ nodes: [leonardoNode({ resource: 'lora', ...parameters })], credentials, input });

beforeAll(async () => {
	emu = await emulator(100);
	({ credentials, key } = newKey(emu, 'MAESTRO'));
	first = await train('Bottle');
	emu.admin.settleAll(); // first training COMPLETE
	second = await train('Lamp'); // still PENDING
});

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

describe('LoRA → Get / Get Many / Delete', () => {
	it('gets one element with its status', async () => {
		const result = await run({ operation: 'get', userLoraId: `user:${first.userLoraId}` });
		expect(result.error).toBeUndefined();
		expect(result.output('Leonardo')).toEqual([
			expect.objectContaining({
				json: expect.objectContaining({ userLoraId: first.userLoraId, name: 'Bottle', status: 'COMPLETE', focus: 'Object' }),
				pairedItem: { item: 0 },
			}),
		]);
	});

	it('lists the elements newest first, with a status filter and a limit', async () => {
		const all = await run({ operation: 'getAll', returnAll: true });
		expect(all.output('Leonardo').map((o) => [o.json.userLoraId, o.json.status])).toEqual([
			[second.userLoraId, 'PENDING'],
			[first.userLoraId, 'COMPLETE'],
		]);
		const complete = await run({ operation: 'getAll', returnAll: true, filters: { status: 'COMPLETE' } });
		expect(complete.output('Leonardo').map((o) => o.json.name)).toEqual(['Bottle']);
		const limited = await run({ operation: 'getAll', returnAll: false, limit: 1 });
		expect(limited.output('Leonardo')).toHaveLength(1);
	});

	it('refuses a LoRA ID that is not a whole number before any request', async () => {
		const before = emu.admin.requests({ key }).length;
		const result = await run({ operation: 'get', userLoraId: 'abc' });
		expect(result.error?.message).toBe('LoRA ID "abc" is not a Leonardo element ID (a whole number such as 123456)');
		expect(emu.admin.requests({ key })).toHaveLength(before);
	});

	it('gets and deletes a dataset, then deletes an element; unknown IDs are errors', async () => {
		const got = await run({ operation: 'datasetGet', datasetId: first.datasetId });
		expect(got.output('Leonardo')[0].json).toMatchObject({ datasetId: first.datasetId, imageCount: 10, name: 'Bottle' });
		expect(got.output('Leonardo')[0].json.dataset_images).toHaveLength(10);

		const deletedDataset = await run({ operation: 'datasetDelete', datasetId: first.datasetId });
		expect(deletedDataset.output('Leonardo')[0].json).toEqual({ datasetId: first.datasetId, deleted: true });
		const gone = await run({ operation: 'datasetGet', datasetId: first.datasetId });
		expect(gone.error?.message).toBe(`Leonardo has no dataset ${first.datasetId}`);

		const deleted = await run({ operation: 'delete', userLoraId: String(second.userLoraId) });
		expect(deleted.output('Leonardo')[0].json).toEqual({ userLoraId: second.userLoraId, deleted: true });
		const again = await run({ operation: 'delete', userLoraId: String(second.userLoraId) });
		expect(again.error?.message).toBe(`Leonardo has no LoRA (element) ${second.userLoraId} to delete`);
		const list = await run({ operation: 'getAll', returnAll: true });
		expect(list.output('Leonardo').map((o) => o.json.userLoraId)).toEqual([first.userLoraId]);
	});
});
