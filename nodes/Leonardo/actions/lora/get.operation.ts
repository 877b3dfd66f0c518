import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { GetElementResponse } from '../../../shared/contract';
import { apiRequest } from '../../transport';
import { elementIdProperty, readUserLoraId } from './common';

const properties: INodeProperties[] = [elementIdProperty];

const displayOptions = { show: { resource: ['lora'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
): Promise<INodeExecutionData[]> {
	const userLoraId = readUserLoraId.call(this, i);
	const response = (await apiRequest.call(this, 'GET', `/elements/${userLoraId}`, {
		itemIndex: i,
	})) as GetElementResponse;
	const element = response.user_loras_by_pk;
	if (!element) {
		throw new NodeOperationError(this.getNode(), `Leonardo has no LoRA (element) ${userLoraId}`, {
			itemIndex: i,
			description: 'It may have been deleted, or it belongs to another account.',
		});
	}
	return [{ json: { userLoraId: element.id, ...(element as unknown as IDataObject) }, pairedItem: { item: i } }];
}
