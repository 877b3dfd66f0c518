import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { POLL_INTERVAL_DEFAULT_S, POLL_INTERVAL_MIN_S, POLL_TIMEOUT_DEFAULT_S, POLL_TIMEOUT_MAX_S } from '../../helpers/constants';
import { planOutputFields } from '../../helpers/plan';
import { pollUntilDone, type PollJob } from '../../helpers/polling';
import { binaryOutputProperties, readWaitSettings } from '../descriptions';
import type { OperationContext } from '../node.type';
import { jobKindProperty } from './get.operation';
import { checkJobId, fetchJob, jobToItems, kindOfId, type FetchedJob, type JobKindChoice } from './jobs';
import { WEBHOOK_TIMEOUT_DEFAULT_MIN, WEBHOOK_TIMEOUT_MAX_MIN } from './webhookWait';

const properties: INodeProperties[] = [
	{
		displayName: 'Job IDs',
		name: 'jobIds',
		type: 'string',
		required: true,
		default: '={{ $json.generationId ?? $json.variationId ?? $json.elementId }}',
		description: 'The job to wait for (several: comma-separated). By default the ID the previous Leonardo node output.',
	},
	jobKindProperty,
	{
		displayName: 'Wait Using',
		name: 'waitMode',
		type: 'options',
		default: 'poll',
		options: [
			{
				name: 'Poll',
				value: 'poll',
				description: 'Check the job status until it finishes; the execution stays in memory (deadline and cancel aware)',
			},
			{
				name: 'Webhook (Durable)',
				value: 'webhook',
				description:
					'Park the execution in n8n\'s waiting state until the Leonardo Trigger relays the callback; survives restarts, costs nothing while waiting',
			},
		],
	},
	{
		displayName:
			'Needs an active workflow with a Leonardo Trigger for the same API key (its Production URL is the Relay URL of the Leonardo Webhook credential). The execution resumes when ALL jobs of all items are done. Failed or timed-out jobs come out as items with an "error" field, never as success. If no trigger resumes the execution, n8n continues it after Deadline + 3 minutes with the input items unchanged (no "status": "COMPLETE", no binary).',
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { waitMode: ['webhook'] } },
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		default: POLL_INTERVAL_DEFAULT_S,
		typeOptions: { minValue: POLL_INTERVAL_MIN_S, numberPrecision: 1 },
		displayOptions: { show: { waitMode: ['poll'] } },
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		default: POLL_TIMEOUT_DEFAULT_S,
		typeOptions: { minValue: 5, maxValue: POLL_TIMEOUT_MAX_S },
		description: 'Give up waiting after this long (the error carries the job ID)',
		displayOptions: { show: { waitMode: ['poll'] } },
	},
	{
		displayName: 'Deadline (Minutes)',
		name: 'webhookTimeoutMinutes',
		type: 'number',
		default: WEBHOOK_TIMEOUT_DEFAULT_MIN,
		typeOptions: { minValue: 1, maxValue: WEBHOOK_TIMEOUT_MAX_MIN },
		description: 'At the deadline the execution continues with each job\'s real state (an error item for unfinished ones)',
		displayOptions: { show: { waitMode: ['webhook'] } },
	},
	...binaryOutputProperties('Outputs'),
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['await'] } }, properties);

function parseIds(raw: unknown): string[] {
	const values = Array.isArray(raw) ? raw : String(raw ?? '').split(',');
	return values.map((v) => String(v ?? '').trim()).filter(Boolean);
}

export async function execute(this: IExecuteFunctions, i: number, { plan }: OperationContext): Promise<INodeExecutionData[]> {
	const ids = parseIds(this.getNodeParameter('jobIds', i, ''));
	const choice = this.getNodeParameter('jobKind', i, 'auto') as JobKindChoice;
	if (!ids.length) {
		throw new NodeOperationError(this.getNode(), 'Job IDs is empty', {
			itemIndex: i,
			description: 'Map the generationId of a previous Leonardo node, or paste an ID.',
		});
	}
	const jobs = ids.map((id) => {
		const kind = kindOfId(id, choice);
		if (!kind) throw new NodeOperationError(this.getNode(), `Job IDs: "${id}" is not a Leonardo job ID`, { itemIndex: i });
		checkJobId(this, id, kind, i);
		return { id, kind };
	});
	const mode = this.getNodeParameter('waitMode', i, 'poll') as string;
	if (mode === 'webhook') {
		// The router registers every item's jobs with the relay in ONE request and parks the execution.
		const idField = { generation: 'generationId', variation: 'variationId', training: 'elementId' } as const;
		return jobs.map((job) => ({
			json: { [idField[job.kind]]: job.id, jobKind: job.kind, status: 'PENDING', ...planOutputFields(plan) },
			pairedItem: { item: i },
		}));
	}
	const wait = readWaitSettings.call(this, i);
	const download = this.getNodeParameter('download', i, true) as boolean;
	const binaryPropertyName = download ? ((this.getNodeParameter('binaryPropertyOutput', i, 'data') as string) || 'data') : 'data';
	const out: INodeExecutionData[] = [];
	for (const job of jobs) {
		const fetched = await pollUntilDone.call<IExecuteFunctions, [PollJob<FetchedJob>], Promise<FetchedJob>>(this, {
			intervalMs: wait.intervalMs,
			timeoutMs: wait.timeoutMs,
			itemIndex: i,
			jobId: job.id,
			jobLabel: job.kind === 'training' ? 'element training' : job.kind,
			fetch: async () => await fetchJob.call(this, job.id, choice === 'auto' ? 'auto' : job.kind, i),
			status: (r: FetchedJob) => (r.status === 'MISSING' ? 'FAILED' : r.status),
		});
		out.push(...(await jobToItems.call(this, fetched, { itemIndex: i, plan, download, binaryPropertyName })));
	}
	return out;
}
