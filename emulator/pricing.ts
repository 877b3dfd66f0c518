/**
 * The emulator's cost model, in API tokens ("credits"). One module, used by the job-creating routes
 * (what a job is charged) and by POST /pricing-calculator (what a job would cost), so the two always agree.
 *
 * Leonardo does not publish a formula; these numbers are the emulator's documented model, chosen to match
 * the product brief's orders of magnitude (an image costs a handful of tokens, a motion clip 40-60,
 * Character Reference +25%).
 *
 * Images (v1 POST /generations, v2 POST /generations, pricing service IMAGE_GENERATION):
 *   per image  = max(2, ceil(8 * width * height / 1024^2))         (8 tokens per 1024x1024 image)
 *   x 2   when ultra; otherwise x 1.5 when alchemy (Quality mode)
 *   + 2 per image when photoReal
 *   total      = per image * numImages + 3 per LoRA/element (elements + userElements) + controlnetsCost
 *   x 1.25     when a Character Reference controlnet is used (preprocessorId 133 or 397), rounded up
 * Motion (per clip): SVD 40; image-to-video / text-to-video: RESOLUTION_480 40, RESOLUTION_720 50 (default),
 *   RESOLUTION_1080 60; video upscale 40.
 * Post-processing: upscale 10, unzoom 10, nobg 5, universal upscaler max(10, ceil(5 * output megapixels)).
 * Training: element (LoRA) 500, custom model 500 (MODEL_TRAINING: 400 + 5 per dataset image, default 20 images).
 * Prompt improve / random: 4.  LCM: 2 per image (4 with refine / instant refine).
 */

export interface ImageCostInput {
	width: number;
	height: number;
	numImages: number;
	alchemy?: boolean | null;
	ultra?: boolean | null;
	photoReal?: boolean | null;
	loraCount?: number | null;
	controlnetsCost?: number | null;
	characterReference?: boolean | null;
}

export const COSTS = {
	tokensPerMegapixelImage: 8,
	minPerImage: 2,
	alchemyFactor: 1.5,
	ultraFactor: 2,
	photoRealPerImage: 2,
	perLora: 3,
	characterReferenceSurcharge: 0.25,
	motionSvd: 40,
	motionByResolution: { RESOLUTION_480: 40, RESOLUTION_720: 50, RESOLUTION_1080: 60 } as Record<string, number>,
	motionDefault: 50,
	videoUpscale: 40,
	upscale: 10,
	unzoom: 10,
	nobg: 5,
	universalUpscalerMin: 10,
	universalUpscalerPerMegapixel: 5,
	elementTraining: 500,
	modelTrainingBase: 400,
	modelTrainingPerImage: 5,
	promptTool: 4,
	lcm: 2,
	lcmRefine: 4,
} as const;

/** Preprocessor ids of Character Reference (SDXL 133, Phoenix 397). */
export const CHARACTER_REFERENCE_IDS = [133, 397];

export function imageGenerationCost(input: ImageCostInput): number {
	const w = input.width > 0 ? input.width : 1024;
	const h = input.height > 0 ? input.height : 768;
	const n = input.numImages > 0 ? input.numImages : 1;
	let perImage = Math.max(COSTS.minPerImage, Math.ceil((COSTS.tokensPerMegapixelImage * w * h) / (1024 * 1024)));
	if (input.ultra) perImage = perImage * COSTS.ultraFactor;
	else if (input.alchemy) perImage = Math.ceil(perImage * COSTS.alchemyFactor);
	if (input.photoReal) perImage += COSTS.photoRealPerImage;
	let total = perImage * n + COSTS.perLora * Math.max(0, input.loraCount ?? 0) + Math.max(0, input.controlnetsCost ?? 0);
	if (input.characterReference) total = Math.ceil(total * (1 + COSTS.characterReferenceSurcharge));
	return total;
}

export function motionCost(kind: 'svd' | 'video' | 'video-upscale', resolution?: string | null): number {
	if (kind === 'svd') return COSTS.motionSvd;
	if (kind === 'video-upscale') return COSTS.videoUpscale;
	return (resolution && COSTS.motionByResolution[resolution]) || COSTS.motionDefault;
}

export function universalUpscalerCost(megapixels: number): number {
	return Math.max(COSTS.universalUpscalerMin, Math.ceil(COSTS.universalUpscalerPerMegapixel * Math.max(0, megapixels)));
}

export function modelTrainingCost(datasetImageCount?: number | null): number {
	return COSTS.modelTrainingBase + COSTS.modelTrainingPerImage * (datasetImageCount ?? 20);
}

type Params = Record<string, unknown>;
const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const bool = (v: unknown) => v === true;

/**
 * POST /pricing-calculator: the cost of `service` with `serviceParams[service]`.
 * Emulator extension: IMAGE_GENERATION accepts `characterReference: true` to include the +25% surcharge.
 */
export function calculateServiceCost(service: string, p: Params): number {
	switch (service) {
		case 'IMAGE_GENERATION':
			return imageGenerationCost({
				width: num(p.imageWidth, 1024),
				height: num(p.imageHeight, 768),
				numImages: num(p.numImages, 1),
				alchemy: bool(p.alchemyMode),
				ultra: bool(p.isUltra),
				photoReal: bool(p.photoRealMode),
				loraCount: num(p.loraCount, 0),
				controlnetsCost: num(p.controlnetsCost, 0),
				characterReference: bool(p.characterReference),
			});
		case 'FANTASY_AVATAR_GENERATION':
			return imageGenerationCost({ width: num(p.imageWidth, 1024), height: num(p.imageHeight, 1024), numImages: num(p.numImages, 1) });
		case 'MOTION_SVD_GENERATION':
			return motionCost('svd');
		case 'MOTION_VIDEO_GENERATION':
			return motionCost('video', typeof p.resolution === 'string' ? p.resolution : null);
		case 'VEO3_MOTION_VIDEO_GENERATION':
			return motionCost('video', typeof p.resolution === 'string' ? p.resolution : 'RESOLUTION_720');
		case 'LCM_GENERATION':
			return bool(p.refine) || bool(p.instantRefine) ? COSTS.lcmRefine : COSTS.lcm;
		case 'MODEL_TRAINING':
			return modelTrainingCost(typeof p.datasetImageCount === 'number' ? p.datasetImageCount : null);
		case 'TEXTURE_GENERATION':
			return bool(p.preview) ? 5 : 20;
		case 'UNIVERSAL_UPSCALER':
			return universalUpscalerCost(num(p.megapixel, 4));
		case 'UNIVERSAL_UPSCALER_ULTRA': {
			const m = num(p.upscaleMultiplier, 1.5);
			return universalUpscalerCost((num(p.inputWidth, 1024) * m * num(p.inputHeight, 1024) * m) / 1e6) * 2;
		}
		default:
			return 0;
	}
}
