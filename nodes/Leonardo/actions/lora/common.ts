/** Parameters shared by the LoRA operations (element and dataset IDs), checked before any request. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isUuid } from '../../../shared/validation';

export const elementIdProperty: INodeProperties = {
	displayName: 'LoRA ID',
	name: 'userLoraId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 123456',
	description: 'The element ID (userLoraId, a whole number) of a LoRA you trained. "user:123456" is accepted too.',
};

export const datasetIdProperty: INodeProperties = {
	displayName: 'Dataset ID',
	name: 'datasetId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
	description: 'The ID of a training dataset (a UUID; the Train output has it as datasetId)',
};

/** The userLoraId parameter as an integer ("123", 123 and "user:123" are accepted). */
export function readUserLoraId(this: IExecuteFunctions, i: number): number {
	const raw = String(this.getNodeParameter('userLoraId', i, '') ?? '').trim();
	const text = raw.replace(/^user:/i, '');
	if (!/^\d+$/.test(text) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) {
		throw new NodeOperationError(
			this.getNode(),
			`LoRA ID "${raw}" is not a Leonardo element ID (a whole number such as 123456)`,
			{ itemIndex: i, description: 'Use the userLoraId of the Train output or of LoRA → Get Many.' },
		);
	}
	return Number(text);
}

export function readDatasetId(this: IExecuteFunctions, i: number): string {
	const datasetId = String(this.getNodeParameter('datasetId', i, '') ?? '').trim();
	if (!isUuid(datasetId)) {
		throw new NodeOperationError(
			this.getNode(),
			`Dataset ID "${datasetId}" is not a Leonardo dataset ID (a UUID)`,
			{ itemIndex: i },
		);
	}
	return datasetId;
}
