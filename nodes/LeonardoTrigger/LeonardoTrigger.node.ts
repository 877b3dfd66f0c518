import type {
	CronExpression,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { postRelay } from '../Leonardo/transport/relay';
import { signMessage } from '../shared/relay';
import { TRIGGER_EVENTS } from './relay/callback';
import { WEBHOOK_CREDENTIAL_TYPE, relayWebhook, takeManualItems } from './relay/handler';

/** One fixed POST URL: the callback URL of the Leonardo API key (module constant, see n8n-runtime.md §4). */
export const RELAY_WEBHOOKS: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path: 'callback',
	},
];

const EVENT_NAMES: Record<(typeof TRIGGER_EVENTS)[number], string> = {
	'image_generation.complete': 'Image Generation Complete',
	'image_generation.failed': 'Image Generation Failed',
	'video_generation.complete': 'Video Generation Complete',
	'video_generation.failed': 'Video Generation Failed',
	'post_processing.complete': 'Post-Processing (Upscale, No Background...) Complete',
	'post_processing.failed': 'Post-Processing Failed',
};

export class LeonardoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Leonardo Trigger',
		name: 'leonardoTrigger',
		icon: { light: 'file:../../icons/leonardo.svg', dark: 'file:../../icons/leonardo.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Leonardo callbacks"}}',
		description:
			'Starts a workflow when Leonardo calls back (image, video, post-processing; complete or failed) and resumes executions waiting for Leonardo jobs',
		defaults: { name: 'Leonardo Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'leonardoWebhookApi', required: true },
			{ name: 'leonardoApi', required: true },
		],
		webhooks: RELAY_WEBHOOKS,
		properties: [
			{
				displayName:
					'Copy the <b>Production URL</b> shown above (Webhook URLs) into two places: (1) the <b>webhook callback URL</b> of your Leonardo API key (Leonardo web app → API Access; the key\'s <b>webhook callback API key</b> goes into the Leonardo Webhook credential), and (2) the <b>Relay URL</b> of that credential, so Leonardo nodes with "Wait for Result: Webhook" can register. Activate this workflow: callbacks are only received in production. Leonardo requires an HTTPS URL. Callbacks without the right Bearer key get 401 and start nothing.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				default: [...TRIGGER_EVENTS],
				options: TRIGGER_EVENTS.map((value) => ({ name: EVENT_NAMES[value], value })),
				description:
					'Which callbacks start a workflow. A *.complete callback with status FAILED counts as failed. Filtering does not affect the resume of waiting executions.',
			},
			{
				displayName: 'Start a Workflow Run For',
				name: 'startRunsFor',
				type: 'options',
				default: 'notAwaited',
				options: [
					{
						name: 'Callbacks Nobody Awaits',
						value: 'notAwaited',
						description: 'Callbacks for jobs a waiting execution awaits only resume that execution',
					},
					{ name: 'All Matching Callbacks', value: 'all', description: 'Also start a run for awaited jobs' },
					{ name: 'None (Relay Only)', value: 'none', description: 'Only resume waiting executions' },
				],
			},
			{
				displayName: 'Download Outputs',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download the images / videos as binary data: one item per file. Off = one item per callback with the URLs.',
			},
			{
				displayName: 'Put Output File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				displayOptions: { show: { download: [true] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Check Jobs Without Callback After (Seconds)',
						name: 'reconcileAfterSeconds',
						type: 'number',
						default: 30,
						typeOptions: { minValue: 5 },
						description:
							'A waiting job with no callback by then is read from the Leonardo API (every minute, less often as time goes by), so a lost callback does not lose the job',
					},
					{
						displayName: 'Reconcile Every Minute',
						name: 'reconcileTick',
						type: 'boolean',
						default: true,
						description:
							'Whether to call this trigger\'s own Production URL (the Relay URL of the credential) every minute to check overdue jobs and retry resumes',
					},
				],
			},
		],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await relayWebhook.call(this);
	}

	/**
	 * The reconcile tick. It must not read or write static data (it holds a stale copy, see n8n-relay.md §4):
	 * it only POSTs a signed {action: 'reconcile'} to the relay's own production URL, where webhook() does
	 * the work with a fresh copy.
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		if (this.getMode() === 'manual') {
			// Editor test run started by the test webhook: emit what webhook() received (see takeManualItems).
			return {
				manualTriggerFunction: async () => {
					const data = takeManualItems(this.getWorkflow().id, this.getNode().name);
					this.emit(data ?? [[{ json: { message: 'No Leonardo callback was received in this test run' } }]]);
				},
			};
		}
		const enabled = this.getNodeParameter('options.reconcileTick', true) as boolean;
		if (!enabled) return {};
		const tick = async () => {
			try {
				const creds = await this.getCredentials(WEBHOOK_CREDENTIAL_TYPE);
				const url = String(creds.relayUrl ?? '').trim();
				const secret = String(creds.callbackApiKey ?? '');
				if (!url || !secret) return;
				await postRelay.call(this, url, signMessage(secret, { action: 'reconcile', ts: Date.now() }));
			} catch (error) {
				this.logger.warn(`Leonardo Trigger reconcile tick failed: ${(error as Error).message}`);
			}
		};
		this.helpers.registerCron({ expression: '0 * * * * *' as CronExpression }, () => void tick());
		return {};
	}
}
