// The a1111-webui-api npm client, unchanged, against a running avila-server
// (AVILA_SERVER_URL): lists, models and their hashes, options and model
// switching, txt2img and img2img against the golden images, progress with
// a preview, interrupt.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import client from "a1111-webui-api";
import { check, goldenImage, maxDifference, sharedDir } from "./golden.mjs";

const { StableDiffusionApi } = client;
const url = new URL(process.env.AVILA_SERVER_URL);
const api = new StableDiffusionApi({
  host: url.hostname,
  port: Number(url.port),
  timeout: 120_000,
});
const tiny = path.join(sharedDir(), "golden/tiny-sd");

async function rgbOf(image) {
  const { data, info } = await image
    .clone()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, info };
}

async function lists() {
  const samplers = await api.getSamplers();
  const names = samplers.map((s) => s.name);
  for (const name of ["Euler a", "Euler", "DPM++ 2M", "DDIM", "UniPC"])
    check(names.includes(name), `samplers lack ${name}: ${names}`);
  for (const s of samplers)
    check(Array.isArray(s.aliases) && typeof s.options === "object",
      `sampler shape ${JSON.stringify(s)}`);
  check(Array.isArray(await api.getUpscalers()), "upscalers is a list");
  const flags = await api.getCmdFlags();
  check(flags.port === 0 || typeof flags.port === "number", "cmd-flags port");
}

// The single file's entry carries its SHA-256, computed here again.
async function models() {
  const list = await api.getSdModels();
  check(list.length === 2, `two models, got ${list.length}`);
  const single = list.find((m) => m.model_name === "tiny-ldm");
  check(single, `tiny-ldm listed: ${JSON.stringify(list)}`);
  const sha256 = createHash("sha256")
    .update(readFileSync(path.join(tiny, "tiny-sd-ldm-fp16.safetensors")))
    .digest("hex");
  check(single.sha256 === sha256, `sha256 ${single.sha256} != ${sha256}`);
  check(single.hash === sha256.slice(0, 10), `hash ${single.hash}`);
  check(single.title === `tiny-ldm.safetensors [${sha256.slice(0, 10)}]`,
    `title ${single.title}`);

  const before = await api.getCurrentModel();
  check(before.startsWith("diffusers-fp16 ["), `loaded first: ${before}`);
  await api.setModel("tiny-ldm");
  check(await api.getCurrentModel() === single.title, "switched by name");
  await api.setModel("diffusers-fp16");
  check(await api.getCurrentModel() === before, "switched back");
}

// The golden txt2img.ddim case, with torch's CPU noise as diffusers drew it.
async function txt2img() {
  await api.setOptions({ randn_source: "CPU" });
  const result = await api.txt2img({
    prompt: "a photograph of an astronaut riding a horse",
    negative_prompt: "blurry, low quality",
    sampler_name: "DDIM",
    seed: 1234,
    cfg_scale: 7.5,
    steps: 6,
    width: 128,
    height: 128,
  });
  check(result.images.length === 1, `one image, got ${result.images.length}`);
  const meta = await result.image.metadata();
  check(meta.format === "png" && meta.width === 128 && meta.height === 128,
    `a 128x128 PNG, got ${meta.format} ${meta.width}x${meta.height}`);
  const { data, info } = await rgbOf(result.image);
  const worst = maxDifference(data, info.channels, goldenImage("txt2img.ddim"));
  check(worst < 2 / 255, `txt2img ${worst * 255}/255 from the golden image`);
  const parsed = JSON.parse(result.info);
  check(parsed.seed === 1234 && parsed.steps === 6 &&
    parsed.sampler_name === "DDIM" && parsed.width === 128,
    `info ${result.info}`);
  check(result.parameters.prompt.includes("astronaut"), "parameters echo");

  const batch = await api.txt2img({
    prompt: "a red circle", seed: 7, steps: 2, width: 64, height: 64,
    batch_size: 2, n_iter: 2,
  });
  check(batch.images.length === 4, `4 images, got ${batch.images.length}`);
  check(JSON.stringify(JSON.parse(batch.info).all_seeds) === "[7,8,9,10]",
    `all_seeds ${JSON.parse(batch.info).all_seeds}`);
  const first = await rgbOf(batch.images[0]);
  const second = await rgbOf(batch.images[1]);
  check(!first.data.equals(second.data), "seeds 7 and 8 differ");
}

// The golden img2img.ddim case from the photo (Lanczos here, bicubic there:
// 1.7/255 apart).
async function img2img() {
  const result = await api.img2img({
    init_images: [sharp(path.join(sharedDir(), "data/images/astronaut.png"))],
    prompt: "a photograph of an astronaut riding a horse",
    negative_prompt: "blurry, low quality",
    sampler_name: "DDIM",
    seed: 4321,
    cfg_scale: 7.5,
    steps: 10,
    denoising_strength: 0.6,
    width: 128,
    height: 128,
  });
  check(result.images.length === 1, "one img2img image");
  const { data, info } = await rgbOf(result.image);
  check(info.width === 128 && info.height === 128, "img2img size");
  const worst = maxDifference(data, info.channels, goldenImage("img2img.ddim"));
  check(worst < 2.5 / 255, `img2img ${worst * 255}/255 from the golden image`);
  check(JSON.parse(result.info).denoising_strength === 0.6, "strength in info");
  await api.setOptions({ randn_source: "GPU" });
}

// A long job: progress advances with a 1/8-size preview, interrupt ends it
// within a step with the partial image.
async function progressAndInterrupt() {
  const job = api.txt2img({ prompt: "a blue square", seed: 3, steps: 1000,
    width: 64, height: 64 });
  let progress;
  const deadline = Date.now() + 60_000;
  do {
    progress = await api.getProgress();
  } while (progress.state.sampling_step < 2 && Date.now() < deadline);
  check(progress.state.sampling_steps === 1000, "sampling_steps 1000");
  check(progress.progress > 0.01 && progress.progress < 0.5,
    `progress ${progress.progress}`);
  check(progress.eta_relative > 0, `eta ${progress.eta_relative}`);
  const preview = await sharp(Buffer.from(progress.current_image, "base64"))
    .metadata();
  check(preview.width === 8 && preview.height === 8, "an 8x8 preview");

  const interrupted = Date.now();
  await api.api.post("/sdapi/v1/interrupt");
  const result = await job;
  check(Date.now() - interrupted < 10_000, "interrupt ends the job promptly");
  check(result.images.length === 1, "the partial image is returned");
  const after = await api.getProgress();
  check(after.progress === 0 && after.state.job_count === 0, "idle again");
}

for (const step of [lists, models, txt2img, img2img, progressAndInterrupt]) {
  const start = Date.now();
  await step();
  console.log(`${step.name}: ok (${Date.now() - start} ms)`);
}
