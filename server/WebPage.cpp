//===- WebPage.cpp - GET /: a page to generate from a browser -------------===//

#include "server/WebPage.h"

namespace avila::server {

const char *webPage() {
  return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>avila-server</title>
<style>
body { font: 15px system-ui, sans-serif; margin: 0; background: #f4f4f2; color: #222; }
main { display: flex; flex-wrap: wrap; gap: 24px; padding: 20px; }
form { flex: 1 1 340px; max-width: 460px; display: grid; gap: 10px; }
label { display: grid; gap: 4px; font-weight: 600; }
textarea, input, select, button { font: inherit; padding: 6px; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
button { background: #2c5d8f; color: white; border: 0; padding: 10px; cursor: pointer; }
button:disabled { background: #999; }
#result { flex: 1 1 400px; }
#result img { max-width: 100%; image-rendering: pixelated; background: #ddd; }
progress { width: 100%; }
pre { white-space: pre-wrap; background: white; padding: 8px; }
</style>
</head>
<body>
<main>
<form id="form">
  <h1>avila-server</h1>
  <label>Prompt <textarea id="prompt" rows="3">a photograph of an astronaut riding a horse</textarea></label>
  <label>Negative prompt <textarea id="negative_prompt" rows="2"></textarea></label>
  <div class="row">
    <label>Width <input id="width" type="number" value="512" min="64" step="8"></label>
    <label>Height <input id="height" type="number" value="512" min="64" step="8"></label>
  </div>
  <div class="row">
    <label>Steps <input id="steps" type="number" value="20" min="1"></label>
    <label>CFG scale <input id="cfg_scale" type="number" value="7" step="0.5" min="0"></label>
  </div>
  <div class="row">
    <label>Sampler <select id="sampler_name"></select></label>
    <label>Seed <input id="seed" type="number" value="-1"></label>
  </div>
  <label>Image to start from (img2img, optional) <input id="init" type="file" accept="image/png,image/jpeg"></label>
  <label>Denoising strength <input id="denoising_strength" type="number" value="0.75" step="0.05" min="0" max="1"></label>
  <div class="row">
    <button id="generate" type="submit">Generate</button>
    <button id="interrupt" type="button" disabled>Interrupt</button>
  </div>
</form>
<section id="result">
  <progress id="bar" max="1" value="0"></progress>
  <div id="status"></div>
  <img id="image" alt="">
  <pre id="parameters"></pre>
</section>
</main>
<script>
const $ = (id) => document.getElementById(id);
fetch("/sdapi/v1/samplers").then((r) => r.json()).then((samplers) => {
  for (const sampler of samplers) $("sampler_name").add(new Option(sampler.name));
});
function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
}
let polling = null;
function poll() {
  fetch("/sdapi/v1/progress").then((r) => r.json()).then((p) => {
    if (!polling) return;
    $("bar").value = p.progress;
    $("status").textContent = p.textinfo || "waiting";
    if (p.current_image) $("image").src = "data:image/png;base64," + p.current_image;
  });
}
$("interrupt").onclick = () => fetch("/sdapi/v1/interrupt", { method: "POST" });
$("form").onsubmit = async (event) => {
  event.preventDefault();
  const body = {};
  for (const key of ["prompt", "negative_prompt", "sampler_name"]) body[key] = $(key).value;
  for (const key of ["width", "height", "steps", "cfg_scale", "seed"]) body[key] = Number($(key).value);
  let endpoint = "txt2img";
  if ($("init").files.length) {
    endpoint = "img2img";
    body.init_images = [await readFile($("init").files[0])];
    body.denoising_strength = Number($("denoising_strength").value);
  }
  $("generate").disabled = true;
  $("interrupt").disabled = false;
  $("parameters").textContent = "";
  $("status").textContent = "queued";
  polling = setInterval(poll, 500);
  try {
    const response = await fetch("/sdapi/v1/" + endpoint, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.detail || response.statusText);
    const info = JSON.parse(answer.info);
    $("image").src = "data:image/png;base64," + answer.images[0];
    $("parameters").textContent = info.infotexts[0];
    $("status").textContent = "done";
    $("bar").value = 1;
  } catch (error) {
    $("status").textContent = "error: " + error.message;
  } finally {
    clearInterval(polling);
    polling = null;
    $("generate").disabled = false;
    $("interrupt").disabled = true;
  }
};
</script>
</body>
</html>
)html";
}

} // namespace avila::server
