import { updateDisplayOptions } from 'n8n-workflow';

import { execute, listGenerationsProperties } from '../image/getAll.operation';

/** Lists your generations (images and videos): the same operation as Image → Get Many. */
export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['getAll'] } },
	listGenerationsProperties,
);

export { execute };
