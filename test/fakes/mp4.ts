/**
 * A real, playable H.264 MP4 made without an encoder, for the fake fal "video" output.
 *
 * Each second starts with an IDR frame whose first macroblock is I_PCM (raw YCbCr samples of
 * that second's colour); every other macroblock is Intra 16x16 DC-predicted with no residual,
 * so the decoder floods the whole frame with that colour. The other 23 frames of the second
 * are P frames made of skipped macroblocks (copies of the previous frame). This is Constrained
 * Baseline, CAVLC, 24 fps, no deblocking: a few kB per second that ffmpeg and browsers decode.
 *
 * The colours come from a seed (the request id), and the seed itself is also written into a
 * top-level `free` box, so the bytes differ per request id and are deterministic for it.
 */
import { createHash } from 'node:crypto';

export interface Mp4Request {
  seed: string;
  durationSec: number;
  width: number;
  height: number;
}

export const FPS = 24;
/** mdhd timescale: 512 ticks per frame at 24 fps, as common muxers write it. */
const TIMESCALE = FPS * 512;
const LOG2_MAX_FRAME_NUM = 8;
const MB_TYPE_I_PCM = 25;
/** I_16x16, prediction mode 2 (DC), chroma CBP 0, luma CBP 0 (Table 7-11). */
const MB_TYPE_I16_DC_NO_RESIDUAL = 3;

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  bit(b: number): void {
    this.current = (this.current << 1) | (b & 1);
    this.used += 1;
    if (this.used === 8) this.flushByte();
  }

  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i -= 1) this.bit((value >>> i) & 1);
  }

  /** Exp-Golomb ue(v). */
  ue(value: number): void {
    const v = value + 1;
    const len = Math.floor(Math.log2(v)) + 1;
    this.bits(0, len - 1);
    this.bits(v, len);
  }

  /** Exp-Golomb se(v). */
  se(value: number): void {
    this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  alignZero(): void {
    while (this.used !== 0) this.bit(0);
  }

  rawBytes(data: Uint8Array): void {
    if (this.used !== 0) throw new Error('raw bytes need byte alignment');
    for (const b of data) this.bytes.push(b);
  }

  /** rbsp_trailing_bits: a stop bit, then zeros to the byte boundary. */
  trailing(): Uint8Array {
    this.bit(1);
    this.alignZero();
    return Uint8Array.from(this.bytes);
  }

  private flushByte(): void {
    this.bytes.push(this.current);
    this.current = 0;
    this.used = 0;
  }
}

/** Inserts emulation-prevention bytes so no 00 00 0x (x ≤ 3) appears inside a NAL unit. */
function escapeRbsp(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}

function nal(refIdc: number, type: number, rbsp: Uint8Array): Uint8Array {
  const body = escapeRbsp(rbsp);
  const out = new Uint8Array(body.length + 1);
  out[0] = (refIdc << 5) | type;
  out.set(body, 1);
  return out;
}

interface Geometry {
  mbsWide: number;
  mbsHigh: number;
}

function sps(g: Geometry): Uint8Array {
  const w = new BitWriter();
  w.bits(66, 8); // profile_idc: Baseline
  w.bits(0xc0, 8); // constraint_set0+1: Constrained Baseline
  w.bits(31, 8); // level 3.1: up to 3600 macroblocks (1280×720) a frame
  w.ue(0); // seq_parameter_set_id
  w.ue(LOG2_MAX_FRAME_NUM - 4);
  w.ue(2); // pic_order_cnt_type 2: output order = decode order
  w.ue(1); // max_num_ref_frames
  w.bit(0); // gaps_in_frame_num_value_allowed_flag
  w.ue(g.mbsWide - 1);
  w.ue(g.mbsHigh - 1);
  w.bit(1); // frame_mbs_only_flag
  w.bit(1); // direct_8x8_inference_flag
  w.bit(0); // frame_cropping_flag
  w.bit(0); // vui_parameters_present_flag
  return nal(3, 7, w.trailing());
}

function pps(): Uint8Array {
  const w = new BitWriter();
  w.ue(0); // pic_parameter_set_id
  w.ue(0); // seq_parameter_set_id
  w.bit(0); // entropy_coding_mode_flag: CAVLC
  w.bit(0); // bottom_field_pic_order_in_frame_present_flag
  w.ue(0); // num_slice_groups_minus1
  w.ue(0); // num_ref_idx_l0_default_active_minus1
  w.ue(0); // num_ref_idx_l1_default_active_minus1
  w.bit(0); // weighted_pred_flag
  w.bits(0, 2); // weighted_bipred_idc
  w.se(0); // pic_init_qp_minus26
  w.se(0); // pic_init_qs_minus26
  w.se(0); // chroma_qp_index_offset
  w.bit(1); // deblocking_filter_control_present_flag
  w.bit(0); // constrained_intra_pred_flag
  w.bit(0); // redundant_pic_cnt_present_flag
  return nal(3, 8, w.trailing());
}

type Rgb = readonly [number, number, number];

/** BT.601 limited range; never 0, which older decoders reject in PCM samples. */
function toYCbCr([r, g, b]: Rgb): [number, number, number] {
  const clamp = (v: number): number => Math.min(240, Math.max(16, Math.round(v)));
  const y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
  const cb = 128 + (-37.797 * r - 74.203 * g + 112 * b) / 255;
  const cr = 128 + (112 * r - 93.786 * g - 18.214 * b) / 255;
  return [clamp(y), clamp(cb), clamp(cr)];
}

function pcmSamples(colour: Rgb): Uint8Array {
  const [y, cb, cr] = toYCbCr(colour);
  const out = new Uint8Array(384); // 256 luma, 64 Cb, 64 Cr (4:2:0, 8 bit)
  out.fill(y, 0, 256);
  out.fill(cb, 256, 320);
  out.fill(cr, 320, 384);
  return out;
}

/**
 * coeff_token for "no coefficients" in the Intra16x16 DC block. nC depends on the neighbours:
 * an I_PCM neighbour counts as 16 coefficients, our residual-free neighbours as 0 (9.2.1).
 */
function writeEmptyDcToken(w: BitWriter, x: number, y: number): void {
  const touchesPcm = (x === 1 && y === 0) || (x === 0 && y === 1);
  if (touchesPcm) w.bits(0b000011, 6); // nC ≥ 8: 6-bit fixed-length code
  else w.bit(1); // 0 ≤ nC < 2
}

function idrSlice(g: Geometry, colour: Rgb, idrPicId: number): Uint8Array {
  const w = new BitWriter();
  w.ue(0); // first_mb_in_slice
  w.ue(7); // slice_type: I (all slices)
  w.ue(0); // pic_parameter_set_id
  w.bits(0, LOG2_MAX_FRAME_NUM); // frame_num
  w.ue(idrPicId); // consecutive IDRs must differ
  w.bit(0); // no_output_of_prior_pics_flag
  w.bit(0); // long_term_reference_flag
  w.se(0); // slice_qp_delta
  w.ue(1); // disable_deblocking_filter_idc: off
  for (let y = 0; y < g.mbsHigh; y += 1) {
    for (let x = 0; x < g.mbsWide; x += 1) {
      if (x === 0 && y === 0) {
        w.ue(MB_TYPE_I_PCM);
        w.alignZero(); // pcm_alignment_zero_bit
        w.rawBytes(pcmSamples(colour));
        continue;
      }
      w.ue(MB_TYPE_I16_DC_NO_RESIDUAL);
      w.ue(0); // intra_chroma_pred_mode: DC
      w.se(0); // mb_qp_delta
      writeEmptyDcToken(w, x, y);
    }
  }
  return nal(3, 5, w.trailing());
}

function skipSlice(g: Geometry, frameNum: number): Uint8Array {
  const w = new BitWriter();
  w.ue(0); // first_mb_in_slice
  w.ue(5); // slice_type: P (all slices)
  w.ue(0); // pic_parameter_set_id
  w.bits(frameNum, LOG2_MAX_FRAME_NUM);
  w.bit(0); // num_ref_idx_active_override_flag
  w.bit(0); // ref_pic_list_modification_flag_l0
  w.bit(0); // adaptive_ref_pic_marking_mode_flag (sliding window)
  w.se(0); // slice_qp_delta
  w.ue(1); // disable_deblocking_filter_idc
  w.ue(g.mbsWide * g.mbsHigh); // mb_skip_run: every macroblock
  return nal(2, 1, w.trailing());
}

/** One MP4 sample: a NAL unit with a 4-byte big-endian length prefix. */
function lengthPrefixed(unit: Uint8Array): Uint8Array {
  const out = new Uint8Array(unit.length + 4);
  new DataView(out.buffer).setUint32(0, unit.length);
  out.set(unit, 4);
  return out;
}

function colourFor(seed: string, second: number): Rgb {
  const h = createHash('sha256').update(`${seed}\u0000${second}`).digest();
  return [h[0] ?? 0, h[1] ?? 0, h[2] ?? 0];
}

// ---- ISO-BMFF boxes ----

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u8(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function u16(v: number): Uint8Array {
  return u8((v >>> 8) & 0xff, v & 0xff);
}

function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v);
  return out;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concat(payload);
  return concat([u32(body.length + 8), ascii(type), body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, u32((version << 24) | flags), ...payload);
}

const IDENTITY_MATRIX = concat([0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32));

function mvhd(durationMs: number): Uint8Array {
  return fullBox('mvhd', 0, 0, u32(0), u32(0), u32(1000), u32(durationMs), u32(0x00010000), u16(0x0100), new Uint8Array(10), IDENTITY_MATRIX, new Uint8Array(24), u32(2));
}

function tkhd(durationMs: number, width: number, height: number): Uint8Array {
  return fullBox('tkhd', 0, 3, u32(0), u32(0), u32(1), u32(0), u32(durationMs), new Uint8Array(8), u16(0), u16(0), u16(0), u16(0), IDENTITY_MATRIX, u32(width << 16), u32(height << 16));
}

function avc1(width: number, height: number, spsNal: Uint8Array, ppsNal: Uint8Array): Uint8Array {
  const avcC = box('avcC', u8(1, spsNal[1] ?? 66, spsNal[2] ?? 0, spsNal[3] ?? 31, 0xff, 0xe1), u16(spsNal.length), spsNal, u8(1), u16(ppsNal.length), ppsNal);
  const compressorName = new Uint8Array(32);
  return box('avc1', new Uint8Array(6), u16(1), new Uint8Array(16), u16(width), u16(height), u32(0x00480000), u32(0x00480000), u32(0), u16(1), compressorName, u16(0x18), u16(0xffff), avcC);
}

interface SampleTable {
  sizes: number[];
  syncSamples: number[];
  chunkOffset: number;
}

function stbl(entry: Uint8Array, t: SampleTable): Uint8Array {
  return box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), entry),
    fullBox('stts', 0, 0, u32(1), u32(t.sizes.length), u32(TIMESCALE / FPS)),
    fullBox('stss', 0, 0, u32(t.syncSamples.length), ...t.syncSamples.map(u32)),
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(t.sizes.length), u32(1)),
    fullBox('stsz', 0, 0, u32(0), u32(t.sizes.length), ...t.sizes.map(u32)),
    fullBox('stco', 0, 0, u32(1), u32(t.chunkOffset)),
  );
}

function moov(req: Mp4Request, entry: Uint8Array, t: SampleTable): Uint8Array {
  const frames = t.sizes.length;
  const durationMs = Math.round((frames * 1000) / FPS);
  const mdhd = fullBox('mdhd', 0, 0, u32(0), u32(0), u32(TIMESCALE), u32(frames * (TIMESCALE / FPS)), u16(0x55c4), u16(0)); // language "und"
  const hdlr = fullBox('hdlr', 0, 0, u32(0), ascii('vide'), new Uint8Array(12), ascii('VideoHandler\u0000'));
  const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
  const minf = box('minf', fullBox('vmhd', 0, 1, new Uint8Array(8)), dinf, stbl(entry, t));
  const trak = box('trak', tkhd(durationMs, req.width, req.height), box('mdia', mdhd, hdlr, minf));
  return box('moov', mvhd(durationMs), trak);
}

function encodeFrames(req: Mp4Request, g: Geometry): { samples: Uint8Array[]; syncSamples: number[] } {
  const samples: Uint8Array[] = [];
  const syncSamples: number[] = [];
  const seconds = Math.max(1, Math.round(req.durationSec));
  for (let s = 0; s < seconds; s += 1) {
    syncSamples.push(samples.length + 1);
    samples.push(lengthPrefixed(idrSlice(g, colourFor(req.seed, s), s % 2)));
    for (let f = 1; f < FPS; f += 1) samples.push(lengthPrefixed(skipSlice(g, f)));
  }
  return { samples, syncSamples };
}

/** Builds the MP4: ftyp, free (the seed), moov (before the data, "fast start"), mdat. */
export function makeMp4(req: Mp4Request): Uint8Array {
  if (req.width % 16 !== 0 || req.height % 16 !== 0) throw new RangeError('width and height must be multiples of 16');
  const g: Geometry = { mbsWide: req.width / 16, mbsHigh: req.height / 16 };
  const entry = avc1(req.width, req.height, sps(g), pps());
  const { samples, syncSamples } = encodeFrames(req, g);
  const ftyp = box('ftyp', ascii('isom'), u32(512), ascii('isomiso2avc1mp41'));
  const free = box('free', new TextEncoder().encode(`clipgraph fake fal video ${req.seed}`));
  const sizes = samples.map((s) => s.length);
  const draft = moov(req, entry, { sizes, syncSamples, chunkOffset: 0 });
  const chunkOffset = ftyp.length + free.length + draft.length + 8; // after the mdat header
  const finalMoov = moov(req, entry, { sizes, syncSamples, chunkOffset });
  return concat([ftyp, free, finalMoov, box('mdat', ...samples)]);
}
