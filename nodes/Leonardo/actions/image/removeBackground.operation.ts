/**
 * Image → Remove Background: POST /variations/nobg on a generated image or a variation (isVariation).
 * Waits on GET /variations/{id}; the result is a transparent PNG.
 */
import { imageVariationOperation } from './editing';

export const { description, execute } = imageVariationOperation({
	operation: 'removeBackground',
	path: '/variations/nobg',
	jobKey: 'sdNobgJob',
});
