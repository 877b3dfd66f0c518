import type { INodeProperties } from 'n8n-workflow';

import type { ResourceOperations } from '../node.type';
import * as del from './delete.operation';
import * as generate from './generate.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as imageToImage from './imageToImage.operation';
import * as inpaint from './inpaint.operation';
import * as outpaint from './outpaint.operation';
import * as removeBackground from './removeBackground.operation';
import * as unzoom from './unzoom.operation';
import * as upscale from './upscale.operation';

export const operations: ResourceOperations = {
	generate,
	get,
	getAll,
	delete: del,
	// Editing (issue 7)
	upscale,
	removeBackground,
	unzoom,
	imageToImage,
	inpaint,
	outpaint,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['image'] } },
		options: [
			{ name: 'Delete', value: 'delete', action: 'Delete a generation', description: 'Delete a generation and its images' },
			{ name: 'Generate', value: 'generate', action: 'Generate images', description: 'Generate images from a prompt' },
			{ name: 'Get', value: 'get', action: 'Get a generation', description: 'Get a generation by ID' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many generations', description: 'List your generations' },
			{ name: 'Image to Image', value: 'imageToImage', action: 'Generate images from an image', description: 'Generate guided by an init image (binary or image ID) with an init strength' },
			{ name: 'Inpaint', value: 'inpaint', action: 'Inpaint an image', description: 'Repaint the masked area of an image (image and mask binaries)' },
			{ name: 'Outpaint', value: 'outpaint', action: 'Outpaint an image', description: 'Extend an image into its empty area' },
			{ name: 'Remove Background', value: 'removeBackground', action: 'Remove the background of an image', description: 'Transparent PNG of a generated image or variation' },
			{ name: 'Unzoom', value: 'unzoom', action: 'Unzoom an image', description: 'Show more of the scene around a generated image' },
			{ name: 'Upscale', value: 'upscale', action: 'Upscale an image', description: 'Universal Upscaler or the classic creative upscale' },
		],
		default: 'generate',
	},
	...generate.description,
	...get.description,
	...getAll.description,
	...del.description,
	...upscale.description,
	...removeBackground.description,
	...unzoom.description,
	...imageToImage.description,
	...inpaint.description,
	...outpaint.description,
];
