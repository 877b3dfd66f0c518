/**
 * Input validation shared by the node (before any request) and usable by the emulator and tests.
 * Pure functions: each returns a problem message (string) or undefined. The node turns a problem into a
 * NodeOperationError naming the parameter (nodes/Leonardo/helpers/validate.ts).
 */
import { GENERATION_LIMITS, IMAGE_EXTENSIONS, type ImageExtension } from './contract';
import type { PlanProfile } from './plans';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Weight range used for a LoRA element when the API gave no weightMin/weightMax (user-trained elements). */
export const DEFAULT_ELEMENT_WEIGHT_RANGE = { min: 0, max: 2 } as const;

export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID_PATTERN.test(value);
}

export function checkPrompt(prompt: unknown, maxLength: number = GENERATION_LIMITS.promptMaxLength) {
	if (typeof prompt !== 'string' || prompt.trim() === '') return 'must not be empty';
	if (prompt.length > maxLength) {
		return `is ${prompt.length} characters long; Leonardo accepts at most ${maxLength}`;
	}
	return undefined;
}

/** One dimension (width or height) of a generation. */
export function checkDimension(value: unknown, plan?: Pick<PlanProfile, 'maxWidth' | 'maxHeight'>) {
	const max = Math.min(
		GENERATION_LIMITS.maxDimension,
		plan ? Math.min(plan.maxWidth, plan.maxHeight) : GENERATION_LIMITS.maxDimension,
	);
	if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number of pixels';
	if (value < GENERATION_LIMITS.minDimension || value > max) {
		return `must be between ${GENERATION_LIMITS.minDimension} and ${max} pixels (got ${value})`;
	}
	if (value % GENERATION_LIMITS.dimensionMultiple !== 0) {
		return `must be a multiple of ${GENERATION_LIMITS.dimensionMultiple} (got ${value})`;
	}
	return undefined;
}

export function checkImageCount(numImages: unknown, width: number, height: number) {
	if (typeof numImages !== 'number' || !Number.isInteger(numImages) || numImages < 1) {
		return 'must be a whole number of at least 1';
	}
	const large = width > GENERATION_LIMITS.largeThreshold || height > GENERATION_LIMITS.largeThreshold;
	const max = large ? GENERATION_LIMITS.maxImagesLarge : GENERATION_LIMITS.maxImages;
	if (numImages > max) {
		return large
			? `must be at most ${max} when width or height is over ${GENERATION_LIMITS.largeThreshold} px (got ${numImages})`
			: `must be at most ${max} (got ${numImages})`;
	}
	return undefined;
}

export function checkWeight(weight: unknown, range: { min: number; max: number }) {
	if (typeof weight !== 'number' || !Number.isFinite(weight)) return 'must be a number';
	if (weight < range.min || weight > range.max) {
		return `must be between ${range.min} and ${range.max} (got ${weight})`;
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------------

export const ASPECT_RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

/** Long-side sizes offered for aspect-ratio presets (all multiples of 8, at most 2048). */
export const BASE_SIZES = [512, 768, 1024, 1536, 2048] as const;

const roundDownTo8 = (n: number) => Math.max(GENERATION_LIMITS.minDimension, Math.floor(n / 8) * 8);

/**
 * Width and height for an aspect-ratio preset: the long side is `longSide`, the short side is the
 * ratio applied to it rounded down to a multiple of 8. 16:9 at 1024 gives 1024x576; 3:2 gives 1024x680.
 */
export function sizeForAspectRatio(ratio: AspectRatio, longSide: number) {
	const [w, h] = ratio.split(':').map(Number);
	if (w >= h) return { width: longSide, height: roundDownTo8((longSide * h) / w) };
	return { width: roundDownTo8((longSide * w) / h), height: longSide };
}

// ---------------------------------------------------------------------------------------------
// Images (binary inputs)
// ---------------------------------------------------------------------------------------------

/** The image format of a buffer from its magic bytes, or undefined when it is not PNG, JPEG or WebP. */
export function sniffImageExtension(data: Uint8Array): ImageExtension | undefined {
	if (data.length >= 8 && data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) {
		return 'png';
	}
	if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
	if (
		data.length >= 12 &&
		String.fromCharCode(data[0], data[1], data[2], data[3]) === 'RIFF' &&
		String.fromCharCode(data[8], data[9], data[10], data[11]) === 'WEBP'
	) {
		return 'webp';
	}
	return undefined;
}

export function isImageExtension(value: string): value is ImageExtension {
	return (IMAGE_EXTENSIONS as readonly string[]).includes(value.toLowerCase());
}
