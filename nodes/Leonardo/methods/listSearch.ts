import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import type { ListCustomModelsResponse, ListPlatformModelsResponse } from '../../shared/contract';
import { apiRequest, getUserId } from '../transport';

/** Platform models (/platformModels) plus the user's own custom models (/models/user/{userId}). */
export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const platform = (await apiRequest.call(this, 'GET', '/platformModels')) as ListPlatformModelsResponse;
	const userId = await getUserId.call(this);
	const custom = (await apiRequest.call(this, 'GET', `/models/user/${userId}`)) as ListCustomModelsResponse;
	const needle = (filter ?? '').toLowerCase();
	const results: INodeListSearchItems[] = [
		...(platform.custom_models ?? []).map((m) => ({ name: m.name, value: m.id, description: m.description ?? undefined })),
		...(custom.custom_models ?? [])
			.filter((m) => m.status === 'COMPLETE')
			.map((m) => ({ name: `${m.name} (custom)`, value: m.id, description: m.description ?? undefined })),
	].filter((m) => !needle || m.name.toLowerCase().includes(needle) || m.value.toLowerCase() === needle);
	return { results };
}
