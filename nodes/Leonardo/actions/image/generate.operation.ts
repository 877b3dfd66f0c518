import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameterResourceLocator,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	PRESET_STYLES,
	SCHEDULERS,
	type ControlnetInput,
	type CreateGenerationRequest,
	type CreateGenerationResponse,
	type CustomModel,
	type ElementInput,
	type ListCustomModelsResponse,
	type ListPlatformElementsResponse,
	type ListPlatformModelsResponse,
	type UserElementInput,
	type V2GenerationResponse,
} from '../../../shared/contract';
import {
	ASPECT_RATIOS,
	BASE_SIZES,
	DEFAULT_ELEMENT_WEIGHT_RANGE,
	checkDimension,
	checkImageCount,
	checkPrompt,
	checkWeight,
	isUuid,
	sizeForAspectRatio,
	type AspectRatio,
} from '../../../shared/validation';
import { getInputImage } from '../../helpers/binary';
import { CONTRAST_VALUES, STYLE_UUIDS } from '../../helpers/constants';
import {
	characterPreprocessorId,
	familyFromKnownModel,
	familyFromSdVersion,
	type ModelFamily,
} from '../../helpers/models';
import { finishGenerationJob } from '../../helpers/output';
import { assertCharacterReference } from '../../helpers/plan';
import { apiRequest, cachedForKey, getUserId, uploadInitImage, withJobSlot } from '../../transport';
import {
	binaryOutputProperties,
	modelRLC,
	readWaitSettings,
	waitProperties,
} from '../descriptions';
import type { OperationContext } from '../node.type';

const titleCase = (s: string) =>
	s
		.toLowerCase()
		.split('_')
		.map((w) => w.charAt(0).toUpperCase() + w.slice(1))
		.join(' ');

const properties: INodeProperties[] = [
	{
		displayName: 'API Version',
		name: 'apiVersion',
		type: 'options',
		default: 'v1',
		options: [
			{
				name: 'Leonardo Models (V1)',
				value: 'v1',
				description: 'Platform and custom models with every v1 option, LoRAs and Consistent Character',
			},
			{
				name: 'Newer Models by Slug (V2)',
				value: 'v2',
				description: 'Models served by /api/rest/v2 (e.g. gemini-image-2, flux-schnell), parameters as JSON',
			},
		],
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 3 },
		description: 'What to generate (at most 1500 characters)',
	},
	{ ...modelRLC('searchModels'), displayOptions: { show: { apiVersion: ['v1'] } } },
	{
		displayName: 'Model Slug',
		name: 'modelSlug',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. gemini-image-2',
		displayOptions: { show: { apiVersion: ['v2'] } },
	},
	{
		displayName: 'Parameters (JSON)',
		name: 'v2Parameters',
		type: 'json',
		default: '{}',
		description:
			'Model-specific v2 parameters (snake_case), merged over prompt, width, height and quantity. Example: {"style_ids": ["111dc692-d470-4eec-b791-3475abac4c46"], "prompt_enhance": "OFF"}.',
		displayOptions: { show: { apiVersion: ['v2'] } },
	},
	{
		displayName: 'Size',
		name: 'sizeMode',
		type: 'options',
		default: 'aspectRatio',
		options: [
			{ name: 'Aspect Ratio Preset', value: 'aspectRatio' },
			{ name: 'Custom Width and Height', value: 'custom' },
		],
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		default: '1:1',
		options: ASPECT_RATIOS.map((r) => ({ name: r, value: r })),
		displayOptions: { show: { sizeMode: ['aspectRatio'] } },
	},
	{
		displayName: 'Long Side (Px)',
		name: 'longSide',
		type: 'options',
		default: 1024,
		description: 'Length of the longer side; the other side follows the ratio (rounded down to a multiple of 8)',
		options: BASE_SIZES.map((s) => ({ name: String(s), value: s })),
		displayOptions: { show: { sizeMode: ['aspectRatio'] } },
	},
	{
		displayName: 'Width (Px)',
		name: 'width',
		type: 'number',
		default: 1024,
		typeOptions: { minValue: 32, maxValue: 2048 },
		description: 'Multiple of 8, at most 2048',
		displayOptions: { show: { sizeMode: ['custom'] } },
	},
	{
		displayName: 'Height (Px)',
		name: 'height',
		type: 'number',
		default: 1024,
		typeOptions: { minValue: 32, maxValue: 2048 },
		description: 'Multiple of 8, at most 2048',
		displayOptions: { show: { sizeMode: ['custom'] } },
	},
	{
		displayName: 'Number of Images',
		name: 'numImages',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1, maxValue: 8 },
		description: 'At most 8, or 4 when a side is over 768 px. One output item per image.',
	},
	{
		displayName: 'LoRAs (Elements)',
		name: 'loras',
		type: 'fixedCollection',
		placeholder: 'Add LoRA',
		default: {},
		typeOptions: { multipleValues: true },
		description: 'Platform elements and your trained LoRAs, combined, each with its weight',
		displayOptions: { show: { apiVersion: ['v1'] } },
		options: [
			{
				displayName: 'LoRA',
				name: 'lora',
				values: [
					{
						displayName: 'Element Name or ID',
						name: 'element',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getElements' },
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
						hint: 'With an expression use "platform:<akUUID>" or "user:<userLoraId>"',
					},
					{
						displayName: 'Weight',
						name: 'weight',
						type: 'number',
						default: 1,
						typeOptions: { numberPrecision: 2 },
						description:
							"Strength of the element. Checked against the element's weightMin/weightMax when Leonardo gives them, else 0 to 2.",
					},
				],
			},
		],
	},
	{
		displayName: 'Consistent Character',
		name: 'characterReference',
		type: 'fixedCollection',
		placeholder: 'Add Character Reference',
		default: {},
		description: 'Keep a character consistent with a reference image (paid plans, about 25% more tokens)',
		displayOptions: { show: { apiVersion: ['v1'] } },
		options: [
			{
				displayName: 'Reference',
				name: 'reference',
				values: [
					{
						displayName: 'Image ID',
						name: 'imageId',
						type: 'string',
						default: '',
						displayOptions: { show: { source: ['imageId'] } },
					},
					{
						displayName: 'Image Type',
						name: 'imageType',
						type: 'options',
						default: 'GENERATED',
						options: [
							{ name: 'Generated', value: 'GENERATED' },
							{ name: 'Uploaded (Init Image)', value: 'UPLOADED' },
						],
						displayOptions: { show: { source: ['imageId'] } },
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						displayOptions: { show: { source: ['binary'] } },
					},
					{
						displayName: 'Model Family',
						name: 'modelFamily',
						type: 'options',
						default: 'auto',
						description:
							'Decides the preprocessor: Phoenix 397, SDXL 133. Auto uses known model IDs, the model name, then the model info.',
						options: [
							{ name: 'Auto', value: 'auto' },
							{ name: 'Phoenix (397)', value: 'PHOENIX' },
							{ name: 'SDXL (133)', value: 'SDXL' },
						],
					},
					{
						displayName: 'Reference Source',
						name: 'source',
						type: 'options',
						default: 'binary',
						options: [
							{ name: 'Input Binary Image', value: 'binary', description: 'Uploaded through the presigned init-image flow' },
							{ name: 'Leonardo Image ID', value: 'imageId' },
						],
					},
					{
						displayName: 'Strength',
						name: 'strength',
						type: 'options',
						default: 'Mid',
						options: [
							{ name: 'Low', value: 'Low' },
							{ name: 'Mid', value: 'Mid' },
							{ name: 'High', value: 'High' },
						],
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
		displayOptions: { show: { apiVersion: ['v1'] } },
		options: [
			{ displayName: 'Alchemy', name: 'alchemy', type: 'boolean', default: true, description: 'Whether to use Alchemy (Phoenix: Quality mode)' },
			{
				displayName: 'Contrast',
				name: 'contrast',
				type: 'options',
				default: 3.5,
				description: 'Phoenix/Flux contrast (3 low, 3.5 medium, 4 high; at least 2.5 with Alchemy)',
				options: CONTRAST_VALUES.map((c) => ({ name: String(c), value: c })),
			},
			{ displayName: 'Enhance Prompt', name: 'enhancePrompt', type: 'boolean', default: false, description: 'Whether Leonardo rewrites the prompt' },
			{ displayName: 'Enhance Prompt Instruction', name: 'enhancePromptInstruction', type: 'string', default: '' },
			{ displayName: 'Expanded Domain', name: 'expandedDomain', type: 'boolean', default: false, description: 'Whether to use the expanded domain (legacy Alchemy)' },
			{ displayName: 'Guidance Scale', name: 'guidanceScale', type: 'number', default: 7, typeOptions: { minValue: 1, maxValue: 20 } },
			{ displayName: 'High Contrast', name: 'highContrast', type: 'boolean', default: true, description: 'Whether to use high contrast (off = RAW mode)' },
			{ displayName: 'High Resolution', name: 'highResolution', type: 'boolean', default: false, description: 'Whether to use high resolution (legacy Alchemy)' },
			{ displayName: 'Inference Steps', name: 'numInferenceSteps', type: 'number', default: 15, typeOptions: { minValue: 10, maxValue: 60 } },
			{ displayName: 'Negative Prompt', name: 'negativePrompt', type: 'string', default: '', typeOptions: { rows: 2 } },
			{ displayName: 'PhotoReal', name: 'photoReal', type: 'boolean', default: false, description: 'Whether to use PhotoReal (needs Alchemy)' },
			{ displayName: 'PhotoReal Strength (V1)', name: 'photoRealStrength', type: 'options', default: 0.55, options: [ { name: 'Low (0.55)', value: 0.55 }, { name: 'Medium (0.5)', value: 0.5 }, { name: 'High (0.45)', value: 0.45 } ] },
			{ displayName: 'PhotoReal Version', name: 'photoRealVersion', type: 'options', default: 'v2', options: [ { name: 'V1', value: 'v1' }, { name: 'V2', value: 'v2' } ] },
			{
				displayName: 'Preset Style',
				name: 'presetStyle',
				type: 'options',
				default: 'DYNAMIC',
				options: PRESET_STYLES.map((s) => ({ name: titleCase(s), value: s })),
			},
			{ displayName: 'Public', name: 'public', type: 'boolean', default: false, description: 'Whether the images appear in the community feed' },
			{
				displayName: 'Scheduler',
				name: 'scheduler',
				type: 'options',
				default: 'EULER_DISCRETE',
				options: SCHEDULERS.map((s) => ({ name: titleCase(s), value: s })),
			},
			{ displayName: 'Seed', name: 'seed', type: 'number', default: 0, description: 'Fixed seed for repeatable images (0 = random)' },
			{
				displayName: 'Style Name or ID',
				name: 'styleUUID',
				type: 'options',
				default: '',
				description: 'Phoenix/Flux/Lucid style. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				options: STYLE_UUIDS.map((s) => ({ name: s.name, value: s.value })),
			},
			{ displayName: 'Tiling', name: 'tiling', type: 'boolean', default: false, description: 'Whether the image tiles seamlessly' },
			{
				displayName: 'Transparency',
				name: 'transparency',
				type: 'options',
				default: 'disabled',
				options: [
					{ name: 'Disabled', value: 'disabled' },
					{ name: 'Foreground Only (Transparent PNG)', value: 'foreground_only' },
				],
			},
			{ displayName: 'Ultra', name: 'ultra', type: 'boolean', default: false, description: 'Whether to use Ultra mode (Phoenix/Lucid; not with Alchemy)' },
		],
	},
	{
		displayName: 'Public',
		name: 'v2Public',
		type: 'boolean',
		default: false,
		description: 'Whether the images appear in the community feed',
		displayOptions: { show: { apiVersion: ['v2'] } },
	},
	...waitProperties('poll'),
	...binaryOutputProperties('Images'),
];

const displayOptions = { show: { resource: ['image'], operation: ['generate'] } };

export const description = updateDisplayOptions(displayOptions, properties);

type Options = {
	alchemy?: boolean;
	contrast?: number;
	enhancePrompt?: boolean;
	enhancePromptInstruction?: string;
	expandedDomain?: boolean;
	guidanceScale?: number;
	highContrast?: boolean;
	highResolution?: boolean;
	numInferenceSteps?: number;
	negativePrompt?: string;
	photoReal?: boolean;
	photoRealStrength?: number;
	photoRealVersion?: string;
	presetStyle?: string;
	public?: boolean;
	scheduler?: string;
	seed?: number;
	styleUUID?: string;
	tiling?: boolean;
	transparency?: string;
	ultra?: boolean;
};

interface LoraEntry {
	element?: string;
	weight?: number;
}

interface CharacterReferenceEntry {
	source?: 'binary' | 'imageId';
	binaryPropertyName?: string;
	imageId?: string;
	imageType?: 'GENERATED' | 'UPLOADED';
	strength?: 'Low' | 'Mid' | 'High';
	modelFamily?: 'auto' | ModelFamily;
}

/** Decodes a LoRA element value: "platform:<akUUID>", "user:<userLoraId>", a bare UUID or a bare integer. */
export function parseElementValue(value: unknown):
	| { kind: 'platform'; akUUID: string }
	| { kind: 'user'; userLoraId: number }
	| undefined {
	const text = String(value ?? '').trim();
	const [prefix, ...rest] = text.split(':');
	const id = rest.length ? rest.join(':') : prefix;
	const kind = rest.length ? prefix : undefined;
	if ((kind === 'platform' || kind === undefined) && isUuid(id)) return { kind: 'platform', akUUID: id };
	if ((kind === 'user' || kind === undefined) && /^\d+$/.test(id)) return { kind: 'user', userLoraId: Number(id) };
	return undefined;
}

function fail(ctx: IExecuteFunctions, i: number, message: string, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description });
}

function readSize(ctx: IExecuteFunctions, i: number, plan: OperationContext['plan']) {
	const mode = ctx.getNodeParameter('sizeMode', i, 'aspectRatio') as string;
	let width: number;
	let height: number;
	if (mode === 'custom') {
		width = ctx.getNodeParameter('width', i) as number;
		height = ctx.getNodeParameter('height', i) as number;
		const w = checkDimension(width, plan);
		if (w) fail(ctx, i, `Width (Px) ${w}`);
		const h = checkDimension(height, plan);
		if (h) fail(ctx, i, `Height (Px) ${h}`);
	} else {
		const ratio = ctx.getNodeParameter('aspectRatio', i, '1:1') as AspectRatio;
		if (!(ASPECT_RATIOS as readonly string[]).includes(ratio)) {
			fail(ctx, i, `Aspect Ratio "${ratio}" is not one of ${ASPECT_RATIOS.join(', ')}`);
		}
		const longSide = Number(ctx.getNodeParameter('longSide', i, 1024));
		const problem = checkDimension(longSide, plan);
		if (problem) fail(ctx, i, `Long Side (Px) ${problem}`);
		({ width, height } = sizeForAspectRatio(ratio, longSide));
	}
	return { width, height };
}

async function readLoras(ctx: IExecuteFunctions, i: number) {
	const entries = (ctx.getNodeParameter('loras.lora', i, []) as LoraEntry[]) ?? [];
	const elements: ElementInput[] = [];
	const userElements: UserElementInput[] = [];
	const platformChecks: Array<{ akUUID: string; weight: number; index: number }> = [];
	entries.forEach((entry, index) => {
		const parsed = parseElementValue(entry.element);
		if (!parsed) {
			fail(
				ctx,
				i,
				`LoRAs (Elements) #${index + 1}: "${entry.element ?? ''}" is not an element`,
				'Pick an element from the list, or use "platform:<akUUID>" or "user:<userLoraId>".',
			);
		}
		const weight = entry.weight ?? 1;
		if (typeof weight !== 'number' || !Number.isFinite(weight)) {
			fail(ctx, i, `LoRAs (Elements) #${index + 1}: Weight must be a number`);
		}
		if (parsed.kind === 'user') {
			const problem = checkWeight(weight, DEFAULT_ELEMENT_WEIGHT_RANGE);
			if (problem) fail(ctx, i, `LoRAs (Elements) #${index + 1}: Weight ${problem}`);
			userElements.push({ userLoraId: parsed.userLoraId, weight });
		} else {
			platformChecks.push({ akUUID: parsed.akUUID, weight, index });
			elements.push({ akUUID: parsed.akUUID, weight });
		}
	});
	if (platformChecks.length) {
		// Weights outside every element's possible range fail before any request; exact ranges need the catalogue.
		for (const check of platformChecks) {
			const problem = checkWeight(check.weight, { min: -2, max: 2 });
			if (problem) fail(ctx, i, `LoRAs (Elements) #${check.index + 1}: Weight ${problem}`);
		}
		const catalogue = (await cachedForKey.call(ctx, 'platformElements', async () => {
			const response = (await apiRequest.call(ctx, 'GET', '/elements', { itemIndex: i })) as ListPlatformElementsResponse;
			return response.loras ?? [];
		})) as ListPlatformElementsResponse['loras'];
		for (const check of platformChecks) {
			const element = catalogue.find((e) => e.akUUID === check.akUUID);
			if (!element) {
				fail(
					ctx,
					i,
					`LoRAs (Elements) #${check.index + 1}: Leonardo has no platform element ${check.akUUID}`,
					'For your own trained LoRAs use "user:<userLoraId>".',
				);
			}
			const range =
				typeof element.weightMin === 'number' && typeof element.weightMax === 'number'
					? { min: element.weightMin, max: element.weightMax }
					: DEFAULT_ELEMENT_WEIGHT_RANGE;
			const problem = checkWeight(check.weight, range);
			if (problem) fail(ctx, i, `LoRAs (Elements) #${check.index + 1} (${element.name}): Weight ${problem}`);
		}
	}
	return { elements, userElements };
}

/**
 * An unknown model is refused before any job is created: the ID must be a platform model (/platformModels) or
 * one of the user's custom models (/models/user/{userId}). Models of the typed capability table need no
 * request; the two lists are cached per API key (one read each per cache period). A miss re-reads both lists
 * once, so a model trained (or released) after they were cached is accepted at once.
 */
async function assertKnownModel(ctx: IExecuteFunctions, i: number, modelId: string): Promise<void> {
	if (familyFromKnownModel(modelId)) return;
	const known = async (refresh: boolean) => {
		const platform = (await cachedForKey.call(
			ctx,
			'platformModels',
			async () => {
				const response = (await apiRequest.call(ctx, 'GET', '/platformModels', { itemIndex: i })) as ListPlatformModelsResponse;
				return (response.custom_models ?? []).map((m) => m.id);
			},
			refresh,
		)) as string[];
		if (platform.includes(modelId)) return true;
		const custom = (await cachedForKey.call(
			ctx,
			'customModels',
			async () => {
				const userId = await getUserId.call(ctx, i);
				const response = (await apiRequest.call(ctx, 'GET', `/models/user/${userId}`, { itemIndex: i })) as ListCustomModelsResponse;
				return (response.custom_models ?? []).map((m) => m.id);
			},
			refresh,
		)) as string[];
		return custom.includes(modelId);
	};
	if ((await known(false)) || (await known(true))) return;
	fail(
		ctx,
		i,
		`Model ${modelId} is neither a Leonardo platform model nor one of your custom models`,
		'Pick the model from the list, or check the ID (custom models belong to the account of the API key).',
	);
}

async function modelFamily(
	ctx: IExecuteFunctions,
	i: number,
	choice: CharacterReferenceEntry['modelFamily'],
	modelId: string,
	modelName: string | undefined,
): Promise<ModelFamily> {
	if (choice === 'PHOENIX' || choice === 'SDXL') return choice;
	const known = familyFromKnownModel(modelId, modelName);
	if (known) return known;
	// A custom model: its info carries sdVersion. Platform models unknown to the table default to SDXL.
	try {
		const info = (await apiRequest.call(ctx, 'GET', `/models/${modelId}`, { itemIndex: i, maxRetries: 1 })) as {
			custom_models_by_pk?: CustomModel | null;
		};
		return familyFromSdVersion(info.custom_models_by_pk?.sdVersion) ?? 'SDXL';
	} catch {
		return 'SDXL';
	}
}

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	// ---- read and validate everything before any request ------------------------------------
	const apiVersion = this.getNodeParameter('apiVersion', i, 'v1') as 'v1' | 'v2';
	const prompt = this.getNodeParameter('prompt', i, '') as string;
	const promptProblem = checkPrompt(prompt);
	if (promptProblem) fail(this, i, `Prompt ${promptProblem}`);
	const { width, height } = readSize(this, i, plan);
	const numImages = this.getNodeParameter('numImages', i, 1) as number;
	const countProblem = checkImageCount(numImages, width, height);
	if (countProblem) fail(this, i, `Number of Images ${countProblem}`);
	const wait = readWaitSettings.call(this, i);
	const download = this.getNodeParameter('download', i, true) as boolean;
	const binaryPropertyName = download
		? ((this.getNodeParameter('binaryPropertyOutput', i, 'data') as string) || 'data')
		: 'data';

	let create: () => Promise<{ generationId: string; apiCreditCost?: number | null; cost?: IDataObject | null }>;
	let model: { id?: string; name?: string };

	if (apiVersion === 'v2') {
		const slug = (this.getNodeParameter('modelSlug', i, '') as string).trim();
		if (!slug) fail(this, i, 'Model Slug must not be empty', 'For example gemini-image-2 or flux-schnell.');
		const raw = this.getNodeParameter('v2Parameters', i, '{}') as string | IDataObject;
		let extra: IDataObject;
		try {
			extra = typeof raw === 'string' ? (raw.trim() ? (JSON.parse(raw) as IDataObject) : {}) : raw;
		} catch (error) {
			fail(this, i, 'Parameters (JSON) is not valid JSON', (error as Error).message);
		}
		if (!extra || typeof extra !== 'object' || Array.isArray(extra)) {
			fail(this, i, 'Parameters (JSON) must be a JSON object');
		}
		const body = {
			model: slug,
			public: this.getNodeParameter('v2Public', i, false) as boolean,
			parameters: { prompt, width, height, quantity: numImages, ...extra },
		};
		model = { id: slug, name: slug };
		create = async () => {
			const response = (await apiRequest.call(this, 'POST', '/generations', {
				api: 'v2',
				body,
				jobCreating: true,
				itemIndex: i,
			})) as V2GenerationResponse;
			return response.generate as { generationId: string };
		};
	} else {
		const locator = this.getNodeParameter('modelId', i) as INodeParameterResourceLocator | string;
		const modelId = String(typeof locator === 'object' ? locator.value : locator).trim();
		const modelName = typeof locator === 'object' ? (locator.cachedResultName as string | undefined) : undefined;
		if (!modelId) fail(this, i, 'Model must be chosen', 'Pick a model from the list or paste its ID.');
		if (!isUuid(modelId)) fail(this, i, `Model "${modelId}" is not a Leonardo model ID (a UUID)`);
		model = { id: modelId, name: modelName };

		const options = this.getNodeParameter('options', i, {}) as Options;
		const reference = (this.getNodeParameter('characterReference.reference', i, null) ??
			undefined) as CharacterReferenceEntry | undefined;

		const body: CreateGenerationRequest = {
			prompt,
			modelId,
			width,
			height,
			num_images: numImages,
		};
		if (options.negativePrompt) body.negative_prompt = options.negativePrompt;
		if (options.alchemy !== undefined) body.alchemy = options.alchemy;
		if (options.ultra !== undefined) body.ultra = options.ultra;
		if (options.contrast !== undefined) body.contrast = options.contrast;
		if (options.presetStyle) body.presetStyle = options.presetStyle as CreateGenerationRequest['presetStyle'];
		if (options.styleUUID) {
			if (!isUuid(options.styleUUID)) fail(this, i, `Style "${options.styleUUID}" is not a style UUID`);
			body.styleUUID = options.styleUUID;
		}
		if (options.enhancePrompt !== undefined) body.enhancePrompt = options.enhancePrompt;
		if (options.enhancePromptInstruction) body.enhancePromptInstruction = options.enhancePromptInstruction;
		// Documented combination rules, checked before any request.
		if (options.ultra && options.alchemy) {
			fail(this, i, 'Options Ultra and Alchemy cannot be used together', 'Leonardo: Ultra mode "can not be used with Alchemy".');
		}
		if (options.alchemy !== false && options.contrast !== undefined && options.contrast < 2.5 && body.alchemy) {
			fail(this, i, `Option Contrast must be at least 2.5 with Alchemy (got ${options.contrast})`);
		}
		if (options.photoReal && options.alchemy === false) {
			fail(this, i, 'Option PhotoReal needs Alchemy', 'Turn Alchemy on, or PhotoReal off.');
		}
		if (options.photoReal !== undefined) {
			body.photoReal = options.photoReal;
			if (options.photoReal) {
				body.photoRealVersion = options.photoRealVersion ?? 'v2';
				if (body.photoRealVersion === 'v1') {
					// PhotoReal v1 runs without a model (Leonardo: "Omit or null for PhotoReal v1").
					body.modelId = null;
					if (options.photoRealStrength !== undefined) body.photoRealStrength = options.photoRealStrength;
				}
			}
		}
		if (options.guidanceScale !== undefined) body.guidance_scale = options.guidanceScale;
		if (options.numInferenceSteps !== undefined) body.num_inference_steps = options.numInferenceSteps;
		if (options.seed) body.seed = options.seed;
		if (options.scheduler) body.scheduler = options.scheduler as CreateGenerationRequest['scheduler'];
		if (options.public !== undefined) body.public = options.public;
		if (options.transparency) body.transparency = options.transparency as CreateGenerationRequest['transparency'];
		if (options.tiling !== undefined) body.tiling = options.tiling;
		if (options.highContrast !== undefined) body.highContrast = options.highContrast;
		if (options.highResolution !== undefined) body.highResolution = options.highResolution;
		if (options.expandedDomain !== undefined) body.expandedDomain = options.expandedDomain;

		// Consistent Character: plan and input checks first (no request yet).
		let referenceImage: Awaited<ReturnType<typeof getInputImage>> | undefined;
		if (reference) {
			assertCharacterReference(this.getNode(), plan, i);
			const strength = reference.strength ?? 'Mid';
			if (!['Low', 'Mid', 'High'].includes(strength)) {
				fail(this, i, `Consistent Character Strength must be Low, Mid or High (got "${strength}")`);
			}
			if ((reference.source ?? 'binary') === 'binary') {
				referenceImage = await getInputImage.call(
					this,
					i,
					reference.binaryPropertyName ?? 'data',
					'Consistent Character Input Binary Field',
				);
			} else if (!isUuid(reference.imageId)) {
				fail(this, i, `Consistent Character Image ID "${reference.imageId ?? ''}" is not a Leonardo image ID (a UUID)`);
			}
		}

		if (body.modelId) await assertKnownModel(this, i, modelId);

		const { elements, userElements } = await readLoras(this, i);
		if (elements.length) body.elements = elements;
		if (userElements.length) body.userElements = userElements;

		if (reference) {
			const family = await modelFamily(this, i, reference.modelFamily, modelId, modelName);
			let initImageId = reference.imageId as string;
			let initImageType: ControlnetInput['initImageType'] = reference.imageType ?? 'GENERATED';
			if (referenceImage) {
				initImageId = await uploadInitImage.call(this, referenceImage, i);
				initImageType = 'UPLOADED';
			}
			body.controlnets = [
				{
					initImageId,
					initImageType,
					preprocessorId: characterPreprocessorId(family),
					strengthType: reference.strength ?? 'Mid',
				},
			];
		}

		create = async () => {
			const response = (await apiRequest.call(this, 'POST', '/generations', {
				body,
				jobCreating: true,
				itemIndex: i,
			})) as CreateGenerationResponse;
			return response.sdGenerationJob as { generationId: string };
		};
	}

	// ---- create (holding a concurrent-job slot) and wait ---------------------------------------
	return (await withJobSlot.call(this, async (): Promise<INodeExecutionData[]> => {
		const job = await create();
		if (!job?.generationId) {
			fail(this, i, 'Leonardo accepted the generation but returned no generation ID');
		}
		return await finishGenerationJob.call(this, job, {
			itemIndex: i,
			plan,
			wait,
			pending: { apiVersion, modelId: model.id ?? null, model: model.name ?? model.id ?? null },
			download,
			binaryPropertyName,
			model,
			extra: { apiVersion },
		});
	})) as INodeExecutionData[];
}
