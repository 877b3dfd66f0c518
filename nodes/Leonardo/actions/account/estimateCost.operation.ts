import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	PRICING_SERVICES,
	type PricingCalculatorResponse,
	type PricingService,
} from '../../../shared/contract';
import { checkDimension, checkImageCount } from '../../../shared/validation';
import { planOutputFields } from '../../helpers/plan';
import { apiRequest } from '../../transport';
import type { OperationContext } from '../node.type';

const titleCase = (s: string) =>
	s
		.toLowerCase()
		.split('_')
		.map((w) => w.charAt(0).toUpperCase() + w.slice(1))
		.join(' ');

const imageOnly = { show: { service: ['IMAGE_GENERATION'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Service',
		name: 'service',
		type: 'options',
		default: 'IMAGE_GENERATION',
		options: PRICING_SERVICES.map((s) => ({ name: titleCase(s), value: s })),
	},
	{ displayName: 'Width (Px)', name: 'imageWidth', type: 'number', default: 1024, displayOptions: imageOnly },
	{ displayName: 'Height (Px)', name: 'imageHeight', type: 'number', default: 1024, displayOptions: imageOnly },
	{ displayName: 'Number of Images', name: 'numImages', type: 'number', default: 1, typeOptions: { minValue: 1, maxValue: 8 }, displayOptions: imageOnly },
	{
		displayName: 'Generation Options',
		name: 'imageOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: imageOnly,
		options: [
			{ displayName: 'Alchemy', name: 'alchemyMode', type: 'boolean', default: false, description: 'Whether Alchemy is on' },
			{ displayName: 'Character Reference Count', name: 'controlnetsCost', type: 'number', default: 0, description: 'Cost units of image guidance (Character Reference) in the generation' },
			{ displayName: 'Custom Model', name: 'isModelCustom', type: 'boolean', default: false, description: 'Whether the model is a custom model' },
			{ displayName: 'Flux Dev', name: 'isFluxDev', type: 'boolean', default: false, description: 'Whether the model is Flux Dev' },
			{ displayName: 'High Resolution', name: 'highResolution', type: 'boolean', default: false, description: 'Whether high resolution is on' },
			{ displayName: 'Inference Steps', name: 'inferenceSteps', type: 'number', default: 15 },
			{ displayName: 'LoRA Count', name: 'loraCount', type: 'number', default: 0 },
			{ displayName: 'Phoenix', name: 'isPhoenix', type: 'boolean', default: false, description: 'Whether the model is Phoenix' },
			{ displayName: 'PhotoReal', name: 'photoRealMode', type: 'boolean', default: false, description: 'Whether PhotoReal is on' },
			{ displayName: 'SDXL', name: 'isSDXL', type: 'boolean', default: false, description: 'Whether the model is SDXL based' },
			{ displayName: 'Ultra', name: 'isUltra', type: 'boolean', default: false, description: 'Whether Ultra mode is on' },
		],
	},
	{
		displayName: 'Service Parameters (JSON)',
		name: 'serviceParams',
		type: 'json',
		default: '{}',
		description: 'Parameters of the service, as documented for /pricing-calculator (e.g. {"resolution": "RESOLUTION_720"})',
		displayOptions: { hide: { service: ['IMAGE_GENERATION'] } },
	},
];

const displayOptions = { show: { resource: ['account'], operation: ['estimateCost'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	const service = this.getNodeParameter('service', i) as PricingService;
	if (!(PRICING_SERVICES as readonly string[]).includes(service)) {
		throw new NodeOperationError(this.getNode(), `Service "${service}" is not a Leonardo pricing service`, { itemIndex: i });
	}
	let params: IDataObject;
	if (service === 'IMAGE_GENERATION') {
		const imageWidth = this.getNodeParameter('imageWidth', i) as number;
		const imageHeight = this.getNodeParameter('imageHeight', i) as number;
		const numImages = this.getNodeParameter('numImages', i) as number;
		for (const [label, value] of [
			['Width (Px)', imageWidth],
			['Height (Px)', imageHeight],
		] as const) {
			const problem = checkDimension(value, plan);
			if (problem) throw new NodeOperationError(this.getNode(), `${label} ${problem}`, { itemIndex: i });
		}
		const countProblem = checkImageCount(numImages, imageWidth, imageHeight);
		if (countProblem) throw new NodeOperationError(this.getNode(), `Number of Images ${countProblem}`, { itemIndex: i });
		params = { imageWidth, imageHeight, numImages, ...(this.getNodeParameter('imageOptions', i, {}) as IDataObject) };
	} else {
		const raw = this.getNodeParameter('serviceParams', i, '{}') as string | IDataObject;
		try {
			params = typeof raw === 'string' ? (JSON.parse(raw || '{}') as IDataObject) : raw;
		} catch (error) {
			throw new NodeOperationError(this.getNode(), 'Service Parameters (JSON) is not valid JSON', {
				itemIndex: i,
				description: (error as Error).message,
			});
		}
	}
	const response = (await apiRequest.call(this, 'POST', '/pricing-calculator', {
		body: { service, serviceParams: { [service]: params } },
		itemIndex: i,
	})) as PricingCalculatorResponse;
	return [
		{
			json: {
				service,
				cost: response.calculateProductionApiServiceCost?.cost ?? null,
				serviceParams: params,
				...planOutputFields(plan),
			},
			pairedItem: { item: i },
		},
	];
}
