/**
 * Image → Upscale: the Universal Upscaler (POST /variations/universal-upscaler: style or ultra style,
 * creativity, multiplier...; source a generated image, a variation or an uploaded binary) or the classic
 * creative upscale (POST /variations/upscale, generated images only). Waits on GET /variations/{id}.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	ULTRA_UPSCALE_STYLES,
	UPSCALER_STYLES,
	type UniversalUpscalerRequest,
	type VariationJobResponse,
} from '../../../shared/contract';
import { apiRequest, uploadInitImage } from '../../transport';
import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import { fail, readOutputSettings, readSource, runVariationJob, sourceProperties, type EditSource } from './editing';

const UNIVERSAL_SOURCES: EditSource[] = ['generated', 'variation', 'binary'];

const titleCase = (s: string) => s.toLowerCase().replace(/(^|[\s&])([a-z0-9])/g, (m) => m.toUpperCase());

const properties: INodeProperties[] = [
	{
		displayName: 'Upscaler',
		name: 'upscaler',
		type: 'options',
		default: 'universal',
		options: [
			{
				name: 'Universal Upscaler',
				value: 'universal',
				description: 'Style or Ultra upscaling with creativity and multiplier (generated, variation or uploaded image)',
			},
			{
				name: 'Classic Creative Upscale',
				value: 'classic',
				description: 'The original /variations/upscale (generated images only)',
			},
		],
	},
	...sourceProperties(UNIVERSAL_SOURCES),
	{
		displayName: 'Mode',
		name: 'upscaleMode',
		type: 'options',
		default: 'style',
		options: [
			{ name: 'Style', value: 'style', description: 'Upscaler style with creativity' },
			{ name: 'Ultra', value: 'ultra', description: 'Ultra upscale (Artistic or Realistic) with detail contrast and similarity' },
		],
		displayOptions: { show: { upscaler: ['universal'] } },
	},
	{
		displayName: 'Upscaler Style',
		name: 'upscalerStyle',
		type: 'options',
		default: 'GENERAL',
		options: UPSCALER_STYLES.map((s) => ({ name: titleCase(s), value: s })),
		displayOptions: { show: { upscaler: ['universal'], upscaleMode: ['style'] } },
	},
	{
		displayName: 'Ultra Style',
		name: 'ultraUpscaleStyle',
		type: 'options',
		default: 'ARTISTIC',
		options: ULTRA_UPSCALE_STYLES.map((s) => ({ name: titleCase(s), value: s })),
		displayOptions: { show: { upscaler: ['universal'], upscaleMode: ['ultra'] } },
	},
	{
		displayName: 'Creativity Strength',
		name: 'creativityStrength',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 1, maxValue: 10 },
		description: '1 to 10: how much new detail the upscaler may invent',
		displayOptions: { show: { upscaler: ['universal'] } },
	},
	{
		displayName: 'Upscale Multiplier',
		name: 'upscaleMultiplier',
		type: 'number',
		default: 1.5,
		typeOptions: { minValue: 1, maxValue: 2, numberPrecision: 2 },
		description: '1.0 to 2.0',
		displayOptions: { show: { upscaler: ['universal'] } },
	},
	{
		displayName: 'Detail Contrast',
		name: 'detailContrast',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 1, maxValue: 10 },
		displayOptions: { show: { upscaler: ['universal'], upscaleMode: ['ultra'] } },
	},
	{
		displayName: 'Similarity',
		name: 'similarity',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 1, maxValue: 10 },
		displayOptions: { show: { upscaler: ['universal'], upscaleMode: ['ultra'] } },
	},
	{
		displayName: 'Prompt',
		name: 'upscalePrompt',
		type: 'string',
		default: '',
		description: 'Optional guidance for the upscaler',
		displayOptions: { show: { upscaler: ['universal'] } },
	},
	...waitProperties('poll'),
	...binaryOutputProperties('Image'),
];

const displayOptions = { show: { resource: ['image'], operation: ['upscale'] } };

export const description = updateDisplayOptions(displayOptions, properties);

function readInt(ctx: IExecuteFunctions, i: number, name: string, label: string, min: number, max: number, fallback: number) {
	const value = ctx.getNodeParameter(name, i, fallback) as number;
	if (!Number.isInteger(value) || value < min || value > max) {
		fail(ctx, i, `${label} must be a whole number from ${min} to ${max} (got ${value})`);
	}
	return value;
}

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	// ---- validate everything before any request ---------------------------------------------
	const upscaler = this.getNodeParameter('upscaler', i, 'universal') as 'universal' | 'classic';
	const output = readOutputSettings(this, i);
	if (upscaler === 'classic') {
		if (this.getNodeParameter('source', i, 'generated') !== 'generated') {
			fail(
				this,
				i,
				'Source Image: the classic upscale takes a generated image ID only; use the Universal Upscaler for variations and binaries',
			);
		}
		const source = await readSource(this, i, ['generated']);
		const id = (source as { id: string }).id;
		return await runVariationJob.call(this, {
			i,
			plan,
			...output,
			operation: 'upscale',
			extra: { upscaler, sourceImageId: id },
			create: async () => {
				const response = (await apiRequest.call(this, 'POST', '/variations/upscale', {
					body: { id },
					jobCreating: true,
					itemIndex: i,
				})) as VariationJobResponse;
				return response.sdUpscaleJob;
			},
		});
	}

	const source = await readSource(this, i, UNIVERSAL_SOURCES);
	const mode = this.getNodeParameter('upscaleMode', i, 'style') as 'style' | 'ultra';
	const body: UniversalUpscalerRequest = {
		creativityStrength: readInt(this, i, 'creativityStrength', 'Creativity Strength', 1, 10, 5),
	};
	const multiplier = this.getNodeParameter('upscaleMultiplier', i, 1.5) as number;
	if (typeof multiplier !== 'number' || !(multiplier >= 1 && multiplier <= 2)) {
		fail(this, i, `Upscale Multiplier must be between 1.0 and 2.0 (got ${multiplier})`);
	}
	body.upscaleMultiplier = multiplier;
	if (mode === 'ultra') {
		const style = this.getNodeParameter('ultraUpscaleStyle', i, 'ARTISTIC') as string;
		if (!(ULTRA_UPSCALE_STYLES as readonly string[]).includes(style)) {
			fail(this, i, `Ultra Style "${style}" is not one of ${ULTRA_UPSCALE_STYLES.join(', ')}`);
		}
		body.ultraUpscaleStyle = style as UniversalUpscalerRequest['ultraUpscaleStyle'];
		body.detailContrast = readInt(this, i, 'detailContrast', 'Detail Contrast', 1, 10, 5);
		body.similarity = readInt(this, i, 'similarity', 'Similarity', 1, 10, 5);
	} else {
		const style = this.getNodeParameter('upscalerStyle', i, 'GENERAL') as string;
		if (!(UPSCALER_STYLES as readonly string[]).includes(style)) {
			fail(this, i, `Upscaler Style "${style}" is not one of ${UPSCALER_STYLES.join(', ')}`);
		}
		body.upscalerStyle = style as UniversalUpscalerRequest['upscalerStyle'];
	}
	const prompt = (this.getNodeParameter('upscalePrompt', i, '') as string).trim();
	if (prompt) body.prompt = prompt;
	const extra: IDataObject = { upscaler, upscaleMode: mode, upscaleMultiplier: multiplier };

	// ---- requests --------------------------------------------------------------------------
	if (source.kind === 'binary') {
		body.initImageId = await uploadInitImage.call(this, source.image, i);
		extra.initImageId = body.initImageId;
	} else if (source.kind === 'variation') {
		body.variationId = source.id;
		extra.sourceVariationId = source.id;
	} else {
		body.generatedImageId = source.id;
		extra.sourceImageId = source.id;
	}
	return await runVariationJob.call(this, {
		i,
		plan,
		...output,
		operation: 'upscale',
		extra,
		create: async () => {
			const response = (await apiRequest.call(this, 'POST', '/variations/universal-upscaler', {
				body,
				jobCreating: true,
				itemIndex: i,
			})) as VariationJobResponse;
			return response.universalUpscaler;
		},
	});
}
