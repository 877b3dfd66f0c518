import type { INodeProperties } from 'n8n-workflow';

import type { ResourceOperations } from '../node.type';
import * as awaitJob from './await.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export const operations: ResourceOperations = { get, getAll, delete: del, await: awaitJob };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Await',
				value: 'await',
				action: 'Wait for a job to finish',
				description: 'Wait for generations, variations or LoRA trainings (poll, or durable webhook wait)',
			},
			{ name: 'Delete', value: 'delete', action: 'Delete a job', description: 'Delete a generation or a trained element' },
			{ name: 'Get', value: 'get', action: 'Get a job', description: 'Get the state of any job by ID' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many jobs', description: 'List your generations' },
		],
		default: 'await',
	},
	...get.description,
	...getAll.description,
	...del.description,
	...awaitJob.description,
];
