import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { DeleteGenerationResponse } from '../../../shared/contract';
import { isUuid } from '../../../shared/validation';
import { apiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Generation ID',
		name: 'generationId',
		type: 'string',
		required: true,
		default: '',
	},
];

const displayOptions = { show: { resource: ['image'], operation: ['delete'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
): Promise<INodeExecutionData[]> {
	const generationId = (this.getNodeParameter('generationId', i, '') as string).trim();
	if (!isUuid(generationId)) {
		throw new NodeOperationError(this.getNode(), `Generation ID "${generationId}" is not a Leonardo generation ID (a UUID)`, {
			itemIndex: i,
		});
	}
	const response = (await apiRequest.call(this, 'DELETE', `/generations/${generationId}`, {
		itemIndex: i,
	})) as DeleteGenerationResponse;
	if (!response.delete_generations_by_pk) {
		throw new NodeOperationError(this.getNode(), `Leonardo has no generation ${generationId} to delete`, {
			itemIndex: i,
		});
	}
	return [{ json: { generationId: response.delete_generations_by_pk.id, deleted: true }, pairedItem: { item: i } }];
}
