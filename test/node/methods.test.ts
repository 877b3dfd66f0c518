/**
 * listSearch (models) and loadOptions (LoRA elements) against the emulator over real HTTP. The load-options
 * context is a small stand-in whose httpRequestWithAuthentication applies the credential's bearer header,
 * as n8n's does from the credential's `authenticate` block.
 */
import { randomUUID } from 'crypto';
import type { IHttpRequestOptions, ILoadOptionsFunctions, INode } from 'n8n-workflow';

import type { EmulatorHandle } from '../../emulator';
import { getElements } from '../../nodes/Leonardo/methods/loadOptions';
import { searchModels } from '../../nodes/Leonardo/methods/listSearch';
import { resetPacing } from '../../nodes/Leonardo/transport/pacing';
import { PHOENIX_ID, emulator, newKey } from './helpers';

let emu: EmulatorHandle;

beforeAll(async () => {
	emu = await emulator(50);
});

afterAll(async () => {
	await emu.stop();
	resetPacing();
});

function loadOptionsContext(credentials: Record<string, unknown>): ILoadOptionsFunctions {
	const node = { id: randomUUID(), name: 'Leonardo', type: 'n8n-nodes-leonardo.leonardo', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
	const request = async (_type: string, options: IHttpRequestOptions) => {
		const url = new URL(options.url);
		for (const [k, v] of Object.entries(options.qs ?? {})) url.searchParams.set(k, String(v));
		const response = await fetch(url, {
			method: options.method,
			headers: { ...(options.headers as Record<string, string>), authorization: `Bearer ${credentials.apiKey as string}` },
			body: options.body ? JSON.stringify(options.body) : undefined,
		});
		const headers: Record<string, string> = {};
		response.headers.forEach((value, name) => (headers[name] = value));
		return { statusCode: response.status, headers, body: await response.json() };
	};
	return {
		getNode: () => node,
		getCredentials: async () => credentials,
		helpers: { httpRequestWithAuthentication: request },
	} as unknown as ILoadOptionsFunctions;
}

describe('methods', () => {
	it('searchModels lists platform models and filters by name', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const ctx = loadOptionsContext(credentials.leonardoApi);
		const all = await searchModels.call(ctx);
		expect(all.results.find((m) => m.value === PHOENIX_ID)?.name).toMatch(/Phoenix/);
		const filtered = await searchModels.call(ctx, 'phoenix');
		expect(filtered.results.length).toBeGreaterThan(0);
		expect(filtered.results.every((m) => /phoenix/i.test(m.name))).toBe(true);
	});

	it('getElements encodes platform elements (akUUID) and trained LoRAs (integer id) distinctly', async () => {
		const { credentials } = newKey(emu, 'ARTISAN');
		const options = await getElements.call(loadOptionsContext(credentials.leonardoApi));
		const platform = options.filter((o) => String(o.value).startsWith('platform:'));
		expect(platform.length).toBeGreaterThan(0);
		expect(platform.every((o) => /^platform:[0-9a-f-]{36}$/.test(String(o.value)))).toBe(true);
		expect(platform[0].description).toMatch(/weight -?\d+ to \d+/);
	});

	it('a Free key gets the plan error, and nothing is sent', async () => {
		const { credentials, key } = newKey(emu, 'FREE');
		await expect(searchModels.call(loadOptionsContext(credentials.leonardoApi))).rejects.toThrow(/Artisan or Maestro needed/);
		expect(emu.admin.requests({ key })).toEqual([]);
	});
});
