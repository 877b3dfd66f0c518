import type { INodeProperties } from 'n8n-workflow';

import type { ResourceOperations } from '../node.type';
import * as estimateCost from './estimateCost.operation';
import * as get from './get.operation';

export const operations: ResourceOperations = { get, estimateCost };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [
			{ name: 'Estimate Cost', value: 'estimateCost', action: 'Estimate the cost of a job', description: "Ask Leonardo's pricing calculator" },
			{ name: 'Get', value: 'get', action: 'Get account details', description: 'Tokens, concurrency, plan and user ID' },
		],
		default: 'get',
	},
	...get.description,
	...estimateCost.description,
];
