/**
 * Request validation with the real API's (Hasura) error texts: unknown body fields ("Unexpected variable
 * <name>", bad-request), wrong JSON types ("expected a boolean for type 'Boolean', but found a string",
 * validation-failed, path $.selectionSet.<root>.args.arg1.<field>), missing required fields
 * ('expecting a value for non-nullable variable: "prompt"', validation-failed). Schemas follow the SDK wire
 * shapes (leonardo-fixtures/sdk-wire-shapes.txt) plus the docs-only fields (styleUUID, controlnets[].influence).
 */
import {
	CANVAS_REQUEST_TYPES,
	ELEMENT_SD_VERSIONS,
	INIT_IMAGE_TYPES,
	PRESET_STYLES,
	PRICING_SERVICES,
	SCHEDULERS,
	SD_VERSIONS,
	STRENGTH_TYPES,
	TRANSPARENCY_VALUES,
	ULTRA_UPSCALE_STYLES,
	UPSCALER_STYLES,
	VIDEO_MODELS,
	VIDEO_RESOLUTIONS,
	type LeonardoErrorBody,
} from '../nodes/shared/contract';

export type TypeSpec =
	| { kind: 'String' | 'Int' | 'Float' | 'Boolean' | 'any' }
	| { kind: 'enum'; name: string; values: readonly string[] }
	| { kind: 'list'; of: TypeSpec }
	| { kind: 'object'; name: string; fields: Schema };

export interface FieldSpec {
	type: TypeSpec;
	required?: boolean;
}
export type Schema = Record<string, FieldSpec>;

export class ApiError extends Error {
	constructor(
		public status: number,
		public body: LeonardoErrorBody,
		public headers: Record<string, string> = {},
	) {
		super(body.error);
	}
}

export const apiError = (status: number, error: string, code: string, path = '$', headers: Record<string, string> = {}) =>
	new ApiError(status, { error, path, code }, headers);

const S: TypeSpec = { kind: 'String' };
const I: TypeSpec = { kind: 'Int' };
const F: TypeSpec = { kind: 'Float' };
const B: TypeSpec = { kind: 'Boolean' };
const ANY: TypeSpec = { kind: 'any' };
const e = (name: string, values: readonly string[]): TypeSpec => ({ kind: 'enum', name, values });
const list = (of: TypeSpec): TypeSpec => ({ kind: 'list', of });
const obj = (name: string, fields: Schema): TypeSpec => ({ kind: 'object', name, fields });
const opt = (type: TypeSpec): FieldSpec => ({ type });
const req = (type: TypeSpec): FieldSpec => ({ type, required: true });

function describe(v: unknown): string {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'a list';
	switch (typeof v) {
		case 'string':
			return 'a string';
		case 'boolean':
			return 'a boolean';
		case 'number':
			return Number.isInteger(v) ? 'a number' : 'a float';
		case 'object':
			return 'an object';
		default:
			return 'an unknown value';
	}
}

function typeName(t: TypeSpec): string {
	switch (t.kind) {
		case 'enum':
		case 'object':
			return t.name;
		case 'list':
			return `[${typeName(t.of)}]`;
		default:
			return t.kind;
	}
}

function checkValue(t: TypeSpec, v: unknown, path: string): ApiError | null {
	if (v === null || v === undefined || t.kind === 'any') return null;
	const mismatch = (expected: string) =>
		apiError(400, `expected ${expected} for type '${typeName(t)}', but found ${describe(v)}`, 'validation-failed', path);
	switch (t.kind) {
		case 'String':
			return typeof v === 'string' ? null : mismatch('a string');
		case 'Boolean':
			return typeof v === 'boolean' ? null : mismatch('a boolean');
		case 'Int':
			return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 53 ? null : mismatch('a 32-bit integer');
		case 'Float':
			return typeof v === 'number' && Number.isFinite(v) ? null : mismatch('a float');
		case 'enum':
			return typeof v === 'string' && t.values.includes(v)
				? null
				: apiError(
						400,
						`expected one of the values ${t.values.map((x) => `'${x}'`).join(', ')} for type '${t.name}', but found ${JSON.stringify(v)}`,
						'validation-failed',
						path,
					);
		case 'list': {
			if (!Array.isArray(v)) return mismatch('a list');
			for (let i = 0; i < v.length; i++) {
				const err = checkValue(t.of, v[i], `${path}[${i}]`);
				if (err) return err;
			}
			return null;
		}
		case 'object': {
			if (typeof v !== 'object' || Array.isArray(v)) return mismatch('an object');
			const o = v as Record<string, unknown>;
			for (const k of Object.keys(o)) {
				if (!(k in t.fields)) return apiError(400, `field '${k}' not found in type: '${t.name}'`, 'validation-failed', `${path}.${k}`);
			}
			for (const [k, f] of Object.entries(t.fields)) {
				if (f.required && (o[k] === undefined || o[k] === null))
					return apiError(400, `missing required field '${k}'`, 'validation-failed', `${path}.${k}`);
				const err = checkValue(f.type, o[k], `${path}.${k}`);
				if (err) return err;
			}
			return null;
		}
	}
	return null;
}

/** Validates a JSON request body against an endpoint schema; throws ApiError like the real API. */
export function validateBody(root: string, schema: Schema, body: unknown): Record<string, unknown> {
	if (body === undefined || body === null) body = {};
	if (typeof body !== 'object' || Array.isArray(body))
		throw apiError(400, 'Error in $: expected Object, but encountered ' + (Array.isArray(body) ? 'Array' : typeof body), 'invalid-json');
	const o = body as Record<string, unknown>;
	for (const k of Object.keys(o)) {
		if (!(k in schema)) throw apiError(400, `Unexpected variable ${k}`, 'bad-request');
	}
	for (const [k, f] of Object.entries(schema)) {
		if (f.required && (o[k] === undefined || o[k] === null))
			throw apiError(400, `expecting a value for non-nullable variable: "${k}"`, 'validation-failed');
		const err = checkValue(f.type, o[k], `$.selectionSet.${root}.args.arg1.${k}`);
		if (err) throw err;
	}
	return o;
}

// ---------------------------------------------------------------------------------------------
// Endpoint schemas (wire names)
// ---------------------------------------------------------------------------------------------

const elementInput = obj('ElementInput', { akUUID: req(S), weight: opt(F) });
const userElementInput = obj('UserElementInput', { userLoraId: opt(I), weight: opt(F) });
const controlnetInput = obj('ControlnetInput', {
	initImageId: opt(S),
	initImageType: opt(e('ControlnetInitImageType', INIT_IMAGE_TYPES)),
	preprocessorId: opt(I),
	strengthType: opt(e('StrengthType', STRENGTH_TYPES)),
	weight: opt(F),
	influence: opt(F),
});

export const SCHEMAS = {
	createGeneration: {
		prompt: req(S),
		negative_prompt: opt(S),
		modelId: opt(S),
		sd_version: opt(e('sd_versions', SD_VERSIONS)),
		width: opt(I),
		height: opt(I),
		num_images: opt(I),
		num_inference_steps: opt(I),
		guidance_scale: opt(F),
		seed: opt(I),
		scheduler: opt(e('sd_generation_schedulers', SCHEDULERS)),
		presetStyle: opt(e('sd_generation_style', PRESET_STYLES)),
		alchemy: opt(B),
		ultra: opt(B),
		contrast: opt(F),
		styleUUID: opt(S),
		enhancePrompt: opt(B),
		enhancePromptInstruction: opt(S),
		photoReal: opt(B),
		photoRealVersion: opt(S),
		photoRealStrength: opt(F),
		promptMagic: opt(B),
		promptMagicStrength: opt(F),
		promptMagicVersion: opt(S),
		highContrast: opt(B),
		highResolution: opt(B),
		expandedDomain: opt(B),
		contrastRatio: opt(F),
		fantasyAvatar: opt(B),
		tiling: opt(B),
		public: opt(B),
		transparency: opt(e('transparency', TRANSPARENCY_VALUES)),
		init_image_id: opt(S),
		init_generation_image_id: opt(S),
		init_strength: opt(F),
		imagePrompts: opt(list(S)),
		imagePromptWeight: opt(F),
		unzoom: opt(B),
		unzoomAmount: opt(F),
		upscaleRatio: opt(F),
		controlnets: opt(list(controlnetInput)),
		elements: opt(list(elementInput)),
		userElements: opt(list(userElementInput)),
		canvasRequest: opt(B),
		canvasRequestType: opt(e('canvas_request_type', CANVAS_REQUEST_TYPES)),
		canvasInitId: opt(S),
		canvasMaskId: opt(S),
		controlNet: opt(B),
		controlNetType: opt(e('controlnet_type', ['POSE', 'CANNY', 'DEPTH'])),
		weighting: opt(F),
	},
	uploadInitImage: { extension: req(S) },
	uploadCanvasInitImage: { initExtension: req(S), maskExtension: req(S) },
	createDataset: { name: req(S), description: opt(S) },
	uploadDatasetImage: { extension: req(S) },
	uploadDatasetImageFromGen: { generatedImageId: req(S) },
	createElement: {
		name: req(S),
		description: opt(S),
		datasetId: req(S),
		instance_prompt: opt(S),
		lora_focus: req(S),
		sd_version: req(e('element_sd_versions', ELEMENT_SD_VERSIONS)),
		resolution: opt(I),
		num_train_epochs: req(I),
		learning_rate: req(F),
		train_text_encoder: req(B),
	},
	createModel: {
		datasetId: req(S),
		instance_prompt: req(S),
		name: req(S),
		description: opt(S),
		modelType: opt(e('custom_model_type', ['GENERAL', 'BUILDINGS', 'CHARACTERS', 'ENVIRONMENTS', 'FASHION', 'ILLUSTRATIONS', 'GAME_ITEMS', 'GRAPHICAL_ELEMENTS', 'PHOTOGRAPHY', 'PIXEL_ART', 'PRODUCT_DESIGN', 'TEXTURES', 'UI_ELEMENTS', 'VECTOR'])),
		nsfw: opt(B),
		resolution: opt(I),
		sd_version: opt(e('sd_versions', ['v1_5', 'v2'])),
		strength: opt(e('strength', ['VERY_LOW', 'LOW', 'MEDIUM', 'HIGH'])),
	},
	createSvd: { imageId: req(S), motionStrength: opt(I), isPublic: opt(B), isInitImage: opt(B), isVariation: opt(B) },
	createImageToVideo: {
		imageId: req(S),
		imageType: req(e('image_type', INIT_IMAGE_TYPES)),
		prompt: req(S),
		model: opt(e('video_model', VIDEO_MODELS)),
		resolution: opt(e('video_resolution', VIDEO_RESOLUTIONS)),
		width: opt(I),
		height: opt(I),
		duration: opt(I),
		endFrameImage: opt(obj('EndFrameImage', { id: req(S), type: req(e('image_type', INIT_IMAGE_TYPES)) })),
		negativePrompt: opt(S),
		promptEnhance: opt(B),
		promptEnhanceInstruction: opt(S),
		frameInterpolation: opt(B),
		isPublic: opt(B),
		seed: opt(I),
		styleIds: opt(list(S)),
		elements: opt(list(elementInput)),
	},
	createTextToVideo: {
		prompt: req(S),
		model: opt(e('video_model', VIDEO_MODELS)),
		resolution: opt(e('video_resolution', VIDEO_RESOLUTIONS)),
		width: opt(I),
		height: opt(I),
		duration: opt(I),
		negativePrompt: opt(S),
		promptEnhance: opt(B),
		promptEnhanceInstruction: opt(S),
		frameInterpolation: opt(B),
		isPublic: opt(B),
		seed: opt(I),
		styleIds: opt(list(S)),
		elements: opt(list(elementInput)),
	},
	videoUpscale: { sourceGenerationId: req(S), resolution: req(e('video_upscale_resolution', ['RESOLUTION_720'])) },
	variationUpscale: { id: req(S) },
	variationUnzoom: { id: opt(S), isVariation: opt(B) },
	variationNobg: { id: req(S), isVariation: opt(B) },
	universalUpscaler: {
		generatedImageId: opt(S),
		initImageId: opt(S),
		variationId: opt(S),
		upscalerStyle: opt(e('universal_upscaler_style', UPSCALER_STYLES)),
		ultraUpscaleStyle: opt(e('universal_upscaler_ultra_style', ULTRA_UPSCALE_STYLES)),
		creativityStrength: opt(I),
		upscaleMultiplier: opt(F),
		detailContrast: opt(I),
		similarity: opt(I),
		prompt: opt(S),
	},
	pricingCalculator: { service: req(e('pricing_calculator_services', PRICING_SERVICES)), serviceParams: opt(ANY) },
	promptImprove: { prompt: req(S), promptInstructions: opt(S), isVideo: opt(B) },
	promptRandom: {},
	v2Generation: { model: req(S), public: opt(B), parameters: req(ANY) },
} satisfies Record<string, Schema>;

export const V2_PARAMETERS: Schema = {
	prompt: opt(S),
	negative_prompt: opt(S),
	width: opt(I),
	height: opt(I),
	quantity: opt(I),
	seed: opt(I),
	style_ids: opt(list(S)),
	prompt_enhance: opt(e('prompt_enhance', ['ON', 'OFF'])),
	mode: opt(S),
	duration: opt(I),
	motion_has_audio: opt(B),
	resolution: opt(S),
	aspect_ratio: opt(S),
	guidances: opt(ANY),
	elements: opt(ANY),
};

/** Words that trip the emulator's moderation filter (403 with the documented text). */
export const MODERATION_WORDS = ['nsfw', 'nude', 'naked', 'gore', 'porn', 'explicit', 'beheading'];

export function moderationHit(...texts: Array<string | null | undefined>): string | null {
	for (const t of texts) {
		if (!t) continue;
		const lower = t.toLowerCase();
		for (const w of MODERATION_WORDS) if (new RegExp(`\\b${w}\\b`).test(lower)) return w;
	}
	return null;
}
