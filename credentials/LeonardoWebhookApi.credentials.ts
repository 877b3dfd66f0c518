import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The webhook side of a Leonardo API key: the "webhook callback API key" Leonardo sends as
 * `authorization: Bearer <key>` with every callback, and the production URL of the Leonardo Trigger
 * (the relay). The Leonardo Trigger checks the bearer key; Await nodes (Wait: Webhook) register with the
 * relay URL and sign their messages with an HMAC keyed by the same secret.
 */
export class LeonardoWebhookApi implements ICredentialType {
	name = 'leonardoWebhookApi';

	displayName = 'Leonardo Webhook API';

	icon: Icon = { light: 'file:../icons/leonardo.svg', dark: 'file:../icons/leonardo.dark.svg' };

	documentationUrl = 'https://docs.leonardo.ai/docs/guide-to-the-webhook-callback-feature';

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook Callback API Key',
			name: 'callbackApiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The "webhook callback API key" you entered when creating the Leonardo API key. Leonardo sends it as a Bearer token with every callback.',
		},
		{
			displayName: 'Relay URL',
			name: 'relayUrl',
			type: 'string',
			default: '',
			placeholder: 'https://n8n.example.com/webhook/0b8f.../callback',
			description:
				'The Production URL of your active Leonardo Trigger (the same URL you set as the webhook callback URL of the Leonardo API key). Leonardo nodes with "Wait for Result: Webhook" register their jobs there.',
		},
	];

	/** Sends the key as Leonardo does: an active Leonardo Trigger answers 200, a wrong key gets 401. */
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			url: '={{$credentials.relayUrl}}',
			headers: { authorization: '=Bearer {{$credentials.callbackApiKey}}' },
			body: { credentialTest: true },
			json: true,
		},
	};
}
