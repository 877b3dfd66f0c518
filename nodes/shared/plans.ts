/**
 * Plan profiles: the one table, from the product brief (Leonardo Phoenix 2.0 FAQ), that drives
 * client-side behaviour in the node and the plan rules of the emulator.
 *
 * Brief facts used here:
 * - API access: Free No, Apprentice No, Artisan Yes, Maestro Yes.
 * - Rate limits: Artisan 30 requests/min and 5 concurrent jobs; Maestro 60/min and 10 concurrent.
 * - LoRA trainings per month: Free 0, Apprentice 1, Artisan 5, Maestro 20.
 * - Consistent Character Engine: paid plans (Apprentice or higher), about 25% more tokens.
 * - Motion: Free no; Apprentice limited (reduced quality/length); Artisan full; Maestro full with priority.
 * - Native generation up to 2048x2048. Commercial use on paid plans only.
 * Custom: Leonardo's documented default API limits (10 concurrent image jobs, 2000 requests/min) unless
 * the credential (or the emulator's key options) overrides them.
 */

export const PLAN_IDS = ['FREE', 'APPRENTICE', 'ARTISAN', 'MAESTRO', 'CUSTOM'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export type MotionAccess = 'none' | 'limited' | 'full';

export interface MotionLimits {
	access: MotionAccess;
	/** Priority processing (Maestro). */
	priority: boolean;
	/** Highest video resolution allowed (limited plans get the lowest tier). */
	maxResolution: 'RESOLUTION_480' | 'RESOLUTION_720' | 'RESOLUTION_1080';
	/** Longest clip in seconds (the brief: clips are 3-5 s; limited plans get the short end). */
	maxDurationSeconds: number;
}

export interface PlanProfile {
	id: PlanId;
	displayName: string;
	apiAccess: boolean;
	requestsPerMinute: number;
	concurrentJobs: number;
	/** Jobs allowed to wait beyond the concurrency (Leonardo: 20 per concurrency slot). */
	queuedJobs: number;
	loraTrainingsPerMonth: number;
	characterReference: boolean;
	/** Extra token cost of a Character reference, as a fraction (0.25 = +25%). */
	characterReferenceSurcharge: number;
	motion: MotionLimits;
	maxWidth: number;
	maxHeight: number;
	commercialUse: boolean;
}

export const MAX_DIMENSION = 2048;
export const CHARACTER_REFERENCE_SURCHARGE = 0.25;

export const PLAN_PROFILES: Record<PlanId, PlanProfile> = {
	FREE: {
		id: 'FREE',
		displayName: 'Free',
		apiAccess: false,
		requestsPerMinute: 0,
		concurrentJobs: 0,
		queuedJobs: 0,
		loraTrainingsPerMonth: 0,
		characterReference: false,
		characterReferenceSurcharge: CHARACTER_REFERENCE_SURCHARGE,
		motion: { access: 'none', priority: false, maxResolution: 'RESOLUTION_480', maxDurationSeconds: 0 },
		maxWidth: MAX_DIMENSION,
		maxHeight: MAX_DIMENSION,
		commercialUse: false,
	},
	APPRENTICE: {
		id: 'APPRENTICE',
		displayName: 'Apprentice',
		apiAccess: false,
		requestsPerMinute: 0,
		concurrentJobs: 0,
		queuedJobs: 0,
		loraTrainingsPerMonth: 1,
		characterReference: true,
		characterReferenceSurcharge: CHARACTER_REFERENCE_SURCHARGE,
		motion: { access: 'limited', priority: false, maxResolution: 'RESOLUTION_480', maxDurationSeconds: 3 },
		maxWidth: MAX_DIMENSION,
		maxHeight: MAX_DIMENSION,
		commercialUse: true,
	},
	ARTISAN: {
		id: 'ARTISAN',
		displayName: 'Artisan',
		apiAccess: true,
		requestsPerMinute: 30,
		concurrentJobs: 5,
		queuedJobs: 100,
		loraTrainingsPerMonth: 5,
		characterReference: true,
		characterReferenceSurcharge: CHARACTER_REFERENCE_SURCHARGE,
		motion: { access: 'full', priority: false, maxResolution: 'RESOLUTION_1080', maxDurationSeconds: 10 },
		maxWidth: MAX_DIMENSION,
		maxHeight: MAX_DIMENSION,
		commercialUse: true,
	},
	MAESTRO: {
		id: 'MAESTRO',
		displayName: 'Maestro',
		apiAccess: true,
		requestsPerMinute: 60,
		concurrentJobs: 10,
		queuedJobs: 200,
		loraTrainingsPerMonth: 20,
		characterReference: true,
		characterReferenceSurcharge: CHARACTER_REFERENCE_SURCHARGE,
		motion: { access: 'full', priority: true, maxResolution: 'RESOLUTION_1080', maxDurationSeconds: 10 },
		maxWidth: MAX_DIMENSION,
		maxHeight: MAX_DIMENSION,
		commercialUse: true,
	},
	CUSTOM: {
		id: 'CUSTOM',
		displayName: 'Custom',
		apiAccess: true,
		requestsPerMinute: 2000,
		concurrentJobs: 10,
		queuedJobs: 200,
		loraTrainingsPerMonth: 20,
		characterReference: true,
		characterReferenceSurcharge: CHARACTER_REFERENCE_SURCHARGE,
		motion: { access: 'full', priority: true, maxResolution: 'RESOLUTION_1080', maxDurationSeconds: 10 },
		maxWidth: MAX_DIMENSION,
		maxHeight: MAX_DIMENSION,
		commercialUse: true,
	},
};

/** Overrides a Custom plan may carry (credential fields or emulator key options). */
export interface CustomPlanLimits {
	requestsPerMinute?: number;
	concurrentJobs?: number;
	loraTrainingsPerMonth?: number;
}

export function isPlanId(value: unknown): value is PlanId {
	return typeof value === 'string' && (PLAN_IDS as readonly string[]).includes(value);
}

/** The profile of a plan, with Custom limits applied (ignored for the fixed plans). */
export function resolvePlan(plan: PlanId, custom: CustomPlanLimits = {}): PlanProfile {
	const base = PLAN_PROFILES[plan];
	if (plan !== 'CUSTOM') return base;
	const positive = (n: number | undefined, fallback: number) =>
		typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
	const concurrentJobs = positive(custom.concurrentJobs, base.concurrentJobs);
	return {
		...base,
		requestsPerMinute: positive(custom.requestsPerMinute, base.requestsPerMinute),
		concurrentJobs,
		queuedJobs: concurrentJobs * 20,
		// 0 is a real limit here (a Custom plan without training); only a missing value falls back.
		loraTrainingsPerMonth:
			typeof custom.loraTrainingsPerMonth === 'number' &&
			Number.isFinite(custom.loraTrainingsPerMonth) &&
			custom.loraTrainingsPerMonth >= 0
				? Math.floor(custom.loraTrainingsPerMonth)
				: base.loraTrainingsPerMonth,
	};
}

/** The cheapest plans that allow something, for "upgrade to ..." messages. */
export function plansWith(predicate: (p: PlanProfile) => boolean): string {
	return PLAN_IDS.filter((id) => id !== 'CUSTOM' && predicate(PLAN_PROFILES[id]))
		.map((id) => PLAN_PROFILES[id].displayName)
		.join(' or ');
}
