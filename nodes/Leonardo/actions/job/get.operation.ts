import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { planOutputFields } from '../../helpers/plan';
import type { OperationContext } from '../node.type';
import { checkJobId, failedJobJson, fetchJob, kindOfId, type JobKindChoice } from './jobs';

export const jobIdProperty: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 4f0c1d2e-... or 1234',
	description: 'A generation ID (image or video), a post-processing variation ID, or an element (LoRA training) ID',
};

export const jobKindProperty: INodeProperties = {
	displayName: 'Job Kind',
	name: 'jobKind',
	type: 'options',
	default: 'auto',
	options: [
		{ name: 'Auto-Detect', value: 'auto', description: 'Integer = element training; UUID = generation, else variation' },
		{ name: 'Element Training (LoRA)', value: 'training' },
		{ name: 'Generation (Image or Video)', value: 'generation' },
		{ name: 'Post-Processing Variation', value: 'variation' },
	],
};

const properties: INodeProperties[] = [jobIdProperty, jobKindProperty];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, i: number, { plan }: OperationContext): Promise<INodeExecutionData[]> {
	const id = String(this.getNodeParameter('jobId', i, '')).trim();
	const choice = this.getNodeParameter('jobKind', i, 'auto') as JobKindChoice;
	const kind = kindOfId(id, choice);
	if (!kind) {
		throw new NodeOperationError(this.getNode(), `Job ID "${id}" is not a Leonardo job ID (a UUID or an integer element ID)`, { itemIndex: i });
	}
	checkJobId(this, id, kind, i);
	const job = await fetchJob.call(this, id, choice, i);
	if (job.status === 'MISSING') {
		const error = new NodeOperationError(this.getNode(), failedJobJson(job).error as string, { itemIndex: i });
		error.context.jobId = id;
		throw error;
	}
	const row = 'generation' in job ? job.generation : 'variation' in job ? job.variation : 'element' in job ? job.element : {};
	return [
		{
			json: { jobKind: job.kind, jobId: id, status: job.status, ...(row as IDataObject), ...planOutputFields(plan) },
			pairedItem: { item: i },
		},
	];
}
