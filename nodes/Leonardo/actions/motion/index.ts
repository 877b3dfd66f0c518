import type { INodeProperties } from 'n8n-workflow';

import type { ResourceOperations } from '../node.type';
import { motionPlanSummary } from './common';
import * as generateFromImage from './generateFromImage.operation';
import * as imageToVideo from './imageToVideo.operation';
import * as textToVideo from './textToVideo.operation';

export const operations: ResourceOperations = { generateFromImage, imageToVideo, textToVideo };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['motion'] } },
		options: [
			{
				name: 'Generate From Image',
				value: 'generateFromImage',
				action: 'Animate an image',
				description: 'Turn a still image into a short clip (Motion 1.0, SVD)',
			},
			{
				name: 'Image to Video',
				value: 'imageToVideo',
				action: 'Make a video from an image',
				description: 'Animate an image with a prompt (Motion 2.0, Veo 3, Kling)',
			},
			{
				name: 'Text to Video',
				value: 'textToVideo',
				action: 'Make a video from text',
				description: 'Generate a clip from a prompt (Motion 2.0, Veo 3, Kling)',
			},
		],
		default: 'generateFromImage',
	},
	{
		displayName: motionPlanSummary(),
		name: 'motionPlanNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['motion'] } },
	},
	...generateFromImage.description,
	...imageToVideo.description,
	...textToVideo.description,
];
