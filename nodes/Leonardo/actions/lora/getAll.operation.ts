import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { JOB_STATUSES, type ListUserElementsResponse, type UserLora } from '../../../shared/contract';
import { apiRequest, getUserId } from '../../transport';
import { returnAllProperties } from '../descriptions';

const properties: INodeProperties[] = [
	...returnAllProperties(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'COMPLETE',
				options: JOB_STATUSES.map((status) => ({
					name: status.charAt(0) + status.slice(1).toLowerCase(),
					value: status,
				})),
				description: 'Only LoRAs whose training has this status',
			},
		],
	},
];

const displayOptions = { show: { resource: ['lora'], operation: ['getAll'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Newest first (the API's order is not documented). */
function newestFirst(a: UserLora, b: UserLora) {
	return String(b.createdAt ?? '').localeCompare(String(a.createdAt ?? '')) || b.id - a.id;
}

export async function execute(
	this: IExecuteFunctions,
	i: number,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i, 50) as number);
	const filters = this.getNodeParameter('filters', i, {}) as { status?: string };
	const userId = await getUserId.call(this, i);
	// GET /elements/user/{userId} has no paging: one request returns every element of the account.
	const response = (await apiRequest.call(this, 'GET', `/elements/user/${userId}`, {
		itemIndex: i,
	})) as ListUserElementsResponse;
	const elements = (response.user_loras ?? [])
		.filter((element): element is UserLora => Boolean(element))
		.filter((element) => !filters.status || element.status === filters.status)
		.sort(newestFirst)
		.slice(0, limit);
	return elements.map((element) => ({
		json: { userLoraId: element.id, ...(element as unknown as IDataObject) },
		pairedItem: { item: i },
	}));
}
