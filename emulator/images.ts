/**
 * Procedural output images: a tiny PNG encoder (node:zlib) and a deterministic picture derived from a hash
 * of (prompt, seed, index). Same inputs -> byte-identical PNG; different prompts -> clearly different
 * colours and shapes. Results are cached by content key.
 */
import { createHash } from 'node:crypto';
import { constants, deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

export function crc32(buf: Uint8Array, crc = 0): number {
	let c = (crc ^ 0xffffffff) >>> 0;
	for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'ascii');
	data.copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Encodes 8-bit RGB (channels 3) or RGBA (channels 4) pixels as PNG. Rows use the "Up" filter and zlib's
 * RLE strategy: smooth pictures become long runs, which deflate very fast.
 */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 3 | 4 = 3): Buffer {
	const stride = width * channels;
	const raw = Buffer.allocUnsafe((stride + 1) * height);
	for (let y = 0; y < height; y++) {
		const o = y * (stride + 1);
		const row = y * stride;
		if (y === 0) {
			raw[o] = 0; // filter: none
			raw.set(pixels.subarray(0, stride), 1);
			continue;
		}
		raw[o] = 2; // filter: up
		const prev = row - stride;
		for (let i = 0; i < stride; i++) raw[o + 1 + i] = (pixels[row + i] - pixels[prev + i]) & 0xff;
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8;
	ihdr[9] = channels === 4 ? 6 : 2;
	ihdr[10] = 0;
	ihdr[11] = 0;
	ihdr[12] = 0;
	return Buffer.concat([
		PNG_SIGNATURE,
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw, { level: 1, strategy: constants.Z_RLE })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** Reads width/height/colour type from a PNG header (null when not a PNG). */
export function pngInfo(buf: Buffer): { width: number; height: number; colorType: number } | null {
	if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString('ascii', 12, 16) !== 'IHDR') return null;
	return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), colorType: buf[25] };
}

function hsl(h: number, s: number, l: number): [number, number, number] {
	const a = s * Math.min(l, 1 - l);
	const f = (n: number) => {
		const k = (n + h * 12) % 12;
		return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, Math.min(9 - k, 1)))));
	};
	return [f(0), f(8), f(4)];
}

export interface PictureSpec {
	/** Text the picture is derived from (prompt, or a source id for variations). */
	prompt: string;
	seed: number | string;
	index?: number;
	width: number;
	height: number;
	/** RGBA with a transparent background (transparency / nobg). */
	transparent?: boolean;
	/** A small twist for derived outputs (upscale, unzoom, frames of a clip). */
	variant?: string;
	/** 0..1: moves the disc along a circular path (frames of a clip). */
	phase?: number;
}

/** Raw pixels of the picture (RGB or RGBA). */
export function renderPixels(spec: PictureSpec): { pixels: Uint8Array; channels: 3 | 4 } {
	const { width: w, height: h } = spec;
	const d = createHash('sha256')
		.update(`${spec.prompt}\u0000${spec.seed}\u0000${spec.index ?? 0}\u0000${spec.variant ?? ''}`)
		.digest();
	const hue = d[0] / 255;
	const c1 = hsl(hue, 0.75, 0.55);
	const c2 = hsl((hue + 0.35 + (d[1] / 255) * 0.3) % 1, 0.7, 0.35);
	const c3 = hsl((hue + 0.5) % 1, 0.85, 0.6);
	const c4 = hsl((hue + 0.15 + (d[2] / 255) * 0.2) % 1, 0.6, 0.75);
	const angle = (d[3] / 255) * Math.PI * 2;
	const ca = Math.cos(angle);
	const sa = Math.sin(angle);
	const ph = (spec.phase ?? 0) * Math.PI * 2;
	const cx = (0.2 + (d[4] / 255) * 0.6 + (spec.phase === undefined ? 0 : 0.15 * Math.sin(ph))) * w;
	const cy = (0.2 + (d[5] / 255) * 0.6 + (spec.phase === undefined ? 0 : 0.15 * (1 - Math.cos(ph)))) * h;
	const r = (0.12 + (d[6] / 255) * 0.2) * Math.min(w, h);
	const r2 = r * r;
	const rx0 = Math.floor((d[7] / 255) * 0.6 * w);
	const ry0 = Math.floor((d[8] / 255) * 0.6 * h);
	const rx1 = rx0 + Math.floor((0.15 + (d[9] / 255) * 0.25) * w);
	const ry1 = ry0 + Math.floor((0.15 + (d[10] / 255) * 0.25) * h);
	const stripes = 4 + (d[11] % 12);
	const stripeW = Math.max(1, Math.floor(w / (stripes * 2)));
	const channels: 3 | 4 = spec.transparent ? 4 : 3;
	const px = new Uint8Array(w * h * channels);
	const span = Math.abs(ca) * w + Math.abs(sa) * h || 1;
	const off = (ca < 0 ? -ca * w : 0) + (sa < 0 ? -sa * h : 0);
	const dR = c2[0] - c1[0];
	const dG = c2[1] - c1[1];
	const dB = c2[2] - c1[2];
	const stepT = ca / span;
	for (let y = 0; y < h; y++) {
		const row = y * w * channels;
		// background gradient
		let t = (sa * y + off) / span;
		let i = row;
		for (let x = 0; x < w; x++, t += stepT) {
			px[i] = c1[0] + dR * t;
			px[i + 1] = c1[1] + dG * t;
			px[i + 2] = c1[2] + dB * t;
			if (channels === 4) px[i + 3] = 0;
			i += channels;
		}
		// striped rectangle
		if (y >= ry0 && y < ry1) {
			for (let x = rx0; x < Math.min(rx1, w); x++) {
				if (((x / stripeW) | 0) % 2 !== 0) continue;
				const j = row + x * channels;
				px[j] = c4[0];
				px[j + 1] = c4[1];
				px[j + 2] = c4[2];
				if (channels === 4) px[j + 3] = 255;
			}
		}
		// disc
		const dy = y - cy;
		if (dy * dy < r2) {
			const half = Math.sqrt(r2 - dy * dy);
			const x0 = Math.max(0, Math.ceil(cx - half));
			const x1 = Math.min(w - 1, Math.floor(cx + half));
			for (let x = x0; x <= x1; x++) {
				const j = row + x * channels;
				px[j] = c3[0];
				px[j + 1] = c3[1];
				px[j + 2] = c3[2];
				if (channels === 4) px[j + 3] = 255;
			}
		}
	}
	return { pixels: px, channels };
}

const cache = new Map<string, Buffer>();
const CACHE_MAX = 128;

function cached(key: string, make: () => Buffer): Buffer {
	const hit = cache.get(key);
	if (hit) {
		cache.delete(key);
		cache.set(key, hit);
		return hit;
	}
	const value = make();
	cache.set(key, value);
	if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
	return value;
}

/** The PNG for a spec, cached by content. */
export function renderPng(spec: PictureSpec): Buffer {
	const key = JSON.stringify(['png', spec.prompt, spec.seed, spec.index ?? 0, spec.width, spec.height, !!spec.transparent, spec.variant ?? '']);
	return cached(key, () => {
		const { pixels, channels } = renderPixels(spec);
		return encodePng(spec.width, spec.height, pixels, channels);
	});
}

export { cached as cacheByContent };
