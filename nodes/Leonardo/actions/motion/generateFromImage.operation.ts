/**
 * Motion → Generate from Image: Motion 1.0 (SVD), POST /generations-motion-svd. The source is an image ID
 * (generated, variation or uploaded init image) or an input binary uploaded through the presigned
 * init-image flow (then isInitImage). The MP4 is read from GET /generations/{id} (motionMP4URL).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CreateSvdMotionRequest, CreateSvdMotionResponse } from '../../../shared/contract';
import { getInputImage } from '../../helpers/binary';
import { apiRequest, uploadInitImage } from '../../transport';
import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import {
	IMAGE_ID_DEFAULT,
	MOTION_STRENGTH_RANGE,
	SVD_INFO,
	assertMotionPlan,
	fail,
	readImageId,
	readOutputSettings,
	runMotionJob,
} from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Source Image',
		name: 'source',
		type: 'options',
		default: 'imageId',
		options: [
			{
				name: 'Leonardo Image ID',
				value: 'imageId',
				description: 'An image of a previous generation (e.g. the imageId output of Image → Generate)',
			},
			{
				name: 'Input Binary Image',
				value: 'binary',
				description: 'Uploaded to Leonardo as an init image first',
			},
		],
	},
	{
		displayName: 'Image ID',
		name: 'imageId',
		type: 'string',
		required: true,
		default: IMAGE_ID_DEFAULT,
		description: 'The ID of an image, not of a generation',
		displayOptions: { show: { source: ['imageId'] } },
	},
	{
		displayName: 'Image Kind',
		name: 'imageKind',
		type: 'options',
		default: 'generated',
		options: [
			{ name: 'Generated Image', value: 'generated' },
			{ name: 'Variation (Upscale, No Background, ...)', value: 'variation' },
			{ name: 'Uploaded Init Image', value: 'init' },
		],
		displayOptions: { show: { source: ['imageId'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the input binary field holding the image (PNG, JPEG or WebP)',
		displayOptions: { show: { source: ['binary'] } },
	},
	{
		displayName: 'Motion Strength',
		name: 'motionStrength',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 1, maxValue: 10 },
		description: 'How much the picture moves, 1 to 10',
	},
	{
		displayName: 'Public',
		name: 'isPublic',
		type: 'boolean',
		default: false,
		description: 'Whether the clip appears in the community feed',
	},
	...waitProperties('poll', { timeoutSeconds: 900 }),
	...binaryOutputProperties('Video'),
];

const displayOptions = { show: { resource: ['motion'], operation: ['generateFromImage'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	// ---- validate everything before any request ---------------------------------------------
	const source = this.getNodeParameter('source', i, 'imageId') as 'imageId' | 'binary';
	const motionStrength = this.getNodeParameter('motionStrength', i, MOTION_STRENGTH_RANGE.default) as number;
	if (
		!Number.isInteger(motionStrength) ||
		motionStrength < MOTION_STRENGTH_RANGE.min ||
		motionStrength > MOTION_STRENGTH_RANGE.max
	) {
		fail(
			this,
			i,
			`Motion Strength must be a whole number from ${MOTION_STRENGTH_RANGE.min} to ${MOTION_STRENGTH_RANGE.max} (got ${motionStrength})`,
		);
	}
	const isPublic = this.getNodeParameter('isPublic', i, false) as boolean;
	const output = readOutputSettings(this, i);

	let imageId: string | undefined;
	let imageKind = 'generated';
	let inputImage: Awaited<ReturnType<typeof getInputImage>> | undefined;
	if (source === 'binary') {
		const property = this.getNodeParameter('binaryPropertyName', i, 'data') as string;
		inputImage = await getInputImage.call(this, i, property, 'Input Binary Field');
		imageKind = 'init';
	} else {
		imageId = readImageId(this, i, 'imageId', 'Image ID');
		imageKind = this.getNodeParameter('imageKind', i, 'generated') as string;
		if (!['generated', 'variation', 'init'].includes(imageKind)) fail(this, i, `Image Kind "${imageKind}" is unknown`);
	}
	assertMotionPlan(this, i, plan, {
		modelName: SVD_INFO.name,
		durationSeconds: SVD_INFO.defaultDurationSeconds,
		durationParameter: 'Motion (clip length)',
	});

	// ---- requests --------------------------------------------------------------------------
	if (inputImage) imageId = await uploadInitImage.call(this, inputImage, i);
	const body: CreateSvdMotionRequest = { imageId: imageId!, motionStrength, isPublic };
	if (imageKind === 'init') body.isInitImage = true;
	if (imageKind === 'variation') body.isVariation = true;

	return await runMotionJob.call(this, {
		i,
		plan,
		...output,
		model: { id: 'SVD', name: SVD_INFO.name },
		extra: { sourceImageId: body.imageId, motionStrength, operation: 'generateFromImage' },
		create: async () => {
			const response = (await apiRequest.call(this, 'POST', '/generations-motion-svd', {
				body,
				jobCreating: true,
				itemIndex: i,
			})) as CreateSvdMotionResponse;
			return response.motionSvdGenerationJob;
		},
	});
}
