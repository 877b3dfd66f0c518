import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ImageExtension } from '../../shared/contract';
import { isImageExtension, sniffImageExtension } from '../../shared/validation';

export interface InputImage {
	data: Buffer;
	extension: ImageExtension;
	mimeType: string;
	fileName: string;
}

const MIME_BY_EXTENSION: Record<ImageExtension, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
};

/**
 * Reads an image from an input item's binary property and checks it is PNG, JPEG or WebP (by content,
 * not only by the declared MIME type). Errors name the parameter (`parameterLabel`) and are raised before
 * any request.
 */
export async function getInputImage(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	parameterLabel: string,
): Promise<InputImage> {
	const node = this.getNode();
	const binary = this.getInputData()[itemIndex]?.binary?.[propertyName];
	if (!propertyName || !binary) {
		throw new NodeOperationError(
			node,
			`${parameterLabel}: input item ${itemIndex} has no binary property "${propertyName}"`,
			{
				itemIndex,
				description:
					'Set the parameter to the name of a binary property that holds an image (PNG, JPEG or WebP), for example "data".',
			},
		);
	}
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	const sniffed = sniffImageExtension(data);
	if (!sniffed) {
		throw new NodeOperationError(
			node,
			`${parameterLabel}: binary property "${propertyName}" is not a PNG, JPEG or WebP image`,
			{ itemIndex, description: `Declared MIME type: ${binary.mimeType || 'none'}.` },
		);
	}
	const declared = binary.fileExtension?.toLowerCase();
	const extension: ImageExtension = declared && isImageExtension(declared) && (declared === sniffed || (sniffed === 'jpg' && declared === 'jpeg')) ? (declared as ImageExtension) : sniffed;
	return {
		data,
		extension,
		mimeType: MIME_BY_EXTENSION[extension],
		fileName: binary.fileName || `image.${extension}`,
	};
}

export function extensionFromMime(mimeType: string | undefined, fallback = 'png') {
	if (!mimeType) return fallback;
	if (mimeType.includes('jpeg')) return 'jpg';
	if (mimeType.includes('png')) return 'png';
	if (mimeType.includes('webp')) return 'webp';
	if (mimeType.includes('mp4')) return 'mp4';
	if (mimeType.includes('gif')) return 'gif';
	return fallback;
}
