import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { DeleteGenerationResponse } from '../../../shared/contract';
import { apiRequest } from '../../transport';
import { jobIdProperty } from './get.operation';
import { checkJobId, kindOfId } from './jobs';

const properties: INodeProperties[] = [
	{ ...jobIdProperty, description: 'A generation ID (UUID) or an element (LoRA) ID (integer)' },
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const id = String(this.getNodeParameter('jobId', i, '')).trim();
	const kind = kindOfId(id);
	if (!kind) throw new NodeOperationError(this.getNode(), `Job ID "${id}" is not a Leonardo job ID`, { itemIndex: i });
	checkJobId(this, id, kind, i);
	if (kind === 'training') {
		const r = (await apiRequest.call(this, 'DELETE', `/elements/${id}`, { itemIndex: i })) as {
			delete_user_loras_by_pk?: { id: number } | null;
		};
		if (!r.delete_user_loras_by_pk) {
			throw new NodeOperationError(this.getNode(), `Leonardo has no element ${id} to delete`, { itemIndex: i });
		}
		return [{ json: { elementId: id, jobKind: 'training', deleted: true }, pairedItem: { item: i } }];
	}
	const r = (await apiRequest.call(this, 'DELETE', `/generations/${id}`, { itemIndex: i })) as DeleteGenerationResponse;
	if (!r.delete_generations_by_pk) {
		throw new NodeOperationError(this.getNode(), `Leonardo has no generation ${id} to delete`, { itemIndex: i });
	}
	return [{ json: { generationId: r.delete_generations_by_pk.id, jobKind: 'generation', deleted: true }, pairedItem: { item: i } }];
}
