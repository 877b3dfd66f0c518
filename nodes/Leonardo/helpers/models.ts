/**
 * Model family decisions, from a typed capability table (constants.ts) plus the model's own info.
 *
 * Character Reference preprocessor: Phoenix models use 397, SDXL-family models use 133
 * (docs.leonardo.ai image guidance guide). The family is decided, in order, by:
 *   1. the user's explicit choice (option "Model Family"),
 *   2. known Phoenix / SDXL model ids,
 *   3. the model name picked from the list (contains "Phoenix"),
 *   4. sdVersion from GET /models/{id} (custom models; PHOENIX → Phoenix),
 *   5. otherwise SDXL (133), the family of most platform models.
 */
import { CHARACTER_REFERENCE_PREPROCESSOR, type SdVersion } from '../../shared/contract';
import { PHOENIX_MODEL_IDS, SDXL_MODEL_IDS } from './constants';

export type ModelFamily = 'PHOENIX' | 'SDXL';

export function familyFromKnownModel(modelId: string | undefined, modelName?: string): ModelFamily | undefined {
	if (modelId && PHOENIX_MODEL_IDS.includes(modelId)) return 'PHOENIX';
	if (modelId && SDXL_MODEL_IDS.includes(modelId)) return 'SDXL';
	if (modelName && /phoenix/i.test(modelName)) return 'PHOENIX';
	if (modelName && /\bxl\b|sdxl/i.test(modelName)) return 'SDXL';
	return undefined;
}

export function familyFromSdVersion(sdVersion: SdVersion | string | undefined | null): ModelFamily | undefined {
	if (!sdVersion) return undefined;
	if (sdVersion === 'PHOENIX') return 'PHOENIX';
	if (sdVersion.startsWith('SDXL')) return 'SDXL';
	return undefined;
}

export function characterPreprocessorId(family: ModelFamily) {
	return CHARACTER_REFERENCE_PREPROCESSOR[family];
}
