/**
 * Training images for the LoRA tests: real PNGs from the emulator's encoder (node:zlib), plus minimal
 * JPEG and WebP headers for the image reader.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { encodePng } from '../../emulator/images';
import { makeBinaryItem } from '../helpers/harness';

/** A small RGB PNG, different for every `seed`. */
export function png(seed: number, width = 24, height = 16): Buffer {
	const pixels = new Uint8Array(width * height * 3);
	for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + seed * 31) % 256;
	return encodePng(width, height, pixels, 3);
}

/** `count` input items, each with a PNG in binary property `data` (file names image-<n>.png). */
export function pngItems(count: number, offset = 0): INodeExecutionData[] {
	return Array.from({ length: count }, (_, n) =>
		makeBinaryItem(png(n + offset), { fileName: `image-${n + offset}.png`, mimeType: 'image/png' }),
	);
}

/** JPEG: SOI, an APP0 segment, then an SOF0 frame header with the size (enough for a header reader). */
export function jpegHeader(width: number, height: number): Buffer {
	const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
	const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
	return Buffer.from([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

/** WebP lossless (VP8L) header with the size. */
export function webpLossless(width: number, height: number): Buffer {
	const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
	const vp8l = Buffer.alloc(10);
	vp8l.writeUInt8(0x2f, 0);
	vp8l.writeUInt32LE(bits >>> 0, 1);
	const chunk = Buffer.concat([Buffer.from('VP8L'), Buffer.from([vp8l.length, 0, 0, 0]), vp8l]);
	return Buffer.concat([Buffer.from('RIFF'), Buffer.from([chunk.length + 4, 0, 0, 0]), Buffer.from('WEBP'), chunk]);
}

/** WebP extended (VP8X) header with the size. */
export function webpExtended(width: number, height: number): Buffer {
	const data = Buffer.alloc(10);
	data.writeUIntLE(width - 1, 4, 3);
	data.writeUIntLE(height - 1, 7, 3);
	const chunk = Buffer.concat([Buffer.from('VP8X'), Buffer.from([10, 0, 0, 0]), data]);
	return Buffer.concat([Buffer.from('RIFF'), Buffer.from([chunk.length + 4, 0, 0, 0]), Buffer.from('WEBP'), chunk]);
}
