import type { IExecuteFunctions, ILoadOptionsFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isPlanId, plansWith, resolvePlan, type PlanId, type PlanProfile } from '../../shared/plans';
import { CREDENTIAL_TYPE } from './constants';

export type LeonardoContext = IExecuteFunctions | ILoadOptionsFunctions;

/** The decrypted LeonardoApi credential. */
export interface LeonardoCredentials {
	apiKey: string;
	plan: PlanId;
	baseUrl: string;
	customRequestsPerMinute?: number;
	customConcurrentJobs?: number;
	customLoraTrainingsPerMonth?: number;
}

export async function getLeonardoCredentials(this: LeonardoContext): Promise<LeonardoCredentials> {
	const raw = await this.getCredentials(CREDENTIAL_TYPE);
	const plan = isPlanId(raw.plan) ? raw.plan : 'ARTISAN';
	return {
		apiKey: String(raw.apiKey ?? ''),
		plan,
		baseUrl: String(raw.baseUrl || 'https://cloud.leonardo.ai').replace(/\/+$/, ''),
		customRequestsPerMinute: raw.customRequestsPerMinute as number | undefined,
		customConcurrentJobs: raw.customConcurrentJobs as number | undefined,
		customLoraTrainingsPerMonth: raw.customLoraTrainingsPerMonth as number | undefined,
	};
}

export function planOf(credentials: LeonardoCredentials): PlanProfile {
	return resolvePlan(credentials.plan, {
		requestsPerMinute: credentials.customRequestsPerMinute,
		concurrentJobs: credentials.customConcurrentJobs,
		loraTrainingsPerMonth: credentials.customLoraTrainingsPerMonth,
	});
}

export async function getPlan(this: LeonardoContext): Promise<PlanProfile> {
	return planOf(await getLeonardoCredentials.call(this));
}

/** "Artisan or Maestro": the plans with API access, for error messages. */
export const API_PLANS = plansWith((p) => p.apiAccess);

function planError(node: INode, message: string, description: string, itemIndex?: number) {
	return new NodeOperationError(node, message, { description, itemIndex, level: 'warning' });
}

/** Throws before any request when the plan has no API access (Free, Apprentice). */
export function assertApiAccess(node: INode, plan: PlanProfile, itemIndex?: number) {
	if (plan.apiAccess) return;
	throw planError(
		node,
		`The ${plan.displayName} plan has no Leonardo API access: ${API_PLANS} needed`,
		`Leonardo's API is available on the ${API_PLANS} plans. Upgrade the account, or set the right plan in the Leonardo API credential. No request was sent.`,
		itemIndex,
	);
}

export function assertCharacterReference(node: INode, plan: PlanProfile, itemIndex?: number) {
	if (plan.characterReference) return;
	throw planError(
		node,
		`Consistent Character needs a paid plan (${plansWith((p) => p.characterReference)}); the credential's plan is ${plan.displayName}`,
		'Remove the Character Reference or use a key of a paid plan. No request was sent.',
		itemIndex,
	);
}

/** Motion checks for the Motion engineer: access, resolution tier and clip length. */
export function assertMotionAllowed(
	node: INode,
	plan: PlanProfile,
	request: { resolution?: string; durationSeconds?: number },
	itemIndex?: number,
) {
	const { motion } = plan;
	if (motion.access === 'none') {
		throw planError(
			node,
			`The ${plan.displayName} plan has no motion generation: ${plansWith((p) => p.motion.access !== 'none')} needed`,
			'No request was sent.',
			itemIndex,
		);
	}
	const tiers = ['RESOLUTION_480', 'RESOLUTION_720', 'RESOLUTION_1080'];
	if (request.resolution && tiers.indexOf(request.resolution) > tiers.indexOf(motion.maxResolution)) {
		throw planError(
			node,
			`The ${plan.displayName} plan allows motion up to ${motion.maxResolution}, not ${request.resolution}`,
			`Plans with full motion: ${plansWith((p) => p.motion.access === 'full')}. No request was sent.`,
			itemIndex,
		);
	}
	if (request.durationSeconds !== undefined && request.durationSeconds > motion.maxDurationSeconds) {
		throw planError(
			node,
			`The ${plan.displayName} plan allows clips up to ${motion.maxDurationSeconds} s, not ${request.durationSeconds} s`,
			'No request was sent.',
			itemIndex,
		);
	}
}

/** LoRA training quota check for the LoRA engineer (`trainedThisMonth` counted by the caller). */
export function assertLoraTrainingAllowed(
	node: INode,
	plan: PlanProfile,
	trainedThisMonth: number,
	itemIndex?: number,
) {
	if (plan.loraTrainingsPerMonth <= 0) {
		throw planError(
			node,
			`The ${plan.displayName} plan includes no LoRA training: ${plansWith((p) => p.loraTrainingsPerMonth > 0 && p.apiAccess)} needed`,
			'No request was sent.',
			itemIndex,
		);
	}
	if (trainedThisMonth >= plan.loraTrainingsPerMonth) {
		throw planError(
			node,
			`The ${plan.displayName} plan allows ${plan.loraTrainingsPerMonth} LoRA trainings per month; ${trainedThisMonth} already started this month`,
			'Wait for the next month or upgrade the plan. No request was sent.',
			itemIndex,
		);
	}
}

/** Fields added to every output item so downstream nodes know the usage rights. */
export function planOutputFields(plan: PlanProfile) {
	return { plan: plan.displayName, commercialUse: plan.commercialUse };
}
