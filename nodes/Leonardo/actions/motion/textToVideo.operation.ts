/** Motion → Text to Video: POST /generations-text-to-video (Motion 2.0, Veo 3, Kling). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CreateVideoResponse } from '../../../shared/contract';
import { apiRequest } from '../../transport';
import { binaryOutputProperties, waitProperties } from '../descriptions';
import type { OperationContext } from '../node.type';
import { readOutputSettings, readVideoRequest, runMotionJob, videoProperties } from './common';

const properties: INodeProperties[] = [
	...videoProperties(),
	...waitProperties('poll', { timeoutSeconds: 900 }),
	...binaryOutputProperties('Video'),
];

const displayOptions = { show: { resource: ['motion'], operation: ['textToVideo'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	const request = readVideoRequest(this, i, plan);
	const output = readOutputSettings(this, i);
	return await runMotionJob.call(this, {
		i,
		plan,
		...output,
		model: { id: request.model, name: request.info.name },
		extra: { operation: 'textToVideo', resolution: request.resolution, durationSeconds: request.durationSeconds },
		create: async () => {
			const response = (await apiRequest.call(this, 'POST', '/generations-text-to-video', {
				body: request.body,
				jobCreating: true,
				itemIndex: i,
			})) as CreateVideoResponse;
			return response.motionVideoGenerationJob;
		},
	});
}
