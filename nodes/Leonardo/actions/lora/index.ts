import type { INodeProperties } from 'n8n-workflow';

import type { ResourceOperations } from '../node.type';
import * as datasetDelete from './datasetDelete.operation';
import * as datasetGet from './datasetGet.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as train from './train.operation';

export const operations: ResourceOperations = {
	train,
	get,
	getAll,
	delete: del,
	datasetGet,
	datasetDelete,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['lora'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a lora',
				description: 'Delete a trained LoRA (element)',
			},
			{
				name: 'Delete Dataset',
				value: 'datasetDelete',
				action: 'Delete a training dataset',
				description: 'Delete a training dataset and its images',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a lora',
				description: 'Get a trained LoRA (element) with its training status',
			},
			{
				name: 'Get Dataset',
				value: 'datasetGet',
				action: 'Get a training dataset',
				description: 'Get a training dataset with its images',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many loras',
				description: 'List your trained LoRAs (elements) with their status',
			},
			{
				name: 'Train',
				value: 'train',
				action: 'Train a lora from images',
				description: 'Train a LoRA from ALL input items (one image each): one output item',
			},
		],
		default: 'train',
	},
	...train.description,
	...get.description,
	...getAll.description,
	...del.description,
	...datasetGet.description,
	...datasetDelete.description,
];
