// The visual time code drawn into every frame by sender.mjs (and whip_sender.mjs) and read back in the browser.
//
// A grid of COLS x ROWS square cells (white = 1, black = 0) in the frame's top-left corner:
//   cells 0-1     guard 1,0       cells 62-63  guard 0,1
//   cells 2-42    41-bit sender wall clock in ms (Date.now(); good until the year 2039)
//   cells 43-45   frame counter mod 8
//   cells 46-61   CRC-16/CCITT-FALSE over the 44 payload bits
// Cells are 1/20 of the frame width (32 px at 640x360), aligned to 16 px so that 4:2:0 chroma
// stays flat and x264 macroblocks never straddle two cells. The reader averages the middle half of
// each cell and thresholds at mid-grey; the guards and CRC reject frames that did not survive.
//
// decodeCode() is injected into the page as source text, so it must not reference anything
// outside its own body.

export const kCols = 16;
export const kRows = 4;
export const kMsBits = 41;
export const kCounterBits = 3;
export const kCrcBits = 16;

/** Geometry of the code for a frame size; plain data, passed to the page as JSON. */
export function layoutFor(width, height) {
  const cell = Math.max(16, Math.floor(width / 20 / 16) * 16);
  const layout = { width, height, cell, x0: cell, y0: cell, cols: kCols, rows: kRows };
  if (layout.x0 + kCols * cell > width || layout.y0 + kRows * cell > height) {
    throw new Error(`frame ${width}x${height} is too small for the time code`);
  }
  return layout;
}

function crc16Bits(bits) {
  let crc = 0xffff;
  for (const bit of bits) {
    const top = ((crc >> 15) & 1) ^ bit;
    crc = (crc << 1) & 0xffff;
    if (top) crc ^= 0x1021;
  }
  return crc;
}

/** The 64 cell values (0/1) for a timestamp and frame counter. */
export function codeBits(ms, counter) {
  const payload = [];
  for (let i = kMsBits - 1; i >= 0; i--) payload.push(Math.floor(ms / 2 ** i) % 2);
  for (let i = kCounterBits - 1; i >= 0; i--) payload.push((counter >> i) & 1);
  const crc = crc16Bits(payload);
  const crcBits = [];
  for (let i = kCrcBits - 1; i >= 0; i--) crcBits.push((crc >> i) & 1);
  return [1, 0, ...payload, ...crcBits, 0, 1];
}

/** Paints the code into a luma plane (yuv420p Y, limited range: 16 black, 235 white). */
export function drawCode(yPlane, layout, ms, counter) {
  const bits = codeBits(ms, counter);
  const { width, cell, x0, y0, cols } = layout;
  for (let i = 0; i < bits.length; i++) {
    const value = bits[i] ? 235 : 16;
    const cx = x0 + (i % cols) * cell;
    const cy = y0 + Math.floor(i / cols) * cell;
    for (let y = cy; y < cy + cell; y++) yPlane.fill(value, y * width + cx, y * width + cx + cell);
  }
}

/**
 * Source text of a function body that returns codeBits, for pages that draw the code themselves
 * (whip_sender.mjs): `new Function(codeBitsSource())()` is codeBits.
 */
export function codeBitsSource() {
  return `const kMsBits = ${kMsBits}, kCounterBits = ${kCounterBits}, kCrcBits = ${kCrcBits};\n${crc16Bits}\n${codeBits}\nreturn codeBits;`;
}

/**
 * Reads the code back. getLuma(x, y, w, h) returns the mean luma (0-255, any range) of a
 * rectangle in frame coordinates. Returns { ok: true, ms, counter, margin } or
 * { ok: false, reason }. margin is the smallest distance of a cell mean from the threshold.
 */
export function decodeCode(getLuma, layout) {
  const { cell, x0, y0, cols, rows } = layout;
  const n = cols * rows;
  const means = [];
  for (let i = 0; i < n; i++) {
    const cx = x0 + (i % cols) * cell + cell / 4;
    const cy = y0 + Math.floor(i / cols) * cell + cell / 4;
    means.push(getLuma(cx, cy, cell / 2, cell / 2));
  }
  // Threshold halfway between the guards' black and white, so any range/levels mapping works.
  const white = (means[0] + means[n - 1]) / 2;
  const black = (means[1] + means[n - 2]) / 2;
  if (white - black < 64) return { ok: false, reason: 'guards' };
  const threshold = (white + black) / 2;
  const bits = means.map((m) => (m > threshold ? 1 : 0));
  if (bits[0] !== 1 || bits[1] !== 0 || bits[n - 2] !== 0 || bits[n - 1] !== 1) {
    return { ok: false, reason: 'guards' };
  }
  const payload = bits.slice(2, 2 + 41 + 3);
  let crc = 0xffff;
  for (const bit of payload) {
    const top = ((crc >> 15) & 1) ^ bit;
    crc = (crc << 1) & 0xffff;
    if (top) crc ^= 0x1021;
  }
  let readCrc = 0;
  for (const bit of bits.slice(2 + 44, 2 + 44 + 16)) readCrc = readCrc * 2 + bit;
  if (crc !== readCrc) return { ok: false, reason: 'crc' };
  let ms = 0;
  for (const bit of payload.slice(0, 41)) ms = ms * 2 + bit;
  const counter = payload[41] * 4 + payload[42] * 2 + payload[43];
  const margin = Math.min(...means.map((m) => Math.abs(m - threshold)));
  return { ok: true, ms, counter, margin };
}
