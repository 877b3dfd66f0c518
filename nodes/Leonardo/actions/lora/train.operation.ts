/**
 * LoRA → Train: ALL input items become ONE training job.
 *
 *   checks (no request): plan allows training and API access, parameters, every image readable
 *     (PNG/JPEG/WebP by content, header with a size), at least MIN_TRAINING_IMAGES images
 *   checks (read-only requests): the plan's monthly trainings, counted from GET /elements/user/{userId}
 *   POST /datasets → per image POST /datasets/{id}/upload + presigned multipart upload (no auth),
 *     per generated image ID POST /datasets/{id}/upload/gen
 *   POST /elements (job-creating: never re-sent) → optional wait (poll GET /elements/{id})
 *
 * A failure after the dataset exists and before the training started deletes the dataset (no orphan);
 * when that fails too, the dataset ID is in the error.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IPairedItemData,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import {
	ELEMENT_SD_VERSIONS,
	LORA_FOCUSES,
	type CreateDatasetResponse,
	type CreateElementRequest,
	type CreateElementResponse,
	type ElementSdVersion,
	type GetElementResponse,
	type ListUserElementsResponse,
	type LoraFocus,
	type UploadDatasetImageFromGenResponse,
	type UploadDatasetImageResponse,
	type UserLora,
} from '../../../shared/contract';
import { readImageInfo, type ImageInfo } from '../../../shared/imageInfo';
import {
	countCreatedThisMonth,
	imageCountNotice,
	instancePromptRequired,
	MIN_TRAINING_IMAGES,
	RECOMMENDED_TRAINING_IMAGES,
	TRAINING_RESOLUTION,
	trainingRanges,
} from '../../../shared/loraTraining';
import { isUuid } from '../../../shared/validation';
import { pollUntilDone, type PollJob } from '../../helpers/polling';
import { assertApiAccess, assertLoraTrainingAllowed, planOutputFields } from '../../helpers/plan';
import { apiRequest, getUserId, uploadPresigned } from '../../transport';
import { readWaitSettings, waitProperties, type WaitSettings } from '../descriptions';
import type { OperationContext } from '../node.type';

/** Default wait of Train: training takes 10-20 minutes. */
export const TRAIN_POLL_INTERVAL_DEFAULT_S = 30;
export const TRAIN_TIMEOUT_DEFAULT_S = 1800;
/** Presigned uploads running at the same time. */
const UPLOAD_CONCURRENCY = 3;

const MIME_BY_FORMAT: Record<ImageInfo['format'], string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	webp: 'image/webp',
};

const properties: INodeProperties[] = [
	{
		displayName:
			'Train uses ALL input items together: each item carries one training image (at least 10; 15-25 recommended for characters, 20-30 for styles). The node outputs one item.',
		name: 'trainNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Studio Style',
		description: 'Name of the LoRA (element) as shown in Leonardo and in the Image Generate LoRA list',
	},
	{
		displayName: 'Focus',
		name: 'focus',
		type: 'options',
		default: 'Style',
		options: [
			{ name: 'Character', value: 'Character', description: 'A person or character, from multiple angles' },
			{ name: 'General', value: 'General', description: 'Anything else (not available on Flux Dev)' },
			{ name: 'Object', value: 'Object', description: 'A product or object' },
			{ name: 'Style', value: 'Style', description: 'An art style or art direction' },
		],
		description: 'What the LoRA learns. Sets the default epochs and learning rate.',
	},
	{
		displayName: 'Base Model',
		name: 'sdVersion',
		type: 'options',
		default: 'FLUX_DEV',
		options: ELEMENT_SD_VERSIONS.map((value) => ({ name: value, value })),
		description: 'The base model the LoRA is trained on (Leonardo "sd_version")',
	},
	{
		displayName: 'Instance Prompt',
		name: 'instancePrompt',
		type: 'string',
		default: '',
		placeholder: 'e.g. a photo of sks character',
		description:
			'The trigger words of the LoRA. Required by Leonardo for every base model except Flux Dev, and for Flux Dev characters.',
	},
	{
		displayName: 'Images From',
		name: 'imageSource',
		type: 'options',
		default: 'binary',
		options: [
			{ name: 'Input Binary Data', value: 'binary', description: 'One image per input item, uploaded to Leonardo' },
			{
				name: 'Generated Image IDs',
				value: 'generated',
				description: 'Images already generated on Leonardo, added by ID (no upload)',
			},
			{ name: 'Both', value: 'both', description: 'Binary images and generated image IDs together' },
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the image (PNG, JPG, JPEG or WebP) of each item',
		displayOptions: { show: { imageSource: ['binary', 'both'] } },
	},
	{
		displayName: 'Generated Image IDs',
		name: 'generatedImageIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.imageId }}',
		description:
			'IDs of images generated on Leonardo, comma-separated. Read from every input item (duplicates are removed): an expression on the image ID field of the items collects one ID per item.',
		displayOptions: { show: { imageSource: ['generated', 'both'] } },
	},
	...waitProperties('none', {
		intervalSeconds: TRAIN_POLL_INTERVAL_DEFAULT_S,
		timeoutSeconds: TRAIN_TIMEOUT_DEFAULT_S,
	}),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Dataset Name',
				name: 'datasetName',
				type: 'string',
				default: '',
				description: 'Name of the dataset created for the images. Default: the LoRA name.',
			},
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				default: '',
				description: 'Description of the LoRA',
			},
			{
				displayName: 'Epochs',
				name: 'epochs',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 1, maxValue: 250 },
				description:
					'Training epochs. Unset: the default for the focus and base model (100; Flux Dev: style 60, object 140, character 135).',
			},
			{
				displayName: 'Learning Rate',
				name: 'learningRate',
				type: 'number',
				default: 0.000001,
				typeOptions: { numberPrecision: 8 },
				description:
					'Unset: the default for the focus and base model (0.000001; Flux Dev: style 0.00001, object 0.0004, character 0.0005)',
			},
			{
				displayName: 'Resolution',
				name: 'resolution',
				type: 'number',
				default: TRAINING_RESOLUTION,
				description: 'Training resolution in pixels. Leonardo accepts only 1024.',
			},
			{
				displayName: 'Train Text Encoder',
				name: 'trainTextEncoder',
				type: 'boolean',
				default: true,
				description: 'Whether to train the text encoder too',
			},
		],
	},
];

const displayOptions = { show: { resource: ['lora'], operation: ['train'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Train is a batch operation: the router calls execute once for all input items. */
export const batch = true;

interface TrainOptions {
	datasetName?: string;
	description?: string;
	epochs?: number;
	learningRate?: number;
	resolution?: number;
	trainTextEncoder?: boolean;
}

interface TrainingImage {
	itemIndex: number;
	data: Buffer;
	fileName: string;
	info: ImageInfo;
}

export interface TrainingSettings {
	name: string;
	focus: LoraFocus;
	sdVersion: ElementSdVersion;
	instancePrompt: string;
	epochs: number;
	learningRate: number;
	resolution: number;
	trainTextEncoder: boolean;
	description: string;
	datasetName: string;
}

function fail(ctx: IExecuteFunctions, message: string, description?: string, itemIndex = 0): never {
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
}

/** Job-level parameters (read from the first item) with defaults by focus and base model, checked. */
export function readTrainingSettings(this: IExecuteFunctions): TrainingSettings {
	const name = String(this.getNodeParameter('name', 0, '') ?? '').trim();
	if (!name) fail(this, 'Name must not be empty', 'Give the LoRA a name.');
	const focus = this.getNodeParameter('focus', 0, 'Style') as LoraFocus;
	if (!(LORA_FOCUSES as readonly string[]).includes(focus)) {
		fail(this, `Focus "${focus}" is not one of ${LORA_FOCUSES.join(', ')}`);
	}
	const sdVersion = this.getNodeParameter('sdVersion', 0, 'FLUX_DEV') as ElementSdVersion;
	if (!(ELEMENT_SD_VERSIONS as readonly string[]).includes(sdVersion)) {
		fail(this, `Base Model "${sdVersion}" is not one of ${ELEMENT_SD_VERSIONS.join(', ')}`);
	}
	const rangesResult = trainingRanges(focus, sdVersion);
	if (!rangesResult.ok) fail(this, `Focus: ${rangesResult.problem}`);
	const { ranges } = rangesResult;
	const instancePrompt = String(this.getNodeParameter('instancePrompt', 0, '') ?? '').trim();
	if (!instancePrompt && instancePromptRequired(focus, sdVersion)) {
		fail(
			this,
			`Instance Prompt is required for a ${focus} LoRA on ${sdVersion}`,
			'Leonardo needs trigger words (instance prompt) for every base model except Flux Dev, and for Flux Dev characters.',
		);
	}
	const options = this.getNodeParameter('options', 0, {}) as TrainOptions;
	const epochs = options.epochs ?? ranges.epochs.default;
	if (!Number.isInteger(epochs) || epochs < ranges.epochs.min || epochs > ranges.epochs.max) {
		fail(
			this,
			`Epochs must be a whole number from ${ranges.epochs.min} to ${ranges.epochs.max} for a ${focus} LoRA on ${sdVersion} (got ${epochs})`,
		);
	}
	const learningRate = options.learningRate ?? ranges.learningRate.default;
	if (
		typeof learningRate !== 'number' ||
		!(learningRate >= ranges.learningRate.min && learningRate <= ranges.learningRate.max)
	) {
		fail(
			this,
			`Learning Rate must be from ${ranges.learningRate.min} to ${ranges.learningRate.max} for a ${focus} LoRA on ${sdVersion} (got ${learningRate})`,
		);
	}
	const resolution = options.resolution ?? TRAINING_RESOLUTION;
	if (resolution !== TRAINING_RESOLUTION) {
		fail(this, `Resolution must be ${TRAINING_RESOLUTION} (got ${resolution})`, 'Leonardo trains LoRAs at 1024 px only.');
	}
	const description = String(options.description ?? '');
	return {
		name,
		focus,
		sdVersion,
		instancePrompt,
		epochs,
		learningRate,
		resolution,
		trainTextEncoder: options.trainTextEncoder ?? true,
		description,
		datasetName: String(options.datasetName ?? '').trim() || name,
	};
}

/** Reads and checks every input image (no request). */
async function readTrainingImages(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	required: boolean,
): Promise<TrainingImage[]> {
	const images: TrainingImage[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const propertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data') ?? '').trim();
		const binary = propertyName ? items[itemIndex].binary?.[propertyName] : undefined;
		if (!binary) {
			if (!required) continue;
			fail(
				this,
				`Input Binary Field: input item ${itemIndex} has no binary field "${propertyName}"`,
				'Every input item must carry one training image (PNG, JPG, JPEG or WebP) in this binary field. No image was uploaded.',
				itemIndex,
			);
		}
		const data = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
		const result = readImageInfo(data);
		const label = binary.fileName ? `"${binary.fileName}" (item ${itemIndex})` : `input item ${itemIndex}`;
		if (!result.ok) {
			fail(
				this,
				`Input Binary Field: ${label} is not a usable training image: ${result.problem}`,
				`Leonardo trains on PNG, JPG, JPEG or WebP images. Declared type: ${binary.mimeType || 'none'}. No image was uploaded.`,
				itemIndex,
			);
		}
		images.push({
			itemIndex,
			data,
			fileName: binary.fileName || `image-${itemIndex}.${result.info.format}`,
			info: result.info,
		});
	}
	return images;
}

/** Generated image IDs from every input item, deduplicated and checked (no request). */
function readGeneratedImageIds(this: IExecuteFunctions, items: INodeExecutionData[]): string[] {
	const ids = new Set<string>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const raw = this.getNodeParameter('generatedImageIds', itemIndex, '') as unknown;
		const values = Array.isArray(raw) ? raw : String(raw ?? '').split(/[\s,;]+/);
		for (const value of values) {
			const id = String(value ?? '').trim();
			if (!id) continue;
			if (!isUuid(id)) {
				fail(
					this,
					`Generated Image IDs: "${id}" (item ${itemIndex}) is not a Leonardo image ID (a UUID)`,
					'No image was uploaded.',
					itemIndex,
				);
			}
			ids.add(id.toLowerCase());
		}
	}
	return [...ids];
}

/** The plan's monthly trainings, as far as the API reports them (elements created this month). */
async function assertMonthlyQuota(this: IExecuteFunctions, context: OperationContext) {
	const userId = await getUserId.call(this, 0);
	const response = (await apiRequest.call(this, 'GET', `/elements/user/${userId}`, {
		itemIndex: 0,
	})) as ListUserElementsResponse;
	const trained = countCreatedThisMonth(response.user_loras ?? []);
	assertLoraTrainingAllowed(this.getNode(), context.plan, trained, 0);
	return trained;
}

/** Runs `task` over `list` with at most `limit` at a time; stops starting new ones after a failure. */
async function runPool<T>(list: T[], limit: number, task: (entry: T) => Promise<void>) {
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (!failure && next < list.length) {
			const entry = list[next++];
			try {
				await task(entry);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
	if (failure) throw failure.error;
}

/** The error as a node error (NodeApiError / NodeOperationError pass through; anything else is wrapped). */
function asNodeError(ctx: IExecuteFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: 0 });
}

/** Adds the training's IDs to an error's context (and a sentence to its description). */
function withTrainingIds(
	ctx: IExecuteFunctions,
	error: unknown,
	ids: { datasetId: string; userLoraId?: number; datasetDeleted?: boolean },
	note?: string,
) {
	const nodeError = asNodeError(ctx, error);
	if (note) nodeError.description = [nodeError.description, note].filter(Boolean).join(' ');
	Object.assign(nodeError.context, ids);
	return nodeError;
}

/** Deletes the dataset after a failure; returns the note to add to the error. */
async function cleanUpDataset(this: IExecuteFunctions, datasetId: string) {
	try {
		await apiRequest.call(this, 'DELETE', `/datasets/${datasetId}`, { itemIndex: 0 });
		return { deleted: true, note: `No training was started; the dataset ${datasetId} was deleted.` };
	} catch (cleanupError) {
		return {
			deleted: false,
			note: `No training was started. The dataset ${datasetId} could NOT be deleted (${(cleanupError as Error).message}): delete it with LoRA → Delete Dataset.`,
		};
	}
}

function elementFields(element: UserLora): IDataObject {
	return {
		status: element.status,
		element: element as unknown as IDataObject,
	};
}

export async function execute(
	this: IExecuteFunctions,
	_i: number,
	context: OperationContext,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const items = this.getInputData();
	const pairedItem: IPairedItemData[] = items.map((_, item) => ({ item }));

	// 1. Checks without any request: plan, parameters, images.
	assertLoraTrainingAllowed(node, context.plan, 0, 0);
	assertApiAccess(node, context.plan, 0);
	const settings = readTrainingSettings.call(this);
	const source = this.getNodeParameter('imageSource', 0, 'binary') as 'binary' | 'generated' | 'both';
	const wait: WaitSettings = readWaitSettings.call(this, 0);
	const images = source === 'generated' ? [] : await readTrainingImages.call(this, items, source === 'binary');
	const generatedIds = source === 'binary' ? [] : readGeneratedImageIds.call(this, items);
	const total = images.length + generatedIds.length;
	if (total < MIN_TRAINING_IMAGES) {
		const { min, max } = RECOMMENDED_TRAINING_IMAGES[settings.focus];
		fail(
			this,
			`LoRA training needs at least ${MIN_TRAINING_IMAGES} images; the input has ${total}`,
			`Feed one image per input item (${min}-${max} recommended for a ${settings.focus.toLowerCase()} LoRA). No image was uploaded.`,
		);
	}

	// 2. Monthly trainings of the plan (read-only requests).
	const trainedThisMonth = await assertMonthlyQuota.call(this, context);

	// 3. Dataset and images. From here, a failure deletes the dataset.
	const created = (await apiRequest.call(this, 'POST', '/datasets', {
		body: { name: settings.datasetName, description: settings.description || null },
		itemIndex: 0,
	})) as CreateDatasetResponse;
	const datasetId = created.insert_datasets_one?.id;
	if (!datasetId) fail(this, 'Leonardo created no dataset (no dataset ID in the answer)');

	let uploaded = 0;
	let added = 0;
	let element: CreateElementResponse['sdTrainingJob'];
	try {
		await runPool(images, UPLOAD_CONCURRENCY, async (image) => {
			const presign = (await apiRequest.call(this, 'POST', `/datasets/${datasetId}/upload`, {
				body: { extension: image.info.format },
				itemIndex: image.itemIndex,
			})) as UploadDatasetImageResponse;
			await uploadPresigned.call(
				this,
				presign.uploadDatasetImage ?? { url: null, fields: null },
				{ data: image.data, fileName: image.fileName, mimeType: MIME_BY_FORMAT[image.info.format] },
				image.itemIndex,
			);
			uploaded++;
		});
		for (const generatedImageId of generatedIds) {
			const response = (await apiRequest.call(this, 'POST', `/datasets/${datasetId}/upload/gen`, {
				body: { generatedImageId },
				itemIndex: 0,
			})) as UploadDatasetImageFromGenResponse;
			if (!response.uploadDatasetImageFromGen?.id) {
				fail(this, `Leonardo did not add generated image ${generatedImageId} to the dataset`);
			}
			added++;
		}

		// 4. The training job: never re-sent (transport: jobCreating).
		const body: CreateElementRequest = {
			name: settings.name,
			description: settings.description,
			datasetId,
			instance_prompt: settings.instancePrompt || null,
			lora_focus: settings.focus,
			sd_version: settings.sdVersion,
			resolution: settings.resolution,
			num_train_epochs: settings.epochs,
			learning_rate: settings.learningRate,
			train_text_encoder: settings.trainTextEncoder,
		};
		const response = (await apiRequest.call(this, 'POST', '/elements', {
			body,
			jobCreating: true,
			itemIndex: 0,
		})) as CreateElementResponse;
		element = response.sdTrainingJob;
		if (typeof element?.userLoraId !== 'number') {
			fail(
				this,
				'Leonardo answered the training request without an element ID',
				`Check LoRA → Get Many for a new element named "${settings.name}" before retrying. Dataset: ${datasetId}.`,
			);
		}
	} catch (error) {
		const mayExist = (error as { context?: IDataObject }).context?.jobMayExist === true;
		if (mayExist) {
			// The training may have started on this dataset: keep it, say where it is.
			throw withTrainingIds(
				this,
				error,
				{ datasetId, datasetDeleted: false },
				`The images are in dataset ${datasetId}; it was kept because the training may be using it.`,
			);
		}
		const { deleted, note } = await cleanUpDataset.call(this, datasetId);
		throw withTrainingIds(
			this,
			error,
			{ datasetId, datasetDeleted: deleted },
			`${uploaded + added} of ${total} images had been added. ${note}`,
		);
	}

	const userLoraId = element.userLoraId;
	const notice = imageCountNotice(settings.focus, total) ?? null;
	const json: IDataObject = {
		userLoraId,
		datasetId,
		name: settings.name,
		focus: settings.focus,
		baseModel: settings.sdVersion,
		status: 'PENDING',
		imagesUsed: total,
		uploadedImages: uploaded,
		generatedImages: added,
		cost: (element.cost ?? null) as IDataObject | null,
		apiCreditCost: element.apiCreditCost ?? null,
		trainingsThisMonth: trainedThisMonth + 1,
		trainingsPerMonth: context.plan.loraTrainingsPerMonth,
		notice,
		...planOutputFields(context.plan),
	};

	// 5. Wait. "none" and "webhook" return the pending item: for "webhook" the router's finishWebhookWait
	// (actions/job/webhookWait.ts) queues userLoraId as a 'training' job and parks the execution.
	if (wait.mode === 'poll') {
		let finished: UserLora;
		try {
			const poll: (this: IExecuteFunctions, job: PollJob<UserLora>) => Promise<UserLora> = pollUntilDone;
			finished = await poll.call(this, {
				jobId: String(userLoraId),
				jobLabel: 'training',
				intervalMs: wait.intervalMs,
				timeoutMs: wait.timeoutMs,
				itemIndex: 0,
				fetch: async (): Promise<UserLora> => {
					const got = (await apiRequest.call(this, 'GET', `/elements/${userLoraId}`, {
						itemIndex: 0,
					})) as GetElementResponse;
					if (!got.user_loras_by_pk) {
						fail(this, `Leonardo has no element ${userLoraId} (training of dataset ${datasetId})`, 'It may have been deleted.');
					}
					return got.user_loras_by_pk;
				},
				status: (got: UserLora) => got.status,
				failureDescription: () =>
					`Leonardo reported status FAILED for the training of element (userLoraId) ${userLoraId}, dataset ${datasetId}. Check the images, or delete the element and train again.`,
			});
		} catch (error) {
			throw withTrainingIds(this, error, { datasetId, userLoraId });
		}
		Object.assign(json, elementFields(finished));
	} else if (wait.mode !== 'none' && wait.mode !== 'webhook') {
		fail(this, `Wait for Result "${wait.mode}" is not available for LoRA training yet: use Poll or Don't Wait`);
	}

	return [{ json, pairedItem }];
}
