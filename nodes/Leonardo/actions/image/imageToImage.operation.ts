/**
 * Image → Image to Image: POST /generations guided by an init image: an input binary (uploaded through
 * the presigned init-image flow, `init_image_id`) or a generated image ID (`init_generation_image_id`),
 * with init_strength 0.1-0.9. Waits on GET /generations/{id} and outputs like Generate.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { checkDimension } from '../../../shared/validation';
import { uploadInitImage } from '../../transport';
import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import {
	fail,
	generationProperties,
	readGenerationBody,
	readInitStrength,
	readOutputSettings,
	readSource,
	runGenerationJob,
	sourceProperties,
	type EditSource,
} from './editing';

const SOURCES: EditSource[] = ['binary', 'generated'];

const properties: INodeProperties[] = [
	...sourceProperties(SOURCES),
	{
		displayName: 'Init Strength',
		name: 'initStrength',
		type: 'number',
		default: 0.5,
		typeOptions: { minValue: 0.1, maxValue: 0.9, numberPrecision: 2 },
		description: 'How closely the result follows the source image, 0.1 (loosely) to 0.9 (closely)',
	},
	...generationProperties(),
	{
		displayName: 'Width (Px)',
		name: 'width',
		type: 'number',
		default: 0,
		description: '0 = Leonardo default. Multiple of 8, at most 2048.',
	},
	{
		displayName: 'Height (Px)',
		name: 'height',
		type: 'number',
		default: 0,
		description: '0 = Leonardo default. Multiple of 8, at most 2048.',
	},
	...waitProperties('poll'),
	...binaryOutputProperties('Images'),
];

const displayOptions = { show: { resource: ['image'], operation: ['imageToImage'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	// ---- validate everything before any request ---------------------------------------------
	const source = await readSource(this, i, SOURCES);
	const initStrength = readInitStrength(this, i);
	const width = Number(this.getNodeParameter('width', i, 0) ?? 0);
	const height = Number(this.getNodeParameter('height', i, 0) ?? 0);
	if ((width === 0) !== (height === 0)) fail(this, i, 'Width (Px) and Height (Px) must be set together (or both 0)');
	if (width) {
		const w = checkDimension(width, plan);
		if (w) fail(this, i, `Width (Px) ${w}`);
		const h = checkDimension(height, plan);
		if (h) fail(this, i, `Height (Px) ${h}`);
	}
	const { body, model } = readGenerationBody(this, i, width ? { width, height } : undefined);
	body.init_strength = initStrength;
	if (source.kind === 'generated') body.init_generation_image_id = source.id;
	const output = readOutputSettings(this, i);

	return await runGenerationJob.call(this, {
		i,
		plan,
		...output,
		operation: 'imageToImage',
		body,
		model,
		extra: { initStrength, ...(source.kind === 'generated' ? { sourceImageId: source.id } : {}) },
		prepare: async (request) => {
			if (source.kind === 'binary') request.init_image_id = await uploadInitImage.call(this, source.image, i);
		},
	});
}
