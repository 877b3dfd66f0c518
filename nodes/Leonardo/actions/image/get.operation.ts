import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { GetGenerationResponse } from '../../../shared/contract';
import { isUuid } from '../../../shared/validation';
import { generationToItems } from '../../helpers/output';
import { planOutputFields } from '../../helpers/plan';
import { apiRequest } from '../../transport';
import { binaryOutputProperties } from '../descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Generation ID',
		name: 'generationId',
		type: 'string',
		required: true,
		default: '',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'generation',
		options: [
			{ name: 'Generation', value: 'generation', description: 'One item with the whole generation' },
			{ name: 'One Item per Image', value: 'images', description: 'Like Generate: one item per image, with binary' },
		],
	},
	...binaryOutputProperties('Images').map((p) => ({
		...p,
		displayOptions: { show: { ...(p.displayOptions?.show ?? {}), output: ['images'] } },
	})),
];

const displayOptions = { show: { resource: ['image'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	const generationId = (this.getNodeParameter('generationId', i, '') as string).trim();
	if (!isUuid(generationId)) {
		throw new NodeOperationError(this.getNode(), `Generation ID "${generationId}" is not a Leonardo generation ID (a UUID)`, {
			itemIndex: i,
		});
	}
	const response = (await apiRequest.call(this, 'GET', `/generations/${generationId}`, {
		itemIndex: i,
	})) as GetGenerationResponse;
	const generation = response.generations_by_pk;
	if (!generation) {
		throw new NodeOperationError(this.getNode(), `Leonardo has no generation ${generationId}`, {
			itemIndex: i,
			description: 'It may have been deleted, or belong to another account.',
		});
	}
	const output = this.getNodeParameter('output', i, 'generation') as string;
	if (output === 'images' && generation.status === 'COMPLETE') {
		const download = this.getNodeParameter('download', i, true) as boolean;
		return await generationToItems.call(this, generation, {
			itemIndex: i,
			plan,
			download,
			binaryPropertyName: download ? ((this.getNodeParameter('binaryPropertyOutput', i, 'data') as string) || 'data') : 'data',
		});
	}
	return [
		{
			json: { ...(generation as unknown as IDataObject), ...planOutputFields(plan) },
			pairedItem: { item: i },
		},
	];
}
