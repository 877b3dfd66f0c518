import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Cost, GeneratedImage, Generation } from '../../shared/contract';
import type { PlanProfile } from '../../shared/plans';
import { downloadToBinary } from '../transport';
import { extensionFromMime } from './binary';
import { errorWithJobId } from './errors';
import { planOutputFields } from './plan';
import { waitForGeneration } from './polling';

export interface GenerationOutputOptions {
	itemIndex: number;
	plan: PlanProfile;
	/** Download each output into binary data (false = "URLs only"). */
	download: boolean;
	binaryPropertyName: string;
	cost?: { apiCreditCost?: number | null; cost?: Cost | null };
	model?: { id?: string | null; name?: string };
	/** The URL field of an output (images: url; motion: motionMP4URL). */
	urlOf?: (image: GeneratedImage) => string | null | undefined;
	/** Download as a stream (large files). */
	stream?: boolean;
	/** Force the binary MIME type (e.g. video/mp4) instead of the CDN's content-type header. */
	mimeType?: string;
	extra?: IDataObject;
}

/** One output item per generated image (or video): JSON fields plus the file as binary unless URLs only. */
export async function generationToItems(
	this: IExecuteFunctions,
	generation: Generation,
	options: GenerationOutputOptions,
): Promise<INodeExecutionData[]> {
	const urlOf = options.urlOf ?? ((image: GeneratedImage) => image.url);
	const items: INodeExecutionData[] = [];
	const images = generation.generated_images ?? [];
	for (let index = 0; index < images.length; index++) {
		const image = images[index];
		const url = urlOf(image) ?? image.url;
		const json: IDataObject = {
			generationId: generation.id,
			imageId: image.id,
			url,
			index,
			seed: generation.seed,
			status: generation.status,
			prompt: generation.prompt,
			width: generation.imageWidth,
			height: generation.imageHeight,
			nsfw: image.nsfw,
			modelId: options.model?.id ?? generation.modelId,
			model: options.model?.name ?? options.model?.id ?? generation.modelId,
			cost: (options.cost?.cost ?? null) as IDataObject | null,
			apiCreditCost: options.cost?.apiCreditCost ?? null,
			...planOutputFields(options.plan),
			...options.extra,
		};
		const item: INodeExecutionData = { json, pairedItem: { item: options.itemIndex } };
		if (options.download && url) {
			const guess = url.split('?')[0].split('.').pop()?.toLowerCase() ?? 'png';
			const binary = await downloadToBinary.call(this, url, {
				fileName: `${generation.id}-${index}.${guess.length <= 4 ? guess : 'png'}`,
				stream: options.stream,
				mimeType: options.mimeType,
				itemIndex: options.itemIndex,
			});
			if (binary.mimeType && binary.fileName && !binary.fileExtension) {
				binary.fileExtension = extensionFromMime(binary.mimeType);
			}
			item.binary = { [options.binaryPropertyName]: binary };
		}
		items.push(item);
	}
	return items;
}

/** A created generation job (image, video or edit) as Leonardo returns it. */
export interface CreatedGeneration {
	generationId: string;
	apiCreditCost?: number | null;
	cost?: Cost | null;
}

export interface FinishGenerationOptions
	extends Omit<GenerationOutputOptions, 'itemIndex' | 'cost' | 'extra'> {
	itemIndex: number;
	/** "Don't wait" (anything but poll, webhook included: the router registers the pending item) or "Poll". */
	wait: { mode: string; intervalMs: number; timeoutMs: number };
	/** Fields of the PENDING item besides id, status, cost and plan (model, apiVersion, ...). */
	pending: IDataObject;
	/** Extra fields of every output item when polled. */
	extra?: IDataObject;
	/** Adjusts the polled items (motion: video file names); may throw. */
	after?: (items: INodeExecutionData[], generation: Generation) => void;
}

/**
 * After a generation job was created: "Don't wait" gives one PENDING item (the generation ID and cost);
 * "Poll" waits for the job and gives one item per image or video. Any failure after the create carries the
 * generation ID, so no submitted job is lost.
 */
export async function finishGenerationJob(
	this: IExecuteFunctions,
	job: CreatedGeneration,
	o: FinishGenerationOptions,
): Promise<INodeExecutionData[]> {
	const costFields = { apiCreditCost: job.apiCreditCost ?? null, cost: job.cost ?? null };
	if (o.wait.mode !== 'poll') {
		return [
			{
				json: {
					generationId: job.generationId,
					status: 'PENDING',
					...o.pending,
					...(costFields as IDataObject),
					...planOutputFields(o.plan),
				},
				pairedItem: { item: o.itemIndex },
			},
		];
	}
	try {
		const generation = await waitForGeneration.call(this, job.generationId, {
			intervalMs: o.wait.intervalMs,
			timeoutMs: o.wait.timeoutMs,
			itemIndex: o.itemIndex,
		});
		const items = await generationToItems.call(this, generation, {
			itemIndex: o.itemIndex,
			plan: o.plan,
			download: o.download,
			binaryPropertyName: o.binaryPropertyName,
			cost: costFields,
			model: o.model,
			urlOf: o.urlOf,
			stream: o.stream,
			mimeType: o.mimeType,
			extra: o.extra,
		});
		o.after?.(items, generation);
		return items;
	} catch (error) {
		throw errorWithJobId(this.getNode(), error, job.generationId, o.itemIndex);
	}
}
