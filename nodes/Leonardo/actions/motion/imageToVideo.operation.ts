/**
 * Motion → Image to Video: POST /generations-image-to-video (Motion 2.0, Veo 3, Kling). The start image is
 * a Leonardo image ID (generated or uploaded) or an input binary uploaded as an init image. Kling 2.1
 * also takes an end frame.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CreateVideoResponse, InitImageType } from '../../../shared/contract';
import { getInputImage } from '../../helpers/binary';
import { apiRequest, uploadInitImage } from '../../transport';
import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import {
	IMAGE_ID_DEFAULT,
	fail,
	readImageId,
	readOutputSettings,
	readVideoRequest,
	runMotionJob,
	videoProperties,
} from './common';

const imageTypeOptions = [
	{ name: 'Generated Image', value: 'GENERATED' },
	{ name: 'Uploaded Init Image', value: 'UPLOADED' },
];

const [promptProperty, modelProperty, ...restVideo] = videoProperties();

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
			{ name: 'Input Binary Image', value: 'binary', description: 'Uploaded to Leonardo as an init image first' },
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
		displayName: 'Image Type',
		name: 'imageType',
		type: 'options',
		default: 'GENERATED',
		options: imageTypeOptions,
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
	promptProperty,
	modelProperty,
	{
		displayName: 'End Frame Image ID',
		name: 'endFrameImageId',
		type: 'string',
		default: '',
		description: 'Optional last frame of the clip (Kling 2.1 only)',
		displayOptions: { show: { videoModel: ['KLING2_1'] } },
	},
	{
		displayName: 'End Frame Image Type',
		name: 'endFrameImageType',
		type: 'options',
		default: 'GENERATED',
		options: imageTypeOptions,
		displayOptions: { show: { videoModel: ['KLING2_1'] } },
	},
	...restVideo,
	...waitProperties('poll', { timeoutSeconds: 900 }),
	...binaryOutputProperties('Video'),
];

const displayOptions = { show: { resource: ['motion'], operation: ['imageToVideo'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	// ---- validate everything before any request ---------------------------------------------
	const source = this.getNodeParameter('source', i, 'imageId') as 'imageId' | 'binary';
	let imageId: string | undefined;
	let imageType: InitImageType = 'GENERATED';
	let inputImage: Awaited<ReturnType<typeof getInputImage>> | undefined;
	if (source === 'binary') {
		const property = this.getNodeParameter('binaryPropertyName', i, 'data') as string;
		inputImage = await getInputImage.call(this, i, property, 'Input Binary Field');
		imageType = 'UPLOADED';
	} else {
		imageId = readImageId(this, i, 'imageId', 'Image ID');
		imageType = this.getNodeParameter('imageType', i, 'GENERATED') as InitImageType;
		if (imageType !== 'GENERATED' && imageType !== 'UPLOADED') fail(this, i, `Image Type "${imageType}" is unknown`);
	}
	const request = readVideoRequest(this, i, plan);
	if (request.info.endFrame) {
		const endId = String(this.getNodeParameter('endFrameImageId', i, '') ?? '').trim();
		if (endId) {
			const endFrameId = readImageId(this, i, 'endFrameImageId', 'End Frame Image ID');
			const type = this.getNodeParameter('endFrameImageType', i, 'GENERATED') as InitImageType;
			request.body.endFrameImage = { id: endFrameId, type };
		}
	}
	const output = readOutputSettings(this, i);

	// ---- requests --------------------------------------------------------------------------
	if (inputImage) imageId = await uploadInitImage.call(this, inputImage, i);
	const body = { ...request.body, imageId: imageId!, imageType };

	return await runMotionJob.call(this, {
		i,
		plan,
		...output,
		model: { id: request.model, name: request.info.name },
		extra: {
			operation: 'imageToVideo',
			sourceImageId: body.imageId,
			resolution: request.resolution,
			durationSeconds: request.durationSeconds,
		},
		create: async () => {
			const response = (await apiRequest.call(this, 'POST', '/generations-image-to-video', {
				body,
				jobCreating: true,
				itemIndex: i,
			})) as CreateVideoResponse;
			return response.motionVideoGenerationJob;
		},
	});
}
