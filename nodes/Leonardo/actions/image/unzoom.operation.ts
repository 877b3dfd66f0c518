/**
 * Image → Unzoom: POST /variations/unzoom on a generated image or a variation (isVariation).
 * Waits on GET /variations/{id}; the result shows more of the scene around the subject.
 */
import { imageVariationOperation } from './editing';

export const { description, execute } = imageVariationOperation({
	operation: 'unzoom',
	path: '/variations/unzoom',
	jobKey: 'sdUnzoomJob',
});
