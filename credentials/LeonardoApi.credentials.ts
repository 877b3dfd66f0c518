import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * A Leonardo API key plus the plan it belongs to. The plan drives client-side behaviour before any
 * request (API access, pacing, Character reference, limits); see nodes/shared/plans.ts.
 */
export class LeonardoApi implements ICredentialType {
	name = 'leonardoApi';

	displayName = 'Leonardo API';

	icon: Icon = { light: 'file:../icons/leonardo.svg', dark: 'file:../icons/leonardo.dark.svg' };

	documentationUrl = 'https://docs.leonardo.ai/docs/create-your-api-key';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Production API key from Leonardo (API Access → Create New Key)',
		},
		{
			displayName: 'Plan',
			name: 'plan',
			type: 'options',
			default: 'ARTISAN',
			description:
				'The plan of the account that owns the key. It sets request pacing, concurrency and feature checks before any request is sent.',
			options: [
				{ name: 'Free (No API Access)', value: 'FREE' },
				{ name: 'Apprentice (No API Access)', value: 'APPRENTICE' },
				{ name: 'Artisan (30 Requests/min, 5 Concurrent Jobs)', value: 'ARTISAN' },
				{ name: 'Maestro (60 Requests/min, 10 Concurrent Jobs)', value: 'MAESTRO' },
				{ name: 'Custom', value: 'CUSTOM' },
			],
		},
		{
			displayName: 'Requests per Minute',
			name: 'customRequestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 2000,
			displayOptions: { show: { plan: ['CUSTOM'] } },
		},
		{
			displayName: 'Concurrent Jobs',
			name: 'customConcurrentJobs',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10,
			displayOptions: { show: { plan: ['CUSTOM'] } },
		},
		{
			displayName: 'LoRA Trainings per Month',
			name: 'customLoraTrainingsPerMonth',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 20,
			displayOptions: { show: { plan: ['CUSTOM'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://cloud.leonardo.ai',
			description:
				"Origin of the Leonardo API, without /api/rest/v1. Point it at the Leonardo emulator's URL for a sandbox.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}/api/rest/v1',
			url: '/me',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Leonardo did not accept this API key (Authentication hook unauthorized). Check the key and the Base URL.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						"The key is valid but its plan has no API access. Leonardo's API needs the Artisan or Maestro plan.",
				},
			},
		],
	};
}
