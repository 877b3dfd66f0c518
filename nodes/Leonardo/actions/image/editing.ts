/**
 * Shared parts of the image-editing operations (Upscale, Remove Background, Unzoom, Image to Image,
 * Inpaint, Outpaint): source-image properties, canvas image checks and upload, and "create the job, wait,
 * output like Generate" for variations (GET /variations/{id}) and generations (GET /generations/{id}).
 */
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
	type CreateGenerationRequest,
	type CreateGenerationResponse,
	type GetVariationResponse,
	type CanvasRequestType,
	type ImageExtension,
	type JobCostFields,
	type UploadCanvasInitImageResponse,
	type VariationJobResponse,
} from '../../../shared/contract';
import { readImageInfo } from '../../../shared/imageInfo';
import type { PlanProfile } from '../../../shared/plans';
import { checkImageCount, checkPrompt, isUuid } from '../../../shared/validation';
import { getInputImage, type InputImage } from '../../helpers/binary';
import { errorWithJobId } from '../../helpers/errors';
import { finishGenerationJob } from '../../helpers/output';
import { planOutputFields } from '../../helpers/plan';
import { pollUntilDone, type PollJob } from '../../helpers/polling';
import { apiRequest, downloadToBinary, uploadPresigned, withJobSlot } from '../../transport';
import {
	binaryOutputProperties,
	modelRLC,
	readOutputSettings,
	waitProperties,
	type OutputSettings,
} from '../descriptions';

export { readOutputSettings };
import type { OperationContext } from '../node.type';

export function fail(ctx: IExecuteFunctions, i: number, message: string, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description });
}

// ---------------------------------------------------------------------------------------------
// Source image: a Leonardo image ID (generated or variation) or, where the API allows, a binary
// ---------------------------------------------------------------------------------------------

export type EditSource = 'generated' | 'variation' | 'binary';

/** `source` + `imageId` / `variationId` / `binaryPropertyName` properties. */
export function sourceProperties(allowed: EditSource[]): INodeProperties[] {
	const labels: Record<EditSource, { name: string; description: string }> = {
		generated: {
			name: 'Generated Image ID',
			description: 'An image of a previous generation (e.g. the imageId output of Image → Generate)',
		},
		variation: {
			name: 'Variation ID',
			description: 'The result of a previous edit (e.g. the variationId output of Upscale)',
		},
		binary: { name: 'Input Binary Image', description: 'Uploaded to Leonardo as an init image first' },
	};
	const sourceProperty: INodeProperties = {
		displayName: 'Source Image',
		name: 'source',
		type: 'options',
		default: 'generated',
		options: allowed.map((value) => ({ ...labels[value], value })),
	};
	sourceProperty.default = allowed[0];
	const properties: INodeProperties[] = [
		sourceProperty,
		{
			displayName: 'Image ID',
			name: 'imageId',
			type: 'string',
			required: true,
			default: '={{ $json.imageId }}',
			description: 'The ID of an image, not of a generation',
			displayOptions: { show: { source: ['generated'] } },
		},
	];
	if (allowed.includes('variation')) {
		properties.push({
			displayName: 'Variation ID',
			name: 'variationId',
			type: 'string',
			required: true,
			default: '={{ $json.variationId }}',
			displayOptions: { show: { source: ['variation'] } },
		});
	}
	if (allowed.includes('binary')) {
		properties.push({
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			hint: 'The name of the input binary field holding the image (PNG, JPEG or WebP)',
			displayOptions: { show: { source: ['binary'] } },
		});
	}
	return properties;
}

export type ReadSource =
	| { kind: 'generated' | 'variation'; id: string }
	| { kind: 'binary'; image: InputImage };

function readUuid(ctx: IExecuteFunctions, i: number, parameter: string, label: string): string {
	const value = String(ctx.getNodeParameter(parameter, i, '') ?? '').trim();
	if (!value) fail(ctx, i, `${label} is empty`);
	if (!isUuid(value)) fail(ctx, i, `${label} "${value}" is not a Leonardo ID (a UUID)`);
	return value;
}

/** Reads and checks the source (binary: by content) before any request. */
export async function readSource(ctx: IExecuteFunctions, i: number, allowed: EditSource[]): Promise<ReadSource> {
	const source = ctx.getNodeParameter('source', i, allowed[0]) as EditSource;
	if (!allowed.includes(source)) {
		fail(ctx, i, `Source Image "${source}" is not possible here; use ${allowed.join(' or ')}`);
	}
	if (source === 'binary') {
		const property = ctx.getNodeParameter('binaryPropertyName', i, 'data') as string;
		return { kind: 'binary', image: await getInputImage.call(ctx, i, property, 'Input Binary Field') };
	}
	if (source === 'variation') return { kind: 'variation', id: readUuid(ctx, i, 'variationId', 'Variation ID') };
	return { kind: 'generated', id: readUuid(ctx, i, 'imageId', 'Image ID') };
}

// ---------------------------------------------------------------------------------------------
// Output settings
// ---------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------
// Variations: POST /variations/..., poll GET /variations/{id}
// ---------------------------------------------------------------------------------------------

export interface VariationJobOptions extends OutputSettings {
	i: number;
	plan: PlanProfile;
	/** "upscale", "removeBackground"... for the output and messages. */
	operation: string;
	extra?: IDataObject;
	create: () => Promise<({ id: string } & JobCostFields) | undefined>;
}

type VariationRow = GetVariationResponse['generated_image_variation_generic'][number];

export async function runVariationJob(this: IExecuteFunctions, o: VariationJobOptions): Promise<INodeExecutionData[]> {
	const { i, plan } = o;
	return (await withJobSlot.call(this, async (): Promise<INodeExecutionData[]> => {
		const job = await o.create();
		if (!job?.id) fail(this, i, 'Leonardo accepted the edit but returned no variation ID');
		const base: IDataObject = {
			variationId: job.id,
			operation: o.operation,
			...o.extra,
			apiCreditCost: job.apiCreditCost ?? null,
			cost: (job.cost ?? null) as IDataObject | null,
			...planOutputFields(plan),
		};
		if (o.wait.mode !== 'poll') {
			return [{ json: { ...base, status: 'PENDING' }, pairedItem: { item: i } }];
		}
		try {
			const variation = (await pollUntilDone.call(this, {
				jobId: job.id,
				jobLabel: 'variation',
				intervalMs: o.wait.intervalMs,
				timeoutMs: o.wait.timeoutMs,
				itemIndex: i,
				fetch: async () => {
					const response = (await apiRequest.call(this, 'GET', `/variations/${job.id}`, {
						itemIndex: i,
					})) as GetVariationResponse;
					const row = response.generated_image_variation_generic?.[0];
					if (!row) fail(this, i, `Leonardo has no variation ${job.id}`);
					return row;
				},
				status: (row) => (row as VariationRow).status,
			} as PollJob<unknown>)) as VariationRow;
			if (!variation.url) fail(this, i, `Leonardo finished variation ${job.id} without an image URL`);
			const item: INodeExecutionData = {
				json: {
					...base,
					status: variation.status,
					transformType: variation.transformType,
					url: variation.url,
					createdAt: variation.createdAt,
				},
				pairedItem: { item: i },
			};
			if (o.download) {
				const extension = variation.url.split('?')[0].split('.').pop()?.toLowerCase() ?? 'png';
				item.binary = {
					[o.binaryPropertyName]: await downloadToBinary.call(this, variation.url, {
						fileName: `${job.id}.${extension.length <= 4 ? extension : 'png'}`,
						itemIndex: i,
					}),
				};
			}
			return [item];
		} catch (error) {
			const nodeError = errorWithJobId(this.getNode(), error, job.id, i);
			nodeError.context.variationId = job.id;
			throw nodeError;
		}
	})) as INodeExecutionData[];
}

// ---------------------------------------------------------------------------------------------
// Generations (Image to Image, Inpaint, Outpaint): POST /generations, poll GET /generations/{id}
// ---------------------------------------------------------------------------------------------

/** Prompt, model and a few generation options shared by Image to Image and the canvas operations. */
export function generationProperties(): INodeProperties[] {
	return [
		{
			displayName: 'Prompt',
			name: 'prompt',
			type: 'string',
			required: true,
			default: '',
			typeOptions: { rows: 3 },
			description: 'What the result should show (at most 1500 characters)',
		},
		modelRLC('searchModels'),
		{
			displayName: 'Number of Images',
			name: 'numImages',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 1, maxValue: 8 },
			description: 'At most 8, or 4 when a side is over 768 px. One output item per image.',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{ displayName: 'Alchemy', name: 'alchemy', type: 'boolean', default: true, description: 'Whether to use Alchemy' },
				{ displayName: 'Guidance Scale', name: 'guidanceScale', type: 'number', default: 7, typeOptions: { minValue: 1, maxValue: 20 } },
				{ displayName: 'Negative Prompt', name: 'negativePrompt', type: 'string', default: '', typeOptions: { rows: 2 } },
				{
					displayName: 'Preset Style',
					name: 'presetStyle',
					type: 'options',
					default: 'DYNAMIC',
					options: PRESET_STYLES.map((s) => ({ name: s, value: s })),
				},
				{ displayName: 'Public', name: 'public', type: 'boolean', default: false, description: 'Whether the images appear in the community feed' },
				{ displayName: 'Seed', name: 'seed', type: 'number', default: 0, description: 'Fixed seed (0 = random)' },
			],
		},
	];
}

interface GenerationOptions {
	alchemy?: boolean;
	guidanceScale?: number;
	negativePrompt?: string;
	presetStyle?: string;
	public?: boolean;
	seed?: number;
}

/** Reads prompt, model, count and options into a POST /generations body (no request). */
export function readGenerationBody(
	ctx: IExecuteFunctions,
	i: number,
	size?: { width: number; height: number },
): { body: CreateGenerationRequest; model: { id: string; name?: string } } {
	const prompt = ctx.getNodeParameter('prompt', i, '') as string;
	const promptProblem = checkPrompt(prompt);
	if (promptProblem) fail(ctx, i, `Prompt ${promptProblem}`);
	const locator = ctx.getNodeParameter('modelId', i) as INodeParameterResourceLocator | string;
	const modelId = String(typeof locator === 'object' ? locator.value : locator).trim();
	const modelName = typeof locator === 'object' ? (locator.cachedResultName as string | undefined) : undefined;
	if (!modelId) fail(ctx, i, 'Model must be chosen', 'Pick a model from the list or paste its ID.');
	if (!isUuid(modelId)) fail(ctx, i, `Model "${modelId}" is not a Leonardo model ID (a UUID)`);
	const numImages = ctx.getNodeParameter('numImages', i, 1) as number;
	const countProblem = checkImageCount(numImages, size?.width ?? 0, size?.height ?? 0);
	if (countProblem) fail(ctx, i, `Number of Images ${countProblem}`);
	const options = ctx.getNodeParameter('options', i, {}) as GenerationOptions;
	const body: CreateGenerationRequest = { prompt, modelId, num_images: numImages };
	if (size) {
		body.width = size.width;
		body.height = size.height;
	}
	if (options.negativePrompt) body.negative_prompt = options.negativePrompt;
	if (options.alchemy !== undefined) body.alchemy = options.alchemy;
	if (options.guidanceScale !== undefined) body.guidance_scale = options.guidanceScale;
	if (options.presetStyle) body.presetStyle = options.presetStyle as CreateGenerationRequest['presetStyle'];
	if (options.public !== undefined) body.public = options.public;
	if (options.seed) body.seed = options.seed;
	return { body, model: { id: modelId, name: modelName } };
}

/** Init strength check (0.1-0.9 by default; canvas: at least 0.2, since the inpaint strength 1 - x is at most 0.8). */
export function readInitStrength(ctx: IExecuteFunctions, i: number, min = 0.1, max = 0.9): number {
	const value = ctx.getNodeParameter('initStrength', i, 0.5) as number;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
		fail(ctx, i, `Init Strength must be between ${min} and ${max} (got ${value})`);
	}
	return value;
}

export interface GenerationJobOptions extends OutputSettings {
	i: number;
	plan: PlanProfile;
	operation: string;
	body: CreateGenerationRequest;
	model: { id: string; name?: string };
	extra?: IDataObject;
	/** Requests to make just before the generation (uploads); they run before the job slot is taken. */
	prepare?: (body: CreateGenerationRequest) => Promise<void>;
}

export async function runGenerationJob(this: IExecuteFunctions, o: GenerationJobOptions): Promise<INodeExecutionData[]> {
	const { i, plan } = o;
	if (o.prepare) await o.prepare(o.body);
	return (await withJobSlot.call(this, async (): Promise<INodeExecutionData[]> => {
		const response = (await apiRequest.call(this, 'POST', '/generations', {
			body: o.body,
			jobCreating: true,
			itemIndex: i,
		})) as CreateGenerationResponse;
		const job = response.sdGenerationJob;
		if (!job?.generationId) fail(this, i, 'Leonardo accepted the generation but returned no generation ID');
		const extra = { operation: o.operation, ...o.extra };
		return await finishGenerationJob.call(this, job, {
			itemIndex: i,
			plan,
			wait: o.wait,
			pending: { modelId: o.model.id, model: o.model.name ?? o.model.id, ...extra },
			download: o.download,
			binaryPropertyName: o.binaryPropertyName,
			model: o.model,
			extra,
		});
	})) as INodeExecutionData[];
}

// ---------------------------------------------------------------------------------------------
// Canvas (Inpaint / Outpaint): image + mask binaries, POST /canvas-init-image, two presigned uploads
// ---------------------------------------------------------------------------------------------

/** Leonardo's canvas limit (Canvas Inpainting guide): equal sizes, multiples of 8, at most 1536x1536. */
export const CANVAS_MAX_SIDE_PX = 1536;
export const CANVAS_MIN_SIDE_PX = 32;
export const CANVAS_MULTIPLE_PX = 8;

export interface CanvasImage extends InputImage {
	width: number;
	height: number;
}

async function readCanvasImage(
	ctx: IExecuteFunctions,
	i: number,
	parameter: string,
	label: string,
): Promise<CanvasImage> {
	const property = ctx.getNodeParameter(parameter, i, '') as string;
	const image = await getInputImage.call(ctx, i, property, label);
	const info = readImageInfo(image.data);
	if (!info.ok) fail(ctx, i, `${label}: binary property "${property}" cannot be read: ${info.problem}`);
	const { width, height } = info.info;
	for (const [side, value] of [
		['width', width],
		['height', height],
	] as const) {
		if (value % CANVAS_MULTIPLE_PX !== 0) {
			fail(ctx, i, `${label}: the image ${side} must be a multiple of ${CANVAS_MULTIPLE_PX} px (it is ${width}x${height})`);
		}
		if (value < CANVAS_MIN_SIDE_PX || value > CANVAS_MAX_SIDE_PX) {
			fail(
				ctx,
				i,
				`${label}: the image ${side} must be between ${CANVAS_MIN_SIDE_PX} and ${CANVAS_MAX_SIDE_PX} px (it is ${width}x${height})`,
			);
		}
	}
	return { ...image, width, height };
}

/** Reads the canvas image and (optional) mask, both checked before any request. */
export async function readCanvasImages(
	ctx: IExecuteFunctions,
	i: number,
	maskRequired: boolean,
): Promise<{ image: CanvasImage; mask?: CanvasImage }> {
	const image = await readCanvasImage(ctx, i, 'binaryPropertyName', 'Image Binary Field');
	const maskProperty = String(ctx.getNodeParameter('maskBinaryPropertyName', i, '') ?? '').trim();
	if (!maskProperty) {
		if (maskRequired) fail(ctx, i, 'Mask Binary Field must name the binary property holding the mask');
		return { image };
	}
	const mask = await readCanvasImage(ctx, i, 'maskBinaryPropertyName', 'Mask Binary Field');
	if (mask.width !== image.width || mask.height !== image.height) {
		fail(
			ctx,
			i,
			`Mask Binary Field: the mask is ${mask.width}x${mask.height} but the image is ${image.width}x${image.height}; they must be the same size`,
		);
	}
	return { image, mask };
}

/** POST /canvas-init-image, then the image (and mask) presigned uploads. */
export async function uploadCanvas(
	ctx: IExecuteFunctions,
	i: number,
	image: CanvasImage,
	mask: CanvasImage | undefined,
): Promise<{ initImageId: string; maskImageId?: string }> {
	const presign = (await apiRequest.call(ctx, 'POST', '/canvas-init-image', {
		body: { initExtension: image.extension, maskExtension: (mask ?? image).extension as ImageExtension },
		itemIndex: i,
	})) as UploadCanvasInitImageResponse;
	const slots = presign.uploadCanvasInitImage;
	if (!slots?.initImageId || (mask && !slots.maskImageId)) {
		fail(ctx, i, 'Leonardo returned no canvas init image IDs');
	}
	await uploadPresigned.call(ctx, { url: slots.initUrl, fields: slots.initFields }, image, i);
	if (mask) await uploadPresigned.call(ctx, { url: slots.maskUrl, fields: slots.maskFields }, mask, i);
	return { initImageId: slots.initImageId, maskImageId: mask ? slots.maskImageId! : undefined };
}

export function canvasProperties(maskRequired: boolean): INodeProperties[] {
	const maskProperty: INodeProperties = {
		displayName: 'Mask Binary Field',
		name: 'maskBinaryPropertyName',
		type: 'string',
		default: 'mask',
		required: true,
		hint: 'Input binary field with the mask: white where to paint, black to keep; same size as the image',
	};
	if (!maskRequired) {
		maskProperty.default = '';
		maskProperty.required = false;
		maskProperty.hint = 'Optional mask (white = area to fill, same size as the image); empty = no mask';
	}
	return [
		{
			displayName: 'Image Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'Input binary field with the image (PNG, JPEG or WebP; sides multiples of 8, at most 1536 px)',
		},
		maskProperty,
		{
			displayName: 'Init Strength',
			name: 'initStrength',
			type: 'number',
			default: 0.5,
			typeOptions: { minValue: 0.2, maxValue: 0.9, numberPrecision: 2 },
			description:
				'How much of the original is kept (0.2 to 0.9). The inpaint strength is 1 minus this value, at most 0.8.',
		},
	];
}

/** The canvas flow shared by Inpaint (mask required) and Outpaint (mask optional). */
export async function canvasExecute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
	type: Extract<CanvasRequestType, 'INPAINT' | 'OUTPAINT'>,
): Promise<INodeExecutionData[]> {
	// ---- validate everything before any request ---------------------------------------------
	const { image, mask } = await readCanvasImages(this, i, type === 'INPAINT');
	const initStrength = readInitStrength(this, i, 0.2, 0.9);
	const { body, model } = readGenerationBody(this, i, { width: image.width, height: image.height });
	body.canvasRequest = true;
	body.canvasRequestType = type;
	body.init_strength = initStrength;
	const output = readOutputSettings(this, i);

	return await runGenerationJob.call(this, {
		i,
		plan,
		...output,
		operation: type === 'INPAINT' ? 'inpaint' : 'outpaint',
		body,
		model,
		extra: { canvasRequestType: type, initStrength },
		prepare: async (request) => {
			const ids = await uploadCanvas(this, i, image, mask);
			request.canvasInitId = ids.initImageId;
			if (ids.maskImageId) request.canvasMaskId = ids.maskImageId;
		},
	});
}

/**
 * A post-processing variation of a generated image or a variation (Remove Background, Unzoom): the same
 * parameters and flow, only the endpoint and the response's job key differ. Leonardo's variations do not accept
 * uploaded init images. Waits on GET /variations/{id}.
 */
export function imageVariationOperation(o: {
	operation: 'removeBackground' | 'unzoom';
	path: '/variations/nobg' | '/variations/unzoom';
	jobKey: 'sdNobgJob' | 'sdUnzoomJob';
}) {
	const sources: EditSource[] = ['generated', 'variation'];
	const properties: INodeProperties[] = [
		...sourceProperties(sources),
		...waitProperties('poll'),
		...binaryOutputProperties('Image'),
	];
	const description = updateDisplayOptions(
		{ show: { resource: ['image'], operation: [o.operation] } },
		properties,
	);
	async function execute(
		this: IExecuteFunctions,
		i: number,
		{ plan }: OperationContext,
	): Promise<INodeExecutionData[]> {
		const source = (await readSource(this, i, sources)) as { kind: 'generated' | 'variation'; id: string };
		const output = readOutputSettings(this, i);
		const body = source.kind === 'variation' ? { id: source.id, isVariation: true } : { id: source.id };
		return await runVariationJob.call(this, {
			i,
			plan,
			...output,
			operation: o.operation,
			extra: source.kind === 'variation' ? { sourceVariationId: source.id } : { sourceImageId: source.id },
			create: async () => {
				const response = (await apiRequest.call(this, 'POST', o.path, {
					body,
					jobCreating: true,
					itemIndex: i,
				})) as VariationJobResponse;
				return response[o.jobKey];
			},
		});
	}
	return { description, execute };
}
