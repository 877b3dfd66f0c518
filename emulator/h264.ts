/**
 * A tiny H.264 (ISO/IEC 14496-10) intra-only encoder for the emulator's motion outputs.
 *
 * No compression math: every macroblock of every picture is coded as I_PCM (raw 8-bit samples), which any
 * H.264 decoder (browsers, ffmpeg, n8n's binary preview) plays. Stream layout:
 *   SPS  profile_idc 66 with constraint_set0+1 (Constrained Baseline: we use no FMO/ASO/redundant slices),
 *        level chosen from frame size / macroblock rate / bit rate, pic_order_cnt_type 2 (output order =
 *        decode order), frame cropping when the size is not a multiple of 16, VUI with BT.601 limited-range
 *        colour and "no reordering" so players output each frame at once.
 *   PPS  CAVLC, deblocking control present (disabled in every slice).
 *   IDR  one slice per picture, idr_pic_id alternating 0/1, all macroblocks mb_type I_PCM (ue(25)),
 *        pcm alignment, 256 luma + 2x64 chroma samples (4:2:0), RBSP trailing bits, emulation prevention.
 * Note: all-PCM pictures exceed the level's MinCR ratio (A.3.1) by design; decoders do not enforce it and the
 * VUI says max_bits_per_mb_denom = 0 (no per-macroblock limit).
 */

/** MSB-first bit writer with Exp-Golomb helpers (7.2 / 9.1). */
class BitWriter {
	private out: number[] = [];
	private cur = 0;
	private n = 0;

	bit(b: number): void {
		this.cur = (this.cur << 1) | (b & 1);
		if (++this.n === 8) {
			this.out.push(this.cur);
			this.cur = 0;
			this.n = 0;
		}
	}

	u(bits: number, value: number): void {
		for (let i = bits - 1; i >= 0; i--) this.bit((value >>> i) & 1);
	}

	ue(v: number): void {
		const x = v + 1;
		const len = 32 - Math.clz32(x);
		this.u(len - 1, 0);
		this.u(len, x);
	}

	se(v: number): void {
		this.ue(v <= 0 ? -2 * v : 2 * v - 1);
	}

	alignZero(): void {
		while (this.n !== 0) this.bit(0);
	}

	/** rbsp_trailing_bits(): a stop bit then zero bits up to the byte boundary. */
	trailing(): void {
		this.bit(1);
		this.alignZero();
	}

	bytes(): Buffer {
		if (this.n !== 0) throw new Error('BitWriter: not byte aligned');
		return Buffer.from(this.out);
	}
}

const ZERO_ZERO = Buffer.from([0, 0]);

/**
 * Inserts emulation_prevention_three_byte (0x03) wherever the RBSP holds 00 00 0x (x <= 3), and after a final
 * 0x00 byte (7.4.1). Uses the native Buffer search, so large PCM payloads cost almost nothing.
 */
export function escapeRbsp(rbsp: Uint8Array): Buffer {
	const src = Buffer.from(rbsp.buffer, rbsp.byteOffset, rbsp.length);
	const at: number[] = []; // indexes of the bytes a 0x03 goes before
	for (let i = src.indexOf(ZERO_ZERO, 0); i !== -1 && i + 2 < src.length; ) {
		if (src[i + 2] <= 3) {
			at.push(i + 2);
			i = src.indexOf(ZERO_ZERO, i + 2); // the zero count restarts at the byte after the 03
		} else i = src.indexOf(ZERO_ZERO, i + 3);
	}
	// a payload ending in 0x00 gets a final 0x03 (only possible with cabac_zero_words; never here)
	if (src.length > 0 && src[src.length - 1] === 0 && at[at.length - 1] !== src.length) at.push(src.length);
	if (at.length === 0) return src;
	const out = Buffer.allocUnsafe(src.length + at.length);
	let from = 0;
	let o = 0;
	for (const p of at) {
		o += src.copy(out, o, from, p);
		out[o++] = 3;
		from = p;
	}
	src.copy(out, o, from);
	return out;
}

/** A NAL unit (no start code, no length prefix): header byte + escaped RBSP. */
function nal(refIdc: number, type: number, rbsp: Uint8Array): Buffer {
	return Buffer.concat([Buffer.from([(refIdc << 5) | type]), escapeRbsp(rbsp)]);
}

// Table A-1: level_idc, MaxMBPS, MaxFS, MaxDpbMbs, MaxBR (kbit/s, x1000 for Baseline VCL).
const LEVELS: ReadonlyArray<readonly [number, number, number, number, number]> = [
	[10, 1485, 99, 396, 64],
	[11, 3000, 396, 900, 192],
	[12, 6000, 396, 2376, 384],
	[13, 11880, 396, 2376, 768],
	[20, 11880, 396, 2376, 2000],
	[21, 19800, 792, 4752, 4000],
	[22, 20250, 1620, 8100, 4000],
	[30, 40500, 1620, 8100, 10000],
	[31, 108000, 3600, 18000, 14000],
	[32, 216000, 5120, 20480, 20000],
	[40, 245760, 8192, 32768, 20000],
	[41, 245760, 8192, 32768, 50000],
	[42, 522240, 8704, 34816, 50000],
	[50, 589824, 22080, 110400, 135000],
	[51, 983040, 36864, 184320, 240000],
	[52, 2073600, 36864, 184320, 240000],
];

/** Bytes of one all-PCM macroblock in the slice data: mb_type + alignment (2 bytes once aligned) + 384 samples. */
const PCM_MB_BYTES = 2 + 384;

/** The lowest level whose frame size, macroblock rate and bit rate limits hold for this stream. */
export function chooseLevel(widthMbs: number, heightMbs: number, fps: number): number {
	const fs = widthMbs * heightMbs;
	const bitsPerSecond = fs * PCM_MB_BYTES * 8 * fps;
	for (const [idc, maxMbps, maxFs, maxDpb, maxBr] of LEVELS) {
		const side = Math.sqrt(8 * maxFs);
		if (fs <= maxFs && widthMbs <= side && heightMbs <= side && fs * fps <= maxMbps && fs <= maxDpb && bitsPerSecond <= maxBr * 1000) return idc;
	}
	return 52;
}

export interface H264Config {
	/** Visible (cropped) size; must be even (4:2:0 crop units are 2 samples). */
	width: number;
	height: number;
	fps: number;
}

export interface H264ParameterSets {
	sps: Buffer;
	pps: Buffer;
	profileIdc: number;
	/** The byte after profile_idc in the SPS (constraint_set flags), as avcC profile_compatibility. */
	constraintFlags: number;
	levelIdc: number;
	codedWidth: number;
	codedHeight: number;
}

const PROFILE_BASELINE = 66;
const CONSTRAINT_SET0_1 = 0xc0; // constraint_set0_flag + constraint_set1_flag = Constrained Baseline
const LOG2_MAX_FRAME_NUM = 4;

export function parameterSets({ width, height, fps }: H264Config): H264ParameterSets {
	if (width < 2 || height < 2 || width % 2 || height % 2) throw new Error(`H.264 4:2:0 needs an even size, got ${width}x${height}`);
	const widthMbs = Math.ceil(width / 16);
	const heightMbs = Math.ceil(height / 16);
	const codedWidth = widthMbs * 16;
	const codedHeight = heightMbs * 16;
	const levelIdc = chooseLevel(widthMbs, heightMbs, fps);

	const s = new BitWriter();
	s.u(8, PROFILE_BASELINE);
	s.u(8, CONSTRAINT_SET0_1); // constraint_set0..5 flags + reserved_zero_2bits
	s.u(8, levelIdc);
	s.ue(0); // seq_parameter_set_id
	s.ue(LOG2_MAX_FRAME_NUM - 4); // log2_max_frame_num_minus4
	s.ue(2); // pic_order_cnt_type
	s.ue(1); // max_num_ref_frames
	s.u(1, 0); // gaps_in_frame_num_value_allowed_flag
	s.ue(widthMbs - 1); // pic_width_in_mbs_minus1
	s.ue(heightMbs - 1); // pic_height_in_map_units_minus1
	s.u(1, 1); // frame_mbs_only_flag
	s.u(1, 1); // direct_8x8_inference_flag
	const cropRight = (codedWidth - width) / 2;
	const cropBottom = (codedHeight - height) / 2;
	const crop = cropRight > 0 || cropBottom > 0;
	s.u(1, crop ? 1 : 0); // frame_cropping_flag
	if (crop) {
		s.ue(0); // frame_crop_left_offset
		s.ue(cropRight); // frame_crop_right_offset (units of CropUnitX = 2)
		s.ue(0); // frame_crop_top_offset
		s.ue(cropBottom); // frame_crop_bottom_offset (units of CropUnitY = 2)
	}
	s.u(1, 1); // vui_parameters_present_flag
	s.u(1, 0); // aspect_ratio_info_present_flag (square samples)
	s.u(1, 0); // overscan_info_present_flag
	s.u(1, 1); // video_signal_type_present_flag
	s.u(3, 5); // video_format: unspecified
	s.u(1, 0); // video_full_range_flag: limited (16..235 / 16..240)
	s.u(1, 1); // colour_description_present_flag
	s.u(8, 6); // colour_primaries: SMPTE 170M
	s.u(8, 6); // transfer_characteristics: SMPTE 170M
	s.u(8, 6); // matrix_coefficients: SMPTE 170M (BT.601)
	s.u(1, 0); // chroma_loc_info_present_flag
	s.u(1, 0); // timing_info_present_flag (the MP4 carries timing)
	s.u(1, 0); // nal_hrd_parameters_present_flag
	s.u(1, 0); // vcl_hrd_parameters_present_flag
	s.u(1, 0); // pic_struct_present_flag
	s.u(1, 1); // bitstream_restriction_flag
	s.u(1, 1); // motion_vectors_over_pic_boundaries_flag
	s.ue(0); // max_bytes_per_pic_denom: no limit
	s.ue(0); // max_bits_per_mb_denom: no limit (I_PCM)
	s.ue(16); // log2_max_mv_length_horizontal
	s.ue(16); // log2_max_mv_length_vertical
	s.ue(0); // max_num_reorder_frames
	s.ue(1); // max_dec_frame_buffering
	s.trailing();

	const p = new BitWriter();
	p.ue(0); // pic_parameter_set_id
	p.ue(0); // seq_parameter_set_id
	p.u(1, 0); // entropy_coding_mode_flag: CAVLC
	p.u(1, 0); // bottom_field_pic_order_in_frame_present_flag
	p.ue(0); // num_slice_groups_minus1
	p.ue(0); // num_ref_idx_l0_default_active_minus1
	p.ue(0); // num_ref_idx_l1_default_active_minus1
	p.u(1, 0); // weighted_pred_flag
	p.u(2, 0); // weighted_bipred_idc
	p.se(0); // pic_init_qp_minus26
	p.se(0); // pic_init_qs_minus26
	p.se(0); // chroma_qp_index_offset
	p.u(1, 1); // deblocking_filter_control_present_flag
	p.u(1, 0); // constrained_intra_pred_flag
	p.u(1, 0); // redundant_pic_cnt_present_flag
	p.trailing();

	return {
		sps: nal(3, 7, s.bytes()),
		pps: nal(3, 8, p.bytes()),
		profileIdc: PROFILE_BASELINE,
		constraintFlags: CONSTRAINT_SET0_1,
		levelIdc,
		codedWidth,
		codedHeight,
	};
}

/** Samples of one all-PCM macroblock: 16x16 luma, then 8x8 Cb and 8x8 Cr (4:2:0, 8-bit). */
const MB_SAMPLES = 384;

/**
 * RGB (3 or 4 channels, alpha ignored) -> BT.601 limited-range YCbCr 4:2:0, laid out in macroblock order
 * exactly as pcm_sample_luma[256] + pcm_sample_chroma[2 * 64] are written (raster order inside each block),
 * for the whole coded picture. Pixels outside the visible width x height repeat the edge pixels. Limited range
 * keeps every sample in 16..240, so no sample is 0 (and PCM data never needs emulation prevention).
 */
export function rgbToPcmMacroblocks(rgb: Uint8Array, channels: number, width: number, height: number, codedWidth: number, codedHeight: number): Uint8Array {
	const widthMbs = codedWidth >> 4;
	const out = new Uint8Array(widthMbs * (codedHeight >> 4) * MB_SAMPLES);
	const stride = width * channels;
	for (let py = 0; py < codedHeight; py += 2) {
		const r0 = Math.min(py, height - 1) * stride;
		const r1 = Math.min(py + 1, height - 1) * stride;
		const rowBase = (py >> 4) * widthMbs * MB_SAMPLES;
		const yIn = (py & 15) * 16;
		const cIn = 256 + (py & 15) * 4; // ((py & 15) >> 1) * 8
		for (let px = 0; px < codedWidth; px += 2) {
			const mbBase = rowBase + (px >> 4) * MB_SAMPLES;
			const xIn = px & 15;
			const d = mbBase + yIn + xIn;
			const c0 = Math.min(px, width - 1) * channels;
			const c1 = Math.min(px + 1, width - 1) * channels;
			let i = r0 + c0;
			let R = rgb[i];
			let G = rgb[i + 1];
			let B = rgb[i + 2];
			let sr = R;
			let sg = G;
			let sb = B;
			out[d] = ((66 * R + 129 * G + 25 * B + 128) >> 8) + 16;
			i = r0 + c1;
			R = rgb[i];
			G = rgb[i + 1];
			B = rgb[i + 2];
			sr += R;
			sg += G;
			sb += B;
			out[d + 1] = ((66 * R + 129 * G + 25 * B + 128) >> 8) + 16;
			i = r1 + c0;
			R = rgb[i];
			G = rgb[i + 1];
			B = rgb[i + 2];
			sr += R;
			sg += G;
			sb += B;
			out[d + 16] = ((66 * R + 129 * G + 25 * B + 128) >> 8) + 16;
			i = r1 + c1;
			R = rgb[i];
			G = rgb[i + 1];
			B = rgb[i + 2];
			sr += R;
			sg += G;
			sb += B;
			out[d + 17] = ((66 * R + 129 * G + 25 * B + 128) >> 8) + 16;
			const c = mbBase + cIn + (xIn >> 1);
			out[c] = ((-38 * sr - 74 * sg + 112 * sb + 512) >> 10) + 128;
			out[c + 64] = ((112 * sr - 94 * sg - 18 * sb + 512) >> 10) + 128;
		}
	}
	return out;
}

/**
 * One IDR picture as a single slice whose macroblocks are all I_PCM; `samples` comes from rgbToPcmMacroblocks.
 * Returns the NAL unit (header byte + escaped RBSP, no start code / length prefix).
 */
export function encodeIdrPicture(ps: H264ParameterSets, samples: Uint8Array, idrPicId: number): Buffer {
	const mbCount = (ps.codedWidth >> 4) * (ps.codedHeight >> 4);
	if (samples.length !== mbCount * MB_SAMPLES) throw new Error('encodeIdrPicture: wrong sample count');
	const h = new BitWriter();
	h.ue(0); // first_mb_in_slice
	h.ue(7); // slice_type: I (all slices of the picture)
	h.ue(0); // pic_parameter_set_id
	h.u(LOG2_MAX_FRAME_NUM, 0); // frame_num (0 for IDR)
	h.ue(idrPicId); // idr_pic_id
	// pic_order_cnt_type 2: no POC syntax. I slice: no ref list syntax.
	h.u(1, 0); // dec_ref_pic_marking: no_output_of_prior_pics_flag
	h.u(1, 0); // dec_ref_pic_marking: long_term_reference_flag
	h.se(0); // slice_qp_delta
	h.ue(1); // disable_deblocking_filter_idc: off
	// slice_data(): the first macroblock's mb_type, then pcm_alignment_zero_bits
	h.ue(25); // mb_type I_PCM
	h.alignZero();
	const head = h.bytes();

	const rbsp = Buffer.allocUnsafe(head.length + mbCount * PCM_MB_BYTES - 2 + 1);
	head.copy(rbsp, 0);
	let o = head.length;
	for (let mb = 0; mb < mbCount; mb++) {
		if (mb > 0) {
			// mb_type ue(25) = 0000 11010, then 7 pcm_alignment_zero_bits (byte aligned after PCM): 0x0D 0x00
			rbsp[o++] = 0x0d;
			rbsp[o++] = 0x00;
		}
		rbsp.set(samples.subarray(mb * MB_SAMPLES, (mb + 1) * MB_SAMPLES), o);
		o += MB_SAMPLES;
	}
	rbsp[o++] = 0x80; // rbsp_slice_trailing_bits: stop bit + alignment
	if (o !== rbsp.length) throw new Error('encodeIdrPicture: size mismatch');
	return nal(3, 5, rbsp);
}
