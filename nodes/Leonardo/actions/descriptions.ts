/**
 * Shared property factories. Operations compose these instead of copy-pasting blocks.
 */
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	POLL_INTERVAL_DEFAULT_S,
	POLL_INTERVAL_MIN_S,
	POLL_TIMEOUT_DEFAULT_S,
	POLL_TIMEOUT_MAX_S,
	POLL_TIMEOUT_MIN_S,
} from '../helpers/constants';

export const modelRLC = (searchListMethod: string): INodeProperties => ({
	displayName: 'Model',
	name: 'modelId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'Platform model or one of your custom models',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod, searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
						errorMessage: 'A Leonardo model ID is a UUID',
					},
				},
			],
		},
	],
});

/**
 * Wait modes of a long-running operation. The Await engineer adds `webhook` here (and handles it in
 * readWaitSettings' callers); every operation using waitProperties() then offers it.
 */
export const WAIT_MODE_OPTIONS: INodePropertyOptions[] = [
	{
		name: "Don't Wait",
		value: 'none',
		description: 'Return the job ID and cost at once; fetch the result later with Get',
	},
	{
		name: 'Poll',
		value: 'poll',
		description: 'Check the job status until it finishes (deadline and cancel aware)',
	},
	{
		name: 'Webhook (Durable)',
		value: 'webhook',
		description:
			"Park the execution in n8n's waiting state until the Leonardo Trigger relays Leonardo's callback (needs an active Leonardo Trigger workflow)",
	},
];

export type WaitMode = 'none' | 'poll' | 'webhook';

export interface WaitSettings {
	mode: WaitMode;
	intervalMs: number;
	timeoutMs: number;
}

/** waitMode + poll interval + timeout; `defaultMode` per operation (images: poll). */
export function waitProperties(
	defaultMode: WaitMode = 'poll',
	defaults: { intervalSeconds?: number; timeoutSeconds?: number } = {},
): INodeProperties[] {
	const properties: INodeProperties[] = [
		{
			displayName: 'Wait for Result',
			name: 'waitMode',
			type: 'options',
			default: defaultMode,
			options: WAIT_MODE_OPTIONS,
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			default: 4,
			typeOptions: { minValue: POLL_INTERVAL_MIN_S, numberPrecision: 1 },
			description:
				'Wait before the first status check. Later checks wait longer and longer, to spend few requests of the plan budget.',
			displayOptions: { show: { waitMode: ['poll'] } },
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			default: 300,
			typeOptions: { minValue: POLL_TIMEOUT_MIN_S, maxValue: POLL_TIMEOUT_MAX_S },
			description: 'Give up waiting after this long (the error carries the job ID)',
			displayOptions: { show: { waitMode: ['poll'] } },
		},
		// Wait: Webhook (owned by the Await/Trigger work, nodes/Leonardo/actions/job/webhookWait.ts)
		{
			displayName:
				'Needs an active workflow with a Leonardo Trigger for the same API key; its Production URL is the Relay URL of the Leonardo Webhook credential. The execution resumes when the jobs of ALL items are done. Failed or timed-out jobs come out as items with an "error" field. If no trigger resumes it, n8n continues after Deadline + 3 minutes with the input items unchanged (no binary, no "status": "COMPLETE").',
			name: 'webhookNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { waitMode: ['webhook'] } },
		},
		{
			displayName: 'Deadline (Minutes)',
			name: 'webhookTimeoutMinutes',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 1, maxValue: 10080 },
			description: "At the deadline the execution continues with each job's real state (an error item for unfinished ones)",
			displayOptions: { show: { waitMode: ['webhook'] } },
		},
	];
	if (defaults.intervalSeconds !== undefined) properties[1].default = defaults.intervalSeconds;
	if (defaults.timeoutSeconds !== undefined) properties[2].default = defaults.timeoutSeconds;
	return properties;
}

export function readWaitSettings(this: IExecuteFunctions, i: number): WaitSettings {
	const mode = this.getNodeParameter('waitMode', i, 'poll') as WaitMode;
	if (mode !== 'poll') return { mode, intervalMs: 0, timeoutMs: 0 };
	const interval = this.getNodeParameter('pollIntervalSeconds', i, POLL_INTERVAL_DEFAULT_S) as number;
	const timeout = this.getNodeParameter('timeoutSeconds', i, POLL_TIMEOUT_DEFAULT_S) as number;
	if (!(interval >= POLL_INTERVAL_MIN_S)) {
		throw new NodeOperationError(
			this.getNode(),
			`Poll Interval (Seconds) must be at least ${POLL_INTERVAL_MIN_S}`,
			{ itemIndex: i },
		);
	}
	if (!(timeout >= POLL_TIMEOUT_MIN_S) || timeout > POLL_TIMEOUT_MAX_S) {
		throw new NodeOperationError(
			this.getNode(),
			`Timeout (Seconds) must be between ${POLL_TIMEOUT_MIN_S} and ${POLL_TIMEOUT_MAX_S}`,
			{ itemIndex: i },
		);
	}
	return { mode, intervalMs: Math.round(interval * 1000), timeoutMs: Math.round(timeout * 1000) };
}

/** "Download" switch + output binary property name. */
export function binaryOutputProperties(what = 'Images'): INodeProperties[] {
	return [
		{
			displayName: `Download ${what}`,
			name: 'download',
			type: 'boolean',
			default: true,
			description: `Whether to download the ${what.toLowerCase()} as n8n binary data. Off = URLs only.`,
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyOutput',
			type: 'string',
			default: 'data',
			hint: 'The name of the output binary field to put the file in',
			displayOptions: { show: { download: [true] } },
		},
	];
}

/** Return All + Limit, the pagination pair of every Get Many operation. */
export function returnAllProperties(): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

export interface OutputSettings {
	wait: WaitSettings;
	download: boolean;
	binaryPropertyName: string;
}

/** Wait settings plus the output-file parameters of binaryOutputProperties() (empty field name → `data`). */
export function readOutputSettings(ctx: IExecuteFunctions, i: number): OutputSettings {
	const wait = readWaitSettings.call(ctx, i);
	const download = ctx.getNodeParameter('download', i, true) as boolean;
	const binaryPropertyName = download
		? ((ctx.getNodeParameter('binaryPropertyOutput', i, 'data') as string) || 'data')
		: 'data';
	return { wait, download, binaryPropertyName };
}
