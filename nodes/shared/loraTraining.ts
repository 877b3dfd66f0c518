/**
 * LoRA (element) training rules: defaults and ranges of POST /elements by focus and base model
 * (leonardo-api.md §7.7) and the image counts of the product brief. Pure functions and constants, shared
 * by the node (checks before any upload) and the tests.
 */
import type { ElementSdVersion, LoraFocus } from './contract';

/** The product brief's minimum number of training images. */
export const MIN_TRAINING_IMAGES = 10;

/** Recommended image counts (product brief / issue 6): characters 15-25, styles 20-30, others 15-25. */
export const RECOMMENDED_TRAINING_IMAGES: Record<LoraFocus, { min: number; max: number }> = {
	General: { min: 15, max: 25 },
	Character: { min: 15, max: 25 },
	Style: { min: 20, max: 30 },
	Object: { min: 15, max: 25 },
};

/** Leonardo accepts only this training resolution ("Must be 1024"). */
export const TRAINING_RESOLUTION = 1024;

export interface TrainingRanges {
	epochs: { min: number; max: number; default: number };
	learningRate: { min: number; max: number; default: number };
}

const DEFAULT_RANGES: TrainingRanges = {
	epochs: { min: 1, max: 250, default: 100 },
	learningRate: { min: 1e-8, max: 1e-5, default: 1e-6 },
};

const FLUX_DEV_RANGES: Partial<Record<LoraFocus, TrainingRanges>> = {
	Style: { epochs: { min: 30, max: 120, default: 60 }, learningRate: { min: 1e-6, max: 3e-5, default: 1e-5 } },
	Object: { epochs: { min: 120, max: 220, default: 140 }, learningRate: { min: 1e-5, max: 1e-3, default: 4e-4 } },
	Character: { epochs: { min: 100, max: 200, default: 135 }, learningRate: { min: 1e-5, max: 1e-3, default: 5e-4 } },
};

/** Epoch and learning-rate ranges (with defaults) for a focus on a base model, or a problem message. */
export function trainingRanges(
	focus: LoraFocus,
	sdVersion: ElementSdVersion,
): { ok: true; ranges: TrainingRanges } | { ok: false; problem: string } {
	if (sdVersion !== 'FLUX_DEV') return { ok: true, ranges: DEFAULT_RANGES };
	const ranges = FLUX_DEV_RANGES[focus];
	if (!ranges) {
		return {
			ok: false,
			problem: `Leonardo does not train FLUX_DEV elements with focus ${focus}: use Character, Style or Object, or another base model`,
		};
	}
	return { ok: true, ranges };
}

/** Whether Leonardo needs an instance prompt (trigger word) for this focus and base model. */
export function instancePromptRequired(focus: LoraFocus, sdVersion: ElementSdVersion): boolean {
	return sdVersion !== 'FLUX_DEV' || focus === 'Character';
}

/** A notice when the image count is outside the recommended range for the focus, else undefined. */
export function imageCountNotice(focus: LoraFocus, count: number): string | undefined {
	const { min, max } = RECOMMENDED_TRAINING_IMAGES[focus];
	if (count >= min && count <= max) return undefined;
	const side = count < min ? 'fewer' : 'more';
	return `${count} images is ${side} than the recommended ${min}-${max} for a ${focus.toLowerCase()} LoRA; quality and consistency matter more than quantity.`;
}

/** The calendar month (UTC, "YYYY-MM") of a Leonardo timestamp ("2023-11-25T20:49:08.035" has no zone: UTC). */
export function monthOf(timestamp: string | null | undefined): string | undefined {
	if (!timestamp) return undefined;
	const hasZone = /[zZ]|[+-]\d\d:?\d\d$/.test(timestamp);
	const date = new Date(hasZone ? timestamp : `${timestamp}Z`);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 7);
}

/** How many of these elements were created in the month of `now` (UTC). */
export function countCreatedThisMonth(
	elements: Array<{ createdAt?: string | null } | null>,
	now: Date = new Date(),
): number {
	const month = now.toISOString().slice(0, 7);
	return elements.filter((element) => element && monthOf(element.createdAt) === month).length;
}
