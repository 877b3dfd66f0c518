/**
 * downloadToBinary (buffered and streamed) and uploadPresigned inside a real execution: a tiny test node
 * calls the transport helpers the way operations do.
 */
import type { IExecuteFunctions, INodeType } from 'n8n-workflow';

import type { EmulatorHandle } from '../../emulator';
import { downloadToBinary, uploadInitImage } from '../../nodes/Leonardo/transport';
import { binaryBuffer, registerNodeType, runWorkflow, shutdownHarness } from '../helpers/harness';
import { PNG_MAGIC, TINY_PNG, emulator, leonardoNode, newKey, PHOENIX_ID } from './helpers';

let emu: EmulatorHandle;

const transportNode: INodeType = {
	description: {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'leonardoApi', required: true }],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		const items = this.getInputData();
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const url = items[i].json.url as string;
			const buffered = await downloadToBinary.call(this, url, { fileName: 'a.png', itemIndex: i });
			const streamed = await downloadToBinary.call(this, url, { fileName: 'b.png', stream: true, itemIndex: i });
			const initImageId = await uploadInitImage.call(
				this,
				{ data: TINY_PNG, fileName: 'tiny.png', mimeType: 'image/png', extension: 'png' },
				i,
			);
			out.push({ json: { initImageId }, binary: { buffered, streamed }, pairedItem: { item: i } });
		}
		return [out];
	},
};
registerNodeType('test.transportProbe', () => transportNode);

beforeAll(async () => {
	emu = await emulator(50);
});

afterAll(async () => {
	await emu.stop();
	await shutdownHarness();
});

it('downloads CDN files buffered and streamed, and uploads an init image without auth', async () => {
	const { credentials, key } = newKey(emu, 'MAESTRO');
	const made = await runWorkflow({
		nodes: [
			leonardoNode({
				resource: 'image',
				operation: 'generate',
				prompt: 'a teapot',
				modelId: { __rl: true, mode: 'id', value: PHOENIX_ID },
				sizeMode: 'aspectRatio',
				aspectRatio: '1:1',
				longSide: 512,
				numImages: 1,
				waitMode: 'poll',
				pollIntervalSeconds: 0.5,
				timeoutSeconds: 30,
				download: false,
			}),
		],
		credentials,
	});
	const url = made.output('Leonardo')[0].json.url as string;
	const probe = await runWorkflow({
		nodes: [{ name: 'Probe', type: 'test.transportProbe' }],
		credentials,
		input: [{ json: { url } }],
	});
	expect(probe.error).toBeUndefined();
	const [item] = probe.output('Probe');
	const a = await binaryBuffer(item, 'buffered');
	const b = await binaryBuffer(item, 'streamed');
	expect(a.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
	expect(b.equals(a)).toBe(true);
	expect(item.binary?.buffered.mimeType).toBe('image/png');
	expect(item.json.initImageId).toEqual(expect.any(String));
	const init = await fetch(`${emu.url}/api/rest/v1/init-image/${item.json.initImageId as string}`, {
		headers: { authorization: `Bearer ${key}` },
	});
	const body = (await init.json()) as { init_images_by_pk: { id: string; url: string } | null };
	expect(body.init_images_by_pk?.id).toBe(item.json.initImageId);
	const uploaded = Buffer.from(await (await fetch(body.init_images_by_pk!.url)).arrayBuffer());
	expect(uploaded.equals(TINY_PNG)).toBe(true);
});
