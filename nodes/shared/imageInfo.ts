/**
 * Reads the format and pixel size of an image from its header bytes (PNG, JPEG, WebP), without decoding
 * it. Used to refuse unreadable training images before anything is uploaded. Pure, no dependencies.
 */
import type { ImageExtension } from './contract';

export interface ImageInfo {
	/** Leonardo upload extension matching the content ('jpg' for JPEG). */
	format: Extract<ImageExtension, 'png' | 'jpg' | 'webp'>;
	width: number;
	height: number;
}

export type ImageInfoResult = { ok: true; info: ImageInfo } | { ok: false; problem: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const fail = (problem: string): ImageInfoResult => ({ ok: false, problem });

function sized(format: ImageInfo['format'], width: number, height: number): ImageInfoResult {
	if (!(width > 0) || !(height > 0)) {
		return fail(`its ${format.toUpperCase()} header gives no size (${width}x${height})`);
	}
	return { ok: true, info: { format, width, height } };
}

function readPng(data: Uint8Array): ImageInfoResult {
	if (data.length < 33) return fail('the PNG data is truncated (no IHDR header)');
	const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
	const type = String.fromCharCode(data[12], data[13], data[14], data[15]);
	if (type !== 'IHDR' || view.getUint32(8) !== 13) return fail('the PNG data has no IHDR header');
	return sized('png', view.getUint32(16), view.getUint32(20));
}

/** Start-of-frame markers carrying the image size (SOF0..SOF15 minus DHT, JPG and DAC). */
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function readJpeg(data: Uint8Array): ImageInfoResult {
	let offset = 2;
	while (offset + 4 <= data.length) {
		if (data[offset] !== 0xff) return fail(`the JPEG data is corrupt (no marker at byte ${offset})`);
		const marker = data[offset + 1];
		if (marker === 0xff) {
			offset++; // fill byte
			continue;
		}
		// Markers without a length.
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			offset += 2;
			continue;
		}
		if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame
		const length = (data[offset + 2] << 8) | data[offset + 3];
		if (length < 2) return fail('the JPEG data is corrupt (bad segment length)');
		if (JPEG_SOF.has(marker)) {
			if (offset + 9 > data.length) break;
			const height = (data[offset + 5] << 8) | data[offset + 6];
			const width = (data[offset + 7] << 8) | data[offset + 8];
			return sized('jpg', width, height);
		}
		offset += 2 + length;
	}
	return fail('the JPEG data is truncated or has no frame header');
}

function readWebp(data: Uint8Array): ImageInfoResult {
	if (data.length < 30) return fail('the WebP data is truncated');
	const chunk = String.fromCharCode(data[12], data[13], data[14], data[15]);
	const b = (i: number) => data[i];
	if (chunk === 'VP8 ') {
		// Key frame start code 9d 01 2a, then 14-bit width and height.
		if (b(23) !== 0x9d || b(24) !== 0x01 || b(25) !== 0x2a) return fail('the WebP (VP8) frame header is invalid');
		const width = (b(26) | (b(27) << 8)) & 0x3fff;
		const height = (b(28) | (b(29) << 8)) & 0x3fff;
		return sized('webp', width, height);
	}
	if (chunk === 'VP8L') {
		if (b(20) !== 0x2f) return fail('the WebP (VP8L) header is invalid');
		const bits = b(21) | (b(22) << 8) | (b(23) << 16) | (b(24) << 24);
		const width = (bits & 0x3fff) + 1;
		const height = ((bits >>> 14) & 0x3fff) + 1;
		return sized('webp', width, height);
	}
	if (chunk === 'VP8X') {
		const width = 1 + (b(24) | (b(25) << 8) | (b(26) << 16));
		const height = 1 + (b(27) | (b(28) << 8) | (b(29) << 16));
		return sized('webp', width, height);
	}
	return fail(`the WebP data has an unknown first chunk "${chunk.replace(/[^\x20-\x7e]/g, '?')}"`);
}

/**
 * The format and size of a PNG, JPEG or WebP image, from its bytes (not from its file name or declared
 * MIME type). `problem` says why an image is refused: not one of these formats, or a header that cannot
 * be read.
 */
export function readImageInfo(data: Uint8Array): ImageInfoResult {
	if (data.length >= 8 && PNG_SIGNATURE.every((byte, i) => data[i] === byte)) return readPng(data);
	if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return readJpeg(data);
	if (
		data.length >= 12 &&
		String.fromCharCode(data[0], data[1], data[2], data[3]) === 'RIFF' &&
		String.fromCharCode(data[8], data[9], data[10], data[11]) === 'WEBP'
	) {
		return readWebp(data);
	}
	if (data.length === 0) return fail('it is empty');
	return fail('it is not a PNG, JPEG or WebP image');
}
