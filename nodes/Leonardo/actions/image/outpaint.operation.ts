/**
 * Image → Outpaint: extend an image into its empty (transparent) area, optionally limited by a mask.
 * Same canvas flow as Inpaint with canvasRequestType OUTPAINT: POST /canvas-init-image, presigned uploads,
 * POST /generations, wait on GET /generations/{id}.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import { canvasExecute, canvasProperties, generationProperties } from './editing';

const properties: INodeProperties[] = [
	...canvasProperties(false),
	...generationProperties(),
	...waitProperties('poll'),
	...binaryOutputProperties('Images'),
];

const displayOptions = { show: { resource: ['image'], operation: ['outpaint'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	context: OperationContext,
): Promise<INodeExecutionData[]> {
	return await canvasExecute.call(this, i, context, 'OUTPAINT');
}
