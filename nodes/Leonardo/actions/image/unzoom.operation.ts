/**
 * Image → Unzoom: POST /variations/unzoom on a generated image or a variation (isVariation).
 * Leonardo's variations do not accept uploaded init images. Waits on GET /variations/{id}.
 * The result shows more of the scene around the subject.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { VariationJobResponse } from '../../../shared/contract';
import { apiRequest } from '../../transport';
import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import { readOutputSettings, readSource, runVariationJob, sourceProperties, type EditSource } from './editing';

const SOURCES: EditSource[] = ['generated', 'variation'];

const properties: INodeProperties[] = [
	...sourceProperties(SOURCES),
	...waitProperties('poll'),
	...binaryOutputProperties('Image'),
];

const displayOptions = { show: { resource: ['image'], operation: ['unzoom'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	const source = (await readSource(this, i, SOURCES)) as { kind: 'generated' | 'variation'; id: string };
	const output = readOutputSettings(this, i);
	const body = source.kind === 'variation' ? { id: source.id, isVariation: true } : { id: source.id };
	return await runVariationJob.call(this, {
		i,
		plan,
		...output,
		operation: 'unzoom',
		extra: source.kind === 'variation' ? { sourceVariationId: source.id } : { sourceImageId: source.id },
		create: async () => {
			const response = (await apiRequest.call(this, 'POST', '/variations/unzoom', {
				body,
				jobCreating: true,
				itemIndex: i,
			})) as VariationJobResponse;
			return response.sdUnzoomJob;
		},
	});
}
