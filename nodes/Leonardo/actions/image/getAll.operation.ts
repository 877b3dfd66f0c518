import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ListGenerationsResponse } from '../../../shared/contract';
import { apiRequest, getUserId } from '../../transport';
import { returnAllProperties } from '../descriptions';

/** Page size used by Return All. */
const PAGE_SIZE = 50;

/** Shared with Job → Get Many, which lists the same generations. */
export const listGenerationsProperties: INodeProperties[] = [
	...returnAllProperties(),
	{
		displayName: 'Offset',
		name: 'offset',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Skip this many of the newest generations',
	},
];

const displayOptions = { show: { resource: ['image'], operation: ['getAll'] } };

export const description = updateDisplayOptions(displayOptions, listGenerationsProperties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i, 50) as number);
	let offset = this.getNodeParameter('offset', i, 0) as number;
	const userId = await getUserId.call(this, i);
	const results: IDataObject[] = [];
	while (results.length < limit) {
		const pageSize = Math.min(PAGE_SIZE, limit - results.length);
		const response = (await apiRequest.call(this, 'GET', `/generations/user/${userId}`, {
			qs: { limit: pageSize, offset },
			itemIndex: i,
		})) as ListGenerationsResponse;
		const page = response.generations ?? [];
		results.push(...(page as unknown as IDataObject[]));
		offset += page.length;
		if (page.length < pageSize) break;
	}
	return results.map((generation) => ({ json: generation, pairedItem: { item: i } }));
}
