import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { DeleteElementResponse } from '../../../shared/contract';
import { apiRequest } from '../../transport';
import { elementIdProperty, readUserLoraId } from './common';

const properties: INodeProperties[] = [elementIdProperty];

const displayOptions = { show: { resource: ['lora'], operation: ['delete'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
): Promise<INodeExecutionData[]> {
	const userLoraId = readUserLoraId.call(this, i);
	const response = (await apiRequest.call(this, 'DELETE', `/elements/${userLoraId}`, {
		itemIndex: i,
	})) as DeleteElementResponse;
	if (!response.delete_user_loras_by_pk) {
		throw new NodeOperationError(this.getNode(), `Leonardo has no LoRA (element) ${userLoraId} to delete`, {
			itemIndex: i,
		});
	}
	return [{ json: { userLoraId: response.delete_user_loras_by_pk.id, deleted: true }, pairedItem: { item: i } }];
}
