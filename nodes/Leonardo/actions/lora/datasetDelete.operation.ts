import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { DeleteDatasetResponse } from '../../../shared/contract';
import { apiRequest } from '../../transport';
import { datasetIdProperty, readDatasetId } from './common';

const properties: INodeProperties[] = [datasetIdProperty];

const displayOptions = { show: { resource: ['lora'], operation: ['datasetDelete'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
): Promise<INodeExecutionData[]> {
	const datasetId = readDatasetId.call(this, i);
	const response = (await apiRequest.call(this, 'DELETE', `/datasets/${datasetId}`, {
		itemIndex: i,
	})) as DeleteDatasetResponse;
	if (!response.delete_datasets_by_pk) {
		throw new NodeOperationError(this.getNode(), `Leonardo has no dataset ${datasetId} to delete`, {
			itemIndex: i,
		});
	}
	return [{ json: { datasetId: response.delete_datasets_by_pk.id, deleted: true }, pairedItem: { item: i } }];
}
