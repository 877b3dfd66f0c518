import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as account from './actions/account';
import * as image from './actions/image';
import * as job from './actions/job';
import { AWAIT_WEBHOOKS, awaitWebhook } from './actions/job/webhookWait';
import * as lora from './actions/lora';
import * as motion from './actions/motion';
import { router } from './actions/router';
import { listSearch, loadOptions } from './methods';

export class Leonardo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Leonardo',
		name: 'leonardo',
		icon: { light: 'file:../../icons/leonardo.svg', dark: 'file:../../icons/leonardo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Generate images with Leonardo AI: models, LoRAs, Consistent Character, plan-aware',
		defaults: { name: 'Leonardo' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'leonardoApi', required: true },
			// Wait for Result "Webhook": the relay (Leonardo Trigger) URL and the shared secret.
			{ name: 'leonardoWebhookApi', required: true, displayOptions: { show: { waitMode: ['webhook'] } } },
		],
		// Restart webhook used to resume an execution parked by Wait for Result "Webhook".
		webhooks: AWAIT_WEBHOOKS,
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Image', value: 'image' },
					{ name: 'Job', value: 'job' },
					{ name: 'LoRA', value: 'lora' },
					{ name: 'Motion', value: 'motion' },
				],
				default: 'image',
			},
			...image.description,
			...account.description,
			...job.description,
			...lora.description,
			...motion.description,
		],
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	/** Resumes an execution parked by Wait for Result "Webhook" (signed message from the Leonardo Trigger). */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await awaitWebhook.call(this);
	}
}
