/**
 * Shared parts of the Motion resource: the video model capability table, the plan rules, the shared
 * properties of Image to Video / Text to Video, and "submit, wait, output the MP4".
 *
 * Plan rules (nodes/shared/plans.ts, PLAN_PROFILES[plan].motion), checked BEFORE any request:
 * - access 'none' (Free): refused.
 * - access 'limited' (Apprentice): refused when the requested resolution is above motion.maxResolution
 *   (RESOLUTION_480) or the clip (asked or model default) is longer than motion.maxDurationSeconds (3 s).
 *   We reject rather than clamp: a silently shorter or smaller clip than configured is a surprise.
 * - access 'full' (Artisan, Maestro, Custom): allowed; motion.priority (Maestro) is noted in the output.
 * Free and Apprentice have no API access at all, and the router's API check runs first.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	VIDEO_MODELS,
	VIDEO_RESOLUTIONS,
	type CreateVideoRequest,
	type ElementInput,
	type JobCostFields,
	type VideoModel,
	type VideoResolution,
} from '../../../shared/contract';
import { PLAN_IDS, PLAN_PROFILES, plansWith, type PlanProfile } from '../../../shared/plans';
import { checkPrompt, isUuid } from '../../../shared/validation';
import { finishGenerationJob } from '../../helpers/output';
import { withJobSlot } from '../../transport';
import { readOutputSettings, type WaitSettings } from '../descriptions';

// ---------------------------------------------------------------------------------------------
// Capability table (leonardo-api.md §7.10)
// ---------------------------------------------------------------------------------------------

export interface VideoModelInfo {
	name: string;
	resolutions: readonly VideoResolution[];
	defaultResolution: VideoResolution;
	/** Allowed `duration` values in seconds; undefined = fixed length, no duration is sent. */
	durations?: readonly number[];
	defaultDurationSeconds: number;
	/** endFrameImage is accepted (Kling 2.1 only). */
	endFrame: boolean;
	/** `elements` (camera controls) are accepted (Motion 2.0 only). */
	elements: boolean;
	seedMax: number;
}

const SEED_MAX_MOTION2 = 2147483637;
const SEED_MAX_VEO3 = 4294967293;

/**
 * Documented: VEO3/VEO3FAST durations 4, 6, 8 (default 8); KLING2_5 5 or 10 (default 5); endFrameImage
 * Kling 2.1 only; elements Motion 2.0 only; seed max 2147483637 (Motion 2.0) / 4294967293 (Veo 3).
 * Resolutions are "model dependent" in the docs; the tiers below are Leonardo's product pages.
 */
export const VIDEO_MODEL_INFO: Record<VideoModel, VideoModelInfo> = {
	MOTION2: {
		name: 'Motion 2.0',
		resolutions: ['RESOLUTION_480', 'RESOLUTION_720'],
		defaultResolution: 'RESOLUTION_720',
		defaultDurationSeconds: 5,
		endFrame: false,
		elements: true,
		seedMax: SEED_MAX_MOTION2,
	},
	MOTION2FAST: {
		name: 'Motion 2.0 Fast',
		resolutions: ['RESOLUTION_480', 'RESOLUTION_720'],
		defaultResolution: 'RESOLUTION_720',
		defaultDurationSeconds: 5,
		endFrame: false,
		elements: true,
		seedMax: SEED_MAX_MOTION2,
	},
	VEO3: {
		name: 'Veo 3',
		resolutions: ['RESOLUTION_720', 'RESOLUTION_1080'],
		defaultResolution: 'RESOLUTION_720',
		durations: [4, 6, 8],
		defaultDurationSeconds: 8,
		endFrame: false,
		elements: false,
		seedMax: SEED_MAX_VEO3,
	},
	VEO3FAST: {
		name: 'Veo 3 Fast',
		resolutions: ['RESOLUTION_720', 'RESOLUTION_1080'],
		defaultResolution: 'RESOLUTION_720',
		durations: [4, 6, 8],
		defaultDurationSeconds: 8,
		endFrame: false,
		elements: false,
		seedMax: SEED_MAX_VEO3,
	},
	KLING2_1: {
		name: 'Kling 2.1 Pro',
		resolutions: ['RESOLUTION_1080'],
		defaultResolution: 'RESOLUTION_1080',
		durations: [5, 10],
		defaultDurationSeconds: 5,
		endFrame: true,
		elements: false,
		seedMax: SEED_MAX_MOTION2,
	},
	KLING2_5: {
		name: 'Kling 2.5 Turbo',
		resolutions: ['RESOLUTION_1080'],
		defaultResolution: 'RESOLUTION_1080',
		durations: [5, 10],
		defaultDurationSeconds: 5,
		endFrame: false,
		elements: false,
		seedMax: SEED_MAX_MOTION2,
	},
};

/** Motion 1.0 (SVD) clips: fixed length, no resolution choice. */
export const SVD_INFO = { name: 'Motion 1.0 (SVD)', defaultDurationSeconds: 4 } as const;
export const MOTION_STRENGTH_RANGE = { min: 1, max: 10, default: 5 } as const;

/** Documented Motion 2.0 camera-control elements (docs.leonardo.ai Motion 2.0 guide). */
export const CAMERA_CONTROL_EXAMPLES = {
	'Dolly In': 'ece8c6a9-3deb-430e-8c93-4d5061b6adbf',
	'Bullet Time': 'fbed015e-594e-4f78-b4be-3b07142aaa1e',
} as const;

const RESOLUTION_LABELS: Record<VideoResolution, string> = {
	RESOLUTION_480: '480p',
	RESOLUTION_720: '720p',
	RESOLUTION_1080: '1080p',
};

// ---------------------------------------------------------------------------------------------
// Plan rules
// ---------------------------------------------------------------------------------------------

export interface MotionPlanProblem {
	message: string;
	description: string;
}

const resolutionRank = (r: VideoResolution) => VIDEO_RESOLUTIONS.indexOf(r);

/**
 * The plan rule for one motion request; undefined when allowed. Pure (tested directly), the message
 * names the parameter and the limit.
 */
export function motionPlanProblem(
	plan: PlanProfile,
	request: { modelName: string; resolution?: VideoResolution; durationSeconds: number; durationParameter?: string },
): MotionPlanProblem | undefined {
	const { motion } = plan;
	if (motion.access === 'none') {
		return {
			message: `Motion: the ${plan.displayName} plan has no motion generation; ${plansWith((p) => p.motion.access === 'full')} needed`,
			description: `Motion is not part of the ${plan.displayName} plan. No request was sent.`,
		};
	}
	if (motion.access === 'limited') {
		const reduced = `The ${plan.displayName} plan has limited motion: at most ${RESOLUTION_LABELS[motion.maxResolution]} (${motion.maxResolution}) and clips of at most ${motion.maxDurationSeconds} s. Full motion: ${plansWith((p) => p.motion.access === 'full')}. No request was sent.`;
		if (request.resolution && resolutionRank(request.resolution) > resolutionRank(motion.maxResolution)) {
			return {
				message: `Resolution: the ${plan.displayName} plan allows motion up to ${motion.maxResolution}, not ${request.resolution}`,
				description: reduced,
			};
		}
		if (request.durationSeconds > motion.maxDurationSeconds) {
			return {
				message: `${request.durationParameter ?? 'Duration'}: the ${plan.displayName} plan allows clips up to ${motion.maxDurationSeconds} s; ${request.modelName} gives ${request.durationSeconds} s`,
				description: reduced,
			};
		}
	}
	return undefined;
}

/** One line per plan for the editor notice, from the plan table (what is reduced on limited plans). */
export function motionPlanSummary(): string {
	const parts = PLAN_IDS.filter((id) => id !== 'CUSTOM').map((id) => {
		const p = PLAN_PROFILES[id];
		const m = p.motion;
		const what =
			m.access === 'none'
				? 'no motion'
				: m.access === 'limited'
					? `limited: at most ${RESOLUTION_LABELS[m.maxResolution]} and ${m.maxDurationSeconds} s clips`
					: `full${m.priority ? ', priority processing' : ''}`;
		return `${p.displayName}: ${what}${p.apiAccess ? '' : ' (no API access)'}`;
	});
	return `Motion by plan — ${parts.join('; ')}. Checked before any request.`;
}

export function fail(ctx: IExecuteFunctions, i: number, message: string, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description });
}

export function assertMotionPlan(
	ctx: IExecuteFunctions,
	i: number,
	plan: PlanProfile,
	request: Parameters<typeof motionPlanProblem>[1],
) {
	const problem = motionPlanProblem(plan, request);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), problem.message, {
			itemIndex: i,
			description: problem.description,
			level: 'warning',
		});
	}
}

// ---------------------------------------------------------------------------------------------
// Properties shared by Image to Video and Text to Video
// ---------------------------------------------------------------------------------------------

export function videoProperties(): INodeProperties[] {
	return [
		{
			displayName: 'Prompt',
			name: 'prompt',
			type: 'string',
			required: true,
			default: '',
			typeOptions: { rows: 3 },
			description: 'What happens in the clip (at most 1500 characters)',
		},
		{
			displayName: 'Model',
			name: 'videoModel',
			type: 'options',
			default: 'MOTION2',
			options: VIDEO_MODELS.map((m) => ({
				name: VIDEO_MODEL_INFO[m].name,
				value: m,
				description: `${VIDEO_MODEL_INFO[m].resolutions.map((r) => RESOLUTION_LABELS[r]).join(' / ')}; ${
					VIDEO_MODEL_INFO[m].durations
						? `${VIDEO_MODEL_INFO[m].durations!.join(', ')} s`
						: `${VIDEO_MODEL_INFO[m].defaultDurationSeconds} s`
				}`,
			})),
		},
		{
			displayName: 'Resolution',
			name: 'resolution',
			type: 'options',
			default: '',
			description: 'Model dependent: Motion 2.0 480p/720p, Veo 3 720p/1080p, Kling 1080p',
			options: [
				{ name: 'Model Default', value: '' },
				...VIDEO_RESOLUTIONS.map((r) => ({ name: RESOLUTION_LABELS[r], value: r })),
			],
		},
		{
			displayName: 'Duration (Seconds)',
			name: 'duration',
			type: 'number',
			default: 0,
			description:
				'0 = the model default. Veo 3: 4, 6 or 8 (default 8). Kling: 5 or 10 (default 5). Motion 2.0 has a fixed 5 s length.',
		},
		{
			displayName: 'Camera Controls (Motion 2.0)',
			name: 'elements',
			type: 'fixedCollection',
			placeholder: 'Add Camera Control',
			default: {},
			typeOptions: { multipleValues: true },
			description: 'Motion 2.0 elements such as camera moves, by akUUID',
			options: [
				{
					displayName: 'Element',
					name: 'element',
					values: [
						{
							displayName: 'Element ID (akUUID)',
							name: 'akUUID',
							type: 'string',
							default: '',
							placeholder: CAMERA_CONTROL_EXAMPLES['Dolly In'],
							hint: `E.g. Dolly In ${CAMERA_CONTROL_EXAMPLES['Dolly In']}, Bullet Time ${CAMERA_CONTROL_EXAMPLES['Bullet Time']}`,
						},
						{
							displayName: 'Weight',
							name: 'weight',
							type: 'number',
							default: 1,
							typeOptions: { numberPrecision: 2 },
						},
					],
				},
			],
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Frame Interpolation',
					name: 'frameInterpolation',
					type: 'boolean',
					default: false,
					description: 'Whether to smooth the clip with interpolated frames',
				},
				{
					displayName: 'Height (Px)',
					name: 'height',
					type: 'number',
					default: 0,
					description: '0 = from the resolution. Model dependent; multiple of 8.',
				},
				{
					displayName: 'Negative Prompt',
					name: 'negativePrompt',
					type: 'string',
					default: '',
					typeOptions: { rows: 2 },
				},
				{
					displayName: 'Prompt Enhance',
					name: 'promptEnhance',
					type: 'boolean',
					default: false,
					description: 'Whether Leonardo rewrites the prompt',
				},
				{
					displayName: 'Prompt Enhance Instruction',
					name: 'promptEnhanceInstruction',
					type: 'string',
					default: '',
				},
				{
					displayName: 'Public',
					name: 'isPublic',
					type: 'boolean',
					default: false,
					description: 'Whether the clip appears in the community feed',
				},
				{
					displayName: 'Seed',
					name: 'seed',
					type: 'number',
					default: 0,
					description: 'Fixed seed (0 = random). Max 2147483637 (Motion 2.0, Kling) or 4294967293 (Veo 3).',
				},
				{
					displayName: 'Style IDs',
					name: 'styleIds',
					type: 'string',
					default: '',
					placeholder: 'e.g. 111dc692-d470-4eec-b791-3475abac4c46',
					description: 'Comma-separated style UUIDs',
				},
				{
					displayName: 'Width (Px)',
					name: 'width',
					type: 'number',
					default: 0,
					description: '0 = from the resolution. Model dependent; multiple of 8.',
				},
			],
		},
	];
}

interface VideoOptions {
	frameInterpolation?: boolean;
	height?: number;
	negativePrompt?: string;
	promptEnhance?: boolean;
	promptEnhanceInstruction?: string;
	isPublic?: boolean;
	seed?: number;
	styleIds?: string;
	width?: number;
}

export interface ReadVideoRequest {
	body: CreateVideoRequest;
	model: VideoModel;
	info: VideoModelInfo;
	resolution: VideoResolution;
	durationSeconds: number;
}

/** Reads and validates the shared video parameters (no request). */
export function readVideoRequest(ctx: IExecuteFunctions, i: number, plan: PlanProfile): ReadVideoRequest {
	const prompt = ctx.getNodeParameter('prompt', i, '') as string;
	const promptProblem = checkPrompt(prompt);
	if (promptProblem) fail(ctx, i, `Prompt ${promptProblem}`);

	const model = ctx.getNodeParameter('videoModel', i, 'MOTION2') as VideoModel;
	if (!(VIDEO_MODELS as readonly string[]).includes(model)) {
		fail(ctx, i, `Model "${model}" is not one of ${VIDEO_MODELS.join(', ')}`);
	}
	const info = VIDEO_MODEL_INFO[model];

	const asked = (ctx.getNodeParameter('resolution', i, '') as string) || '';
	if (asked && !(VIDEO_RESOLUTIONS as readonly string[]).includes(asked)) {
		fail(ctx, i, `Resolution "${asked}" is not one of ${VIDEO_RESOLUTIONS.join(', ')}`);
	}
	const resolution = (asked || info.defaultResolution) as VideoResolution;
	if (!info.resolutions.includes(resolution)) {
		fail(
			ctx,
			i,
			`Resolution: ${info.name} supports ${info.resolutions.join(', ')}, not ${resolution}`,
			'Pick a resolution the model supports, or "Model Default".',
		);
	}

	const duration = Number(ctx.getNodeParameter('duration', i, 0) ?? 0);
	let durationSeconds = info.defaultDurationSeconds;
	if (duration) {
		if (!info.durations) {
			fail(
				ctx,
				i,
				`Duration (Seconds): ${info.name} clips have a fixed length of ${info.defaultDurationSeconds} s; set 0`,
			);
		}
		if (!info.durations.includes(duration)) {
			fail(ctx, i, `Duration (Seconds): ${info.name} accepts ${info.durations.join(', ')} s, not ${duration}`);
		}
		durationSeconds = duration;
	}

	const options = ctx.getNodeParameter('options', i, {}) as VideoOptions;
	const body: CreateVideoRequest = { prompt, model, resolution };
	if (info.durations) body.duration = durationSeconds;
	for (const side of ['width', 'height'] as const) {
		const value = options[side];
		if (value) {
			if (!Number.isInteger(value) || value < 32 || value > 2048 || value % 8 !== 0) {
				fail(ctx, i, `${side === 'width' ? 'Width' : 'Height'} (Px) must be a multiple of 8 between 32 and 2048 (got ${value})`);
			}
			body[side] = value;
		}
	}
	if (options.negativePrompt) body.negativePrompt = options.negativePrompt;
	if (options.promptEnhance !== undefined) body.promptEnhance = options.promptEnhance;
	if (options.promptEnhanceInstruction) body.promptEnhanceInstruction = options.promptEnhanceInstruction;
	if (options.frameInterpolation !== undefined) body.frameInterpolation = options.frameInterpolation;
	if (options.isPublic !== undefined) body.isPublic = options.isPublic;
	if (options.seed) {
		if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > info.seedMax) {
			fail(ctx, i, `Seed must be a whole number between 0 and ${info.seedMax} for ${info.name} (got ${options.seed})`);
		}
		body.seed = options.seed;
	}
	if (options.styleIds) {
		const ids = options.styleIds
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);
		const bad = ids.find((id) => !isUuid(id));
		if (bad) fail(ctx, i, `Style IDs: "${bad}" is not a style UUID`);
		if (ids.length) body.styleIds = ids;
	}

	const entries = (ctx.getNodeParameter('elements.element', i, []) as Array<{ akUUID?: string; weight?: number }>) ?? [];
	if (entries.length) {
		if (!info.elements) {
			fail(ctx, i, `Camera Controls (Motion 2.0): ${info.name} does not accept elements; remove them or pick Motion 2.0`);
		}
		const elements: ElementInput[] = entries.map((entry, index) => {
			const akUUID = (entry.akUUID ?? '').trim();
			if (!isUuid(akUUID)) {
				fail(ctx, i, `Camera Controls (Motion 2.0) #${index + 1}: "${akUUID}" is not an element akUUID`);
			}
			const weight = entry.weight ?? 1;
			if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < -2 || weight > 2) {
				fail(ctx, i, `Camera Controls (Motion 2.0) #${index + 1}: Weight must be between -2 and 2 (got ${weight})`);
			}
			return { akUUID, weight };
		});
		body.elements = elements;
	}

	assertMotionPlan(ctx, i, plan, {
		modelName: info.name,
		resolution,
		durationSeconds,
		durationParameter: 'Duration (Seconds)',
	});
	return { body, model, info, resolution, durationSeconds };
}

// ---------------------------------------------------------------------------------------------
// Source image (Image to Video, Generate from Image)
// ---------------------------------------------------------------------------------------------

export const IMAGE_ID_DEFAULT = '={{ $json.imageId }}';

export function readImageId(ctx: IExecuteFunctions, i: number, parameter: string, label: string): string {
	const value = String(ctx.getNodeParameter(parameter, i, '') ?? '').trim();
	if (!value) {
		fail(ctx, i, `${label} is empty`, 'Use the imageId of a previous Leonardo Image → Generate item, e.g. {{ $json.imageId }}.');
	}
	if (!isUuid(value)) {
		fail(
			ctx,
			i,
			`${label} "${value}" is not a Leonardo image ID (a UUID)`,
			'An image ID, not a generation ID: Leonardo answers "Service Error" to a generation ID.',
		);
	}
	return value;
}

// ---------------------------------------------------------------------------------------------
// Submit, wait, output
// ---------------------------------------------------------------------------------------------

export interface MotionJobOptions {
	i: number;
	plan: PlanProfile;
	wait: WaitSettings;
	download: boolean;
	binaryPropertyName: string;
	model: { id: string; name: string };
	extra: IDataObject;
	create: () => Promise<({ generationId: string } & JobCostFields) | undefined>;
}

export { readOutputSettings };

/** Creates the video job (holding a concurrent-job slot), waits as asked and outputs the MP4. */
export async function runMotionJob(this: IExecuteFunctions, o: MotionJobOptions): Promise<INodeExecutionData[]> {
	const { i, plan } = o;
	const priority = { priorityProcessing: plan.motion.priority };
	return (await withJobSlot.call(this, async (): Promise<INodeExecutionData[]> => {
		const job = await o.create();
		if (!job?.generationId) fail(this, i, 'Leonardo accepted the motion job but returned no generation ID');
		return await finishGenerationJob.call(this, job, {
			itemIndex: i,
			plan,
			wait: o.wait,
			pending: { modelId: o.model.id, model: o.model.name, ...o.extra, ...priority },
			download: o.download,
			binaryPropertyName: o.binaryPropertyName,
			model: o.model,
			urlOf: (image) => image.motionMP4URL,
			stream: true,
			mimeType: 'video/mp4',
			extra: { ...o.extra, ...priority },
			after: (items, generation) => {
				for (const item of items) {
					item.json.videoUrl = item.json.url;
					const binary = item.binary?.[o.binaryPropertyName];
					if (binary) {
						binary.fileName = `${generation.id}.mp4`;
						binary.fileExtension = 'mp4';
						binary.mimeType = 'video/mp4';
					}
				}
				if (!items.length || !items[0].json.url) {
					fail(this, i, `Leonardo finished motion job ${generation.id} without a video URL`);
				}
			},
		});
	})) as INodeExecutionData[];
}
