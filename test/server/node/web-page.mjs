// avila-server's web page (GET /) in headless Chromium (AVILA_CHROMIUM,
// driven by playwright-core): type a prompt, generate, watch the progress
// bar and the preview, interrupt; then the golden txt2img.ddim case, whose
// image (as served and as the screenshot shows it) must match the golden
// image, with its parameters under it.
import sharp from "sharp";
import { chromium } from "playwright-core";
import { check, goldenImage, maxDifference } from "./golden.mjs";

const url = process.env.AVILA_SERVER_URL;
const browser = await chromium.launch({
  executablePath: process.env.AVILA_CHROMIUM,
  // CI runs as root, where Chromium's sandbox cannot start.
  args: ["--no-sandbox"],
});
const page = await browser.newPage({
  viewport: { width: 1000, height: 800 },
  deviceScaleFactor: 1,
});
const failures = [];
page.on("pageerror", (error) => failures.push(error.message));

async function fill(fields) {
  for (const [id, value] of Object.entries(fields))
    await page.fill(`#${id}`, String(value));
}

try {
  await page.goto(url);
  // The sampler list comes from /sdapi/v1/samplers.
  await page.waitForFunction(() => [...document.getElementById("sampler_name")
    .options].some((option) => option.value === "DDIM"));

  // A long job: the bar and the preview move, Interrupt ends it.
  await fill({ prompt: "a red circle", width: 64, height: 64, steps: 1000,
    seed: 3 });
  await page.selectOption("#sampler_name", "Euler a");
  await page.click("#generate");
  await page.waitForFunction(() =>
    document.getElementById("bar").value > 0.01 &&
    /^Step [1-9][0-9]*\/1000$/.test(
      document.getElementById("status").textContent) &&
    document.getElementById("image").src.startsWith("data:image/png"),
  null, { timeout: 60_000 });
  const preview = await page.$eval("#image", (img) => img.naturalWidth);
  check(preview === 8, `an 8x8 preview of a 64x64 job, got ${preview}`);
  check(await page.isEnabled("#interrupt"), "Interrupt enabled while running");
  await page.click("#interrupt");
  await page.waitForFunction(() =>
    document.getElementById("status").textContent === "done", null,
  { timeout: 30_000 });
  check(await page.isEnabled("#generate"), "Generate enabled again");
  const partial = await page.textContent("#parameters");
  check(partial.includes("Steps: 1000") && partial.includes("Seed: 3"),
    `parameters of the interrupted job: ${partial}`);

  // The golden case, with the noise diffusers drew it with.
  const options = await page.request.post(`${url}/sdapi/v1/options`,
    { data: { randn_source: "CPU" } });
  check(options.ok(), "options accepted");
  await fill({ prompt: "a photograph of an astronaut riding a horse",
    negative_prompt: "blurry, low quality", width: 128, height: 128,
    steps: 6, cfg_scale: 7.5, seed: 1234 });
  await page.selectOption("#sampler_name", "DDIM");
  await page.click("#generate");
  await page.waitForFunction(() =>
    document.getElementById("status").textContent === "done" &&
    document.getElementById("parameters").textContent.includes("Seed: 1234"),
  null, { timeout: 60_000 });
  const parameters = await page.textContent("#parameters");
  for (const part of ["a photograph of an astronaut riding a horse",
    "Negative prompt: blurry, low quality", "Steps: 6", "Sampler: DDIM",
    "CFG scale: 7.5", "Seed: 1234", "Size: 128x128"])
    check(parameters.includes(part), `parameters lack "${part}": ${parameters}`);
  await page.request.post(`${url}/sdapi/v1/options`,
    { data: { randn_source: "GPU" } });

  const golden = goldenImage("txt2img.ddim");
  const src = await page.$eval("#image", (img) => img.src);
  const served = await sharp(Buffer.from(src.split(",")[1], "base64"))
    .raw().toBuffer({ resolveWithObject: true });
  const servedDifference = maxDifference(served.data, served.info.channels,
    golden);
  check(servedDifference < 2 / 255,
    `the page's image is ${servedDifference * 255}/255 from the golden one`);

  // What a user sees: the page as a PNG of the viewport's size, the image
  // drawn 1:1 where the <img> is, its pixels the golden ones.
  const screenshot = await page.screenshot();
  const meta = await sharp(screenshot).metadata();
  check(meta.format === "png" && meta.width === 1000 && meta.height === 800,
    `a 1000x800 PNG screenshot, got ${meta.format} ${meta.width}x${meta.height}`);
  const box = await page.$eval("#image", (img) => {
    const r = img.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  });
  check(box.width === 128 && box.height === 128, `img box ${JSON.stringify(box)}`);
  const shown = await sharp(screenshot)
    .extract({ left: Math.round(box.left), top: Math.round(box.top),
      width: 128, height: 128 })
    .raw().toBuffer({ resolveWithObject: true });
  const shownDifference = maxDifference(shown.data, shown.info.channels,
    golden);
  check(shownDifference < 2 / 255,
    `the screenshot's image is ${shownDifference * 255}/255 from the golden one`);
  check(failures.length === 0, `page errors: ${failures}`);
  console.log(`web page: ok (image ${servedDifference * 255}/255, ` +
    `screenshot ${shownDifference * 255}/255 from the golden image)`);
} finally {
  await browser.close();
}
