import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * Makes sure a submitted job's id reaches the error: adds it to context and description, and returns a
 * NodeApiError / NodeOperationError (an existing one is returned as is, annotated).
 */
export function errorWithJobId(node: INode, error: unknown, jobId: string, itemIndex: number) {
	const nodeError =
		error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(node, error as Error, { itemIndex });
	if (!nodeError.context.generationId) nodeError.context.generationId = jobId;
	if (!nodeError.context.jobId) nodeError.context.jobId = jobId;
	if (nodeError.context.itemIndex === undefined) nodeError.context.itemIndex = itemIndex;
	const note = `Job ID: ${jobId}`;
	if (!(nodeError.description ?? '').includes(jobId)) {
		nodeError.description = nodeError.description ? `${nodeError.description} ${note}.` : `${note}.`;
	}
	return nodeError;
}
