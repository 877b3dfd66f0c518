import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import type { ListPlatformElementsResponse, ListUserElementsResponse } from '../../shared/contract';
import { apiRequest, getUserId } from '../transport';

/**
 * LoRA elements for the picker. Values are encoded so the node can tell them apart:
 * "platform:<akUUID>" (sent in elements[]) and "user:<userLoraId>" (integer, sent in userElements[]).
 */
export async function getElements(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const platform = (await apiRequest.call(this, 'GET', '/elements')) as ListPlatformElementsResponse;
	const userId = await getUserId.call(this);
	const mine = (await apiRequest.call(this, 'GET', `/elements/user/${userId}`)) as ListUserElementsResponse;
	return [
		...(mine.user_loras ?? [])
			.filter((l) => l && l.status === 'COMPLETE')
			.map((l) => ({
				name: `Trained: ${l.name}`,
				value: `user:${l.id}`,
				description: `${l.focus} LoRA on ${l.baseModel}`,
			})),
		...(platform.loras ?? []).map((e) => ({
			name: e.name,
			value: `platform:${e.akUUID}`,
			description: `${e.baseModel}, weight ${e.weightMin} to ${e.weightMax} (default ${e.weightDefault})`,
		})),
	];
}
