// The golden tiny-sd cases (../shared/golden/tiny-sd/cases.safetensors) and
// the comparisons the node tests make against them.
import { readFileSync } from "node:fs";
import path from "node:path";

export function sharedDir() {
  const shared = process.env.AVILA_SHARED_DIR;
  if (!shared) throw new Error("AVILA_SHARED_DIR is not set");
  return shared;
}

// One F32 tensor of a safetensors file: { shape, values }.
export function readTensor(file, name) {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
  const entry = header[name];
  if (!entry || entry.dtype !== "F32")
    throw new Error(`${file}: no F32 tensor ${name}`);
  const [begin, end] = entry.data_offsets.map((o) => 8 + headerLength + o);
  const values = new Float32Array((end - begin) / 4);
  for (let i = 0; i < values.length; ++i)
    values[i] = bytes.readFloatLE(begin + 4 * i);
  return { shape: entry.shape, values };
}

// The golden image of `name` ("txt2img.ddim", ...): [1, 3, H, W] in [0, 1].
export function goldenImage(name) {
  return readTensor(
    path.join(sharedDir(), "golden/tiny-sd/cases.safetensors"),
    `${name}.image`,
  );
}

// The largest |rgb/255 - golden| over interleaved 8-bit RGB pixels.
export function maxDifference(rgb, channels, golden) {
  const [, , height, width] = golden.shape;
  const plane = height * width;
  let worst = 0;
  for (let i = 0; i < plane; ++i)
    for (let c = 0; c < 3; ++c)
      worst = Math.max(
        worst,
        Math.abs(rgb[i * channels + c] / 255 - golden.values[c * plane + i]),
      );
  return worst;
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}
