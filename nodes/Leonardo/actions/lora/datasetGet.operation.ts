import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { GetDatasetResponse } from '../../../shared/contract';
import { apiRequest } from '../../transport';
import { datasetIdProperty, readDatasetId } from './common';

const properties: INodeProperties[] = [datasetIdProperty];

const displayOptions = { show: { resource: ['lora'], operation: ['datasetGet'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
): Promise<INodeExecutionData[]> {
	const datasetId = readDatasetId.call(this, i);
	const response = (await apiRequest.call(this, 'GET', `/datasets/${datasetId}`, {
		itemIndex: i,
	})) as GetDatasetResponse;
	const dataset = response.datasets_by_pk;
	if (!dataset) {
		throw new NodeOperationError(this.getNode(), `Leonardo has no dataset ${datasetId}`, {
			itemIndex: i,
			description: 'It may have been deleted, or it belongs to another account.',
		});
	}
	return [
		{
			json: {
				datasetId: dataset.id,
				imageCount: dataset.dataset_images?.length ?? 0,
				...(dataset as unknown as IDataObject),
			},
			pairedItem: { item: i },
		},
	];
}
