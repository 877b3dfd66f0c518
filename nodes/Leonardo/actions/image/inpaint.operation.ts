/**
 * Image → Inpaint: repaint the white area of a mask. Both come from input binaries (equal size, multiples
 * of 8, at most 1536 px), uploaded through POST /canvas-init-image and its two presigned uploads, then
 * POST /generations with canvasRequest, canvasRequestType INPAINT, canvasInitId, canvasMaskId and
 * init_strength. Waits on GET /generations/{id} and outputs like Generate.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import { canvasExecute, canvasProperties, generationProperties } from './editing';

const properties: INodeProperties[] = [
	...canvasProperties(true),
	...generationProperties(),
	...waitProperties('poll'),
	...binaryOutputProperties('Images'),
];

const displayOptions = { show: { resource: ['image'], operation: ['inpaint'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	context: OperationContext,
): Promise<INodeExecutionData[]> {
	return await canvasExecute.call(this, i, context, 'INPAINT');
}
