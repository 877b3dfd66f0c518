/**
 * Motion outputs: a hand-written ISO-BMFF (MP4) muxer around a tiny H.264 encoder (h264.ts: Constrained
 * Baseline, every macroblock I_PCM), so browsers, n8n's binary preview and ffmpeg all play the clips. No
 * external binary needed. Each frame is the job's picture with the disc moved along a path, so the clip
 * visibly moves.
 */
import { encodeIdrPicture, parameterSets, rgbToPcmMacroblocks, type H264ParameterSets } from './h264';
import { renderPixels, cacheByContent, type PictureSpec } from './images';

function box(type: string, ...payload: Buffer[]): Buffer {
	const body = Buffer.concat(payload);
	const head = Buffer.alloc(8);
	head.writeUInt32BE(8 + body.length, 0);
	head.write(type, 4, 'ascii');
	return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
	const vf = Buffer.alloc(4);
	vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
	return box(type, vf, ...payload);
}

function u32(...values: number[]): Buffer {
	const b = Buffer.alloc(4 * values.length);
	values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
	return b;
}

function u16(...values: number[]): Buffer {
	const b = Buffer.alloc(2 * values.length);
	values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2));
	return b;
}

const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

function visualSampleEntry(fourcc: string, width: number, height: number, name: string, ...extra: Buffer[]): Buffer {
	const compressor = Buffer.alloc(32);
	compressor[0] = Math.min(31, name.length);
	compressor.write(name.slice(0, 31), 1, 'ascii');
	return box(
		fourcc,
		Buffer.alloc(6), // reserved
		u16(1), // data_reference_index
		u16(0, 0), // pre_defined, reserved
		u32(0, 0, 0), // pre_defined
		u16(width, height),
		u32(0x00480000, 0x00480000), // 72 dpi
		u32(0), // reserved
		u16(1), // frame_count
		compressor,
		u16(0x0018, 0xffff), // depth, pre_defined = -1
		...extra,
	);
}

export interface Mp4Options {
	/** Visible size of the video (even numbers). */
	width: number;
	height: number;
	fps: number;
	/** Frames as RGB (3 channels) pixels of width x height. */
	frames: Uint8Array[];
}

/** avcC (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3.1): SPS/PPS, 4-byte NAL lengths. */
function avcC(ps: H264ParameterSets): Buffer {
	return box(
		'avcC',
		Buffer.from([1, ps.profileIdc, ps.constraintFlags, ps.levelIdc, 0xfc | 3, 0xe0 | 1]),
		u16(ps.sps.length),
		ps.sps,
		Buffer.from([1]),
		u16(ps.pps.length),
		ps.pps,
	);
}

/**
 * Encodes RGB frames as H.264 (all-I_PCM IDR pictures, see h264.ts) and muxes them into an MP4 file:
 * ftyp (isom/avc1), moov with one video trak ('avc1' + 'avcC'), mdat with 4-byte length-prefixed samples.
 */
export function muxH264Mp4({ width, height, fps, frames }: Mp4Options): Buffer {
	const ps = parameterSets({ width, height, fps });
	const samples = frames.map((rgb, i) => {
		const samples = rgbToPcmMacroblocks(rgb, 3, width, height, ps.codedWidth, ps.codedHeight);
		const unit = encodeIdrPicture(ps, samples, i % 2); // consecutive IDRs need different idr_pic_id
		return Buffer.concat([u32(unit.length), unit]);
	});
	const timescale = fps * 1000;
	const sampleDelta = 1000;
	const duration = samples.length * sampleDelta;
	const ftyp = box('ftyp', Buffer.from('isom', 'ascii'), u32(0x200), Buffer.from('isomiso2avc1mp41', 'ascii'));
	const build = (chunkOffset: number) => {
		const mvhd = fullBox('mvhd', 0, 0, u32(0, 0, timescale, duration, 0x00010000), u16(0x0100, 0), u32(0, 0), MATRIX, u32(0, 0, 0, 0, 0, 0), u32(2));
		const tkhd = fullBox('tkhd', 0, 0x3, u32(0, 0, 1, 0, duration, 0, 0), u16(0, 0, 0, 0), MATRIX, u32(width << 16, height << 16));
		const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, timescale, duration), u16(0x55c4 /* und */, 0));
		const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'ascii'), u32(0, 0, 0), Buffer.from('VideoHandler\0', 'ascii'));
		const vmhd = fullBox('vmhd', 0, 1, u16(0, 0, 0, 0));
		const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
		const stsd = fullBox('stsd', 0, 0, u32(1), visualSampleEntry('avc1', width, height, 'Leonardo emulator H.264', avcC(ps)));
		const stts = fullBox('stts', 0, 0, u32(1, samples.length, sampleDelta));
		// no stss box: every sample is an IDR picture, i.e. a sync sample
		const stsc = fullBox('stsc', 0, 0, u32(1, 1, samples.length, 1)); // one chunk holding all samples
		const stsz = fullBox('stsz', 0, 0, u32(0, samples.length, ...samples.map((f) => f.length)));
		const stco = fullBox('stco', 0, 0, u32(1, chunkOffset));
		const stbl = box('stbl', stsd, stts, stsc, stsz, stco);
		const minf = box('minf', vmhd, dinf, stbl);
		const mdia = box('mdia', mdhd, hdlr, minf);
		const trak = box('trak', tkhd, mdia);
		return box('moov', mvhd, trak);
	};
	const moovSize = build(0).length;
	const moov = build(ftyp.length + moovSize + 8);
	const mdatSize = 8 + samples.reduce((n, s) => n + s.length, 0);
	if (mdatSize > 0xffffffff) throw new Error('clip too large for a 32-bit mdat');
	const mdatHead = Buffer.alloc(8);
	mdatHead.writeUInt32BE(mdatSize, 0);
	mdatHead.write('mdat', 4, 'ascii');
	return Buffer.concat([ftyp, moov, mdatHead, ...samples]);
}

/** Longest side of the encoded clip: I_PCM is uncompressed (384 bytes per 16x16 macroblock per frame). */
export const MAX_VIDEO_SIDE = 480;

/**
 * Size of the encoded video for a requested size: scaled down (aspect kept) so the long side is at most
 * MAX_VIDEO_SIDE, rounded to even numbers (4:2:0 frame cropping works in steps of 2).
 */
export function videoSize(width: number, height: number): { width: number; height: number } {
	const scale = Math.min(1, MAX_VIDEO_SIDE / Math.max(width, height));
	const even = (v: number) => Math.max(2, Math.round((v * scale) / 2) * 2);
	return { width: even(width), height: even(height) };
}

export interface ClipSpec extends PictureSpec {
	durationSeconds: number;
	fps?: number;
}

/** A deterministic H.264 clip for a job (cached by content); frames are rendered directly at the video size. */
export function renderMp4(spec: ClipSpec): Buffer {
	const fps = spec.fps ?? 4;
	const count = Math.max(1, Math.round(spec.durationSeconds * fps));
	const size = videoSize(spec.width, spec.height);
	const key = JSON.stringify(['mp4-h264', spec.prompt, spec.seed, spec.index ?? 0, spec.width, spec.height, spec.variant ?? '', count, fps]);
	return cacheByContent(key, () => {
		const frames: Uint8Array[] = [];
		for (let f = 0; f < count; f++) frames.push(renderPixels({ ...spec, ...size, transparent: false, phase: f / count }).pixels);
		return muxH264Mp4({ ...size, fps, frames });
	});
}

/** Parses the top-level boxes of an MP4 (for tests and the admin inspector). */
export function topLevelBoxes(buf: Buffer): Array<{ type: string; size: number }> {
	const out: Array<{ type: string; size: number }> = [];
	let p = 0;
	while (p + 8 <= buf.length) {
		const size = buf.readUInt32BE(p);
		out.push({ type: buf.toString('ascii', p + 4, p + 8), size });
		if (size < 8) break;
		p += size;
	}
	return out;
}
