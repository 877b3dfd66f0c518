import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import * as imageGetAll from '../image/getAll.operation';
import type { OperationContext } from '../node.type';

/** Lists your generations (images and videos): the same implementation as Image → Get Many. */
const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Offset',
		name: 'offset',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Skip this many of the newest generations',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, context: OperationContext): Promise<INodeExecutionData[]> {
	return await (imageGetAll.execute as (this: IExecuteFunctions, i: number, c: OperationContext) => Promise<INodeExecutionData[]>).call(this, i, context);
}
