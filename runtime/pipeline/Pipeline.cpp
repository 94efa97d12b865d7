//===- Pipeline.cpp - txt2img and img2img with the compiled networks ------===//

#include "runtime/pipeline/Pipeline.h"

#include "runtime/base/Error.h"
#include "runtime/pipeline/Infotext.h"
#include "runtime/random/VariationNoise.h"
#include "runtime/text/PromptLoras.h"

#include <chrono>
#include <climits>
#include <cmath>
#include <random>

namespace avila {
namespace {

constexpr int64_t kLatentChannels = 4;
constexpr int kVaeFactor = 8;
constexpr size_t kMaxPromptChunks = 32;
// The text encoder's hidden states for clip skip (models/graphs/Models.h).
constexpr const char *kLayersEntry = "text_encoder_layers";
// Noise for a seed resized from beyond this would be a waste of memory.
constexpr int kMaxSeedResize = 16384;

// Unwinds the sampling loop of a batch that an EarlyStop ended.
struct SamplingStopped {};

HostTensor floats(std::vector<int64_t> shape, std::vector<float> values) {
  HostTensor tensor;
  tensor.shape = std::move(shape);
  tensor.floats = std::move(values);
  return tensor;
}

// A network's output must be finite: NaN or infinity (from NaN weights or
// an overflow) would otherwise run through the remaining steps and come out
// as a black image. One pass over the output, cheap next to the network.
void requireFinite(const HostTensor &output, const std::string &network,
                   const std::string &when = "") {
  for (float value : output.floats)
    if (!std::isfinite(value))
      fail("the " + network + " produced " +
           (std::isnan(value) ? "NaN" : "an infinite value") + when +
           " (the checkpoint may hold NaN or huge weights)");
}

// A1111's emphasis: token rows scaled by their weights, then the whole
// chunk rescaled so its mean is what it was.
void applyWeights(std::span<float> chunk, std::span<const float> weights) {
  const size_t width = chunk.size() / weights.size();
  double before = 0, after = 0;
  for (float value : chunk)
    before += value;
  for (size_t token = 0; token < weights.size(); ++token)
    for (size_t c = 0; c < width; ++c) {
      float &value = chunk[token * width + c];
      value *= weights[token];
      after += value;
    }
  if (after == 0)
    return;
  const float ratio = static_cast<float>(before / after);
  for (float &value : chunk)
    value *= ratio;
}

const char *const kTokenEmbedding =
    "text_model.embeddings.token_embedding.weight";

const artifact::Weight *tokenEmbedding(const Artifact &artifact) {
  if (const auto *manifest = artifact.root().weights())
    for (const artifact::Weight *weight : *manifest)
      if (weight->component()->str() == "text_encoder" &&
          weight->name()->str() == kTokenEmbedding &&
          weight->shape()->size() == 2)
        return weight;
  fail("the artifact's text encoder has no token embedding to give "
       "textual-inversion vectors to");
}

// Token-embedding rows holding textual-inversion vectors for one encoding,
// given back (their bytes as they were) however the encoding ends.
class LentRows {
public:
  LentRows(Executable &executable,
           const std::vector<std::pair<int32_t, std::span<const float>>> &rows)
      : executable(executable) {
    for (const auto &[id, vector] : rows) {
      const int64_t first = int64_t{id} * static_cast<int64_t>(vector.size());
      saved.emplace_back(first,
                         executable.readWeight("text_encoder", kTokenEmbedding,
                                               first, vector.size()));
      executable.writeWeight("text_encoder", kTokenEmbedding, first, vector);
    }
  }
  ~LentRows() {
    for (const auto &[first, values] : saved)
      executable.writeWeight("text_encoder", kTokenEmbedding, first, values);
  }
  LentRows(const LentRows &) = delete;
  LentRows &operator=(const LentRows &) = delete;

private:
  Executable &executable;
  std::vector<std::pair<int64_t, std::vector<float>>> saved;
};

} // namespace

std::vector<float> BatchNoise::randn(int64_t count) {
  const int64_t images = static_cast<int64_t>(perImage.size());
  std::vector<float> values;
  values.reserve(count);
  for (const auto &generator : perImage) {
    const std::vector<float> part = generator->randn(count / images);
    values.insert(values.end(), part.begin(), part.end());
  }
  return values;
}

Pipeline::Pipeline(Executable &executable, const ClipTokenizer &tokenizer,
                   NoiseSchedule schedule)
    : executable(executable), tokenizer(tokenizer),
      schedule(std::move(schedule)) {
  for (const char *entry : {"text_encoder", "unet", "vae_decoder"})
    if (!executable.artifact().entryPoint(entry))
      fail(std::string("the artifact has no '") + entry +
           "' entry point: it was not compiled from a Stable Diffusion model");
}

double Pipeline::latentScale() const {
  return executable.artifact().root().latent_scale();
}

void Pipeline::validate(const GenerationParameters &parameters,
                        const std::optional<Image> &initImage) const {
  const auto &root = executable.artifact().root();
  const int low = static_cast<int>(root.image_size_min());
  const int high = static_cast<int>(root.image_size_max());
  for (const auto &[name, value] :
       {std::pair{"width", parameters.width}, {"height", parameters.height}}) {
    if (value % kVaeFactor != 0)
      fail(std::string(name) + " must be a multiple of 8, not " +
           std::to_string(value));
    if (value < low || value > high)
      fail(std::string(name) + " " + std::to_string(value) +
           " is outside this artifact's range " + std::to_string(low) + ".." +
           std::to_string(high));
  }
  if (parameters.steps < 1 || parameters.steps > schedule.trainSteps())
    fail("steps must be between 1 and " +
         std::to_string(schedule.trainSteps()) + ", not " +
         std::to_string(parameters.steps));
  if (!std::isfinite(parameters.cfgScale) || parameters.cfgScale < 0 ||
      parameters.cfgScale > 100)
    fail("cfg scale must be a number from 0 to 100");
  if (parameters.batchSize < 1 ||
      parameters.batchSize > static_cast<int>(root.batch_max()))
    fail("batch size must be between 1 and " +
         std::to_string(root.batch_max()) + ", not " +
         std::to_string(parameters.batchSize));
  if (parameters.batchCount < 1 || parameters.batchCount > 10000)
    fail("batch count must be between 1 and 10000");
  // Image i gets seed + i (or subseed + i): the last one must still be an
  // int64.
  const int64_t images = int64_t(parameters.batchCount) * parameters.batchSize;
  for (const auto &[name, value] :
       {std::pair{"seed", parameters.seed}, {"subseed", parameters.subseed}}) {
    if (value < -1)
      fail(std::string(name) +
           " must be -1 (random) or a non-negative integer");
    if (value > INT64_MAX - images)
      fail(std::string(name) + " " + std::to_string(value) + " is too large");
  }
  checkClipSkip(parameters.clipSkip);
  if (!(parameters.subseedStrength >= 0 && parameters.subseedStrength <= 1))
    fail("the variation strength (subseed strength) must be between 0 and 1");
  if (resizesSeed(parameters))
    for (const auto &[name, value] :
         {std::pair{"width", parameters.seedResizeFromWidth},
          {"height", parameters.seedResizeFromHeight}})
      if (value < kVaeFactor || value > kMaxSeedResize)
        fail(std::string("the seed resize ") + name + " must be between " +
             std::to_string(kVaeFactor) + " and " +
             std::to_string(kMaxSeedResize) + ", not " + std::to_string(value));
  if (initImage) {
    if (!(parameters.strength >= 0 && parameters.strength <= 1))
      fail("strength must be between 0 and 1");
    fitImage(initImage->width, initImage->height, parameters.width,
             parameters.height, parameters.resizeMode);
  }
  for (const std::string *text :
       {&parameters.prompt, &parameters.negativePrompt})
    tokenized(*text);
  // The samplers check their own limits (lcm: at most 50 steps).
  makeSampler(parameters.sampler, parameters.steps, schedule);
}

PromptChunks Pipeline::tokenized(const std::string &prompt) const {
  if (prompt.size() > kMaxPromptBytes)
    fail("prompts are limited to " + std::to_string(kMaxPromptBytes) +
         " bytes");
  // The LoRA tags are for the weights, not the text encoder.
  PromptChunks chunks =
      tokenizePrompt(tokenizer, extractLoras(prompt).text, embeddings);
  if (chunks.count() > kMaxPromptChunks)
    fail("the prompt has " + std::to_string(chunks.count() * 75) +
         " tokens; at most " + std::to_string(kMaxPromptChunks * 75) +
         " are accepted");
  return chunks;
}

int Pipeline::maxClipSkip() const {
  const auto *layers = executable.artifact().entryPoint(kLayersEntry);
  return layers ? static_cast<int>(layers->outputs()->size()) + 1 : 1;
}

void Pipeline::checkClipSkip(int clipSkip) const {
  if (clipSkip > 1 && !executable.artifact().entryPoint(kLayersEntry))
    fail("clip skip " + std::to_string(clipSkip) +
         " needs the text encoder's hidden layers, which this artifact was "
         "compiled without: compile it again with this avila-compile");
  if (clipSkip < 1 || clipSkip > maxClipSkip())
    fail("clip skip must be between 1 and " + std::to_string(maxClipSkip()) +
         " (the text encoder's layers), not " + std::to_string(clipSkip));
}

Pipeline::TextEncoderInput
Pipeline::textEncoderInput(const std::string &prompt) const {
  TextEncoderInput input{tokenized(prompt), {}};
  if (input.chunks.embeddings.empty())
    return input;
  // The artifact's gather reads ids, not vectors: each vector lends a row of
  // the token embedding whose id the prompt does not use, so the artifact
  // stays the same whatever the embeddings.
  const artifact::Weight *table = tokenEmbedding(executable.artifact());
  const int32_t vocabulary = static_cast<int32_t>(table->shape()->Get(0));
  const int64_t width = table->shape()->Get(1);
  std::vector<bool> used(static_cast<size_t>(vocabulary));
  for (int32_t id : input.chunks.ids)
    if (id >= 0 && id < vocabulary)
      used[id] = true;
  int32_t next = vocabulary;
  for (const EmbeddingUse &use : input.chunks.embeddings) {
    if (use.embedding->width != width)
      fail("embedding '" + use.embedding->name + "' has width " +
           std::to_string(use.embedding->width) + "; the text encoder's is " +
           std::to_string(width));
    for (int64_t vector = 0; vector < use.embedding->vectors; ++vector) {
      do
        --next;
      while (next >= 0 && (used[next] || next == ClipTokenizer::kStartOfText ||
                           next == ClipTokenizer::kEndOfText));
      if (next < 0)
        fail("the prompt uses too many embedding vectors");
      input.chunks.ids[use.offset + vector] = next;
      input.rows.emplace_back(next,
                              std::span(use.embedding->values)
                                  .subspan(static_cast<size_t>(vector * width),
                                           static_cast<size_t>(width)));
    }
  }
  return input;
}

HostTensor Pipeline::encodePrompt(const std::string &prompt, int clipSkip) {
  checkClipSkip(clipSkip);
  const TextEncoderInput input = textEncoderInput(prompt);
  const PromptChunks &chunks = input.chunks;
  HostTensor ids;
  ids.elementType = artifact::ElementType::I32;
  ids.shape = {static_cast<int64_t>(chunks.count()),
               ClipTokenizer::kContextLength};
  ids.ids = chunks.ids;
  const LentRows lent(executable, input.rows);
  // Result i of text_encoder_layers follows layer i + 1 of maxClipSkip().
  HostTensor encoded =
      clipSkip == 1 ? std::move(executable.run("text_encoder", {ids}).at(0))
                    : std::move(executable.run(kLayersEntry, {ids})
                                    .at(maxClipSkip() - clipSkip));
  requireFinite(encoded, "text encoder");
  if (encoded.shape.size() != 3 ||
      encoded.shape[1] != ClipTokenizer::kContextLength)
    fail("the text encoder returned an unexpected shape");
  if (chunks.weighted()) {
    const size_t chunkSize = encoded.floats.size() / chunks.count();
    for (size_t c = 0; c < chunks.count(); ++c)
      applyWeights(std::span(encoded.floats).subspan(c * chunkSize, chunkSize),
                   std::span(chunks.weights)
                       .subspan(c * ClipTokenizer::kContextLength,
                                ClipTokenizer::kContextLength));
  }
  const int64_t width = encoded.shape[2];
  encoded.shape = {
      1, static_cast<int64_t>(chunks.count()) * ClipTokenizer::kContextLength,
      width};
  return encoded;
}

void Pipeline::denoise(Sampler &sampler, size_t first, HostTensor &latents,
                       const HostTensor &cond, const HostTensor &uncond,
                       double cfgScale, NoiseGenerator &noise,
                       const std::function<bool(int step)> &afterStep,
                       int clipSkip) {
  const int64_t batch = latents.shape.at(0);
  // Prompts of different lengths: the shorter one is padded with encodings
  // of the empty prompt, chunk by chunk (as A1111 does).
  auto chunksOf = [](const HostTensor &t) {
    return t.shape.at(1) / ClipTokenizer::kContextLength;
  };
  const int64_t chunks = std::max(chunksOf(cond), chunksOf(uncond));
  if (chunksOf(cond) != chunksOf(uncond) &&
      !emptyPromptChunks.contains(clipSkip))
    emptyPromptChunks[clipSkip] = encodePrompt("", clipSkip);
  const HostTensor *emptyPromptChunk = chunksOf(cond) != chunksOf(uncond)
                                           ? &emptyPromptChunks.at(clipSkip)
                                           : nullptr;
  HostTensor context = floats(
      {2 * batch, chunks * ClipTokenizer::kContextLength, cond.shape.at(2)},
      {});
  for (const HostTensor *half : {&uncond, &cond})
    for (int64_t image = 0; image < batch; ++image) {
      context.floats.insert(context.floats.end(), half->floats.begin(),
                            half->floats.end());
      for (int64_t c = chunksOf(*half); c < chunks; ++c)
        context.floats.insert(context.floats.end(),
                              emptyPromptChunk->floats.begin(),
                              emptyPromptChunk->floats.end());
    }

  const size_t perHalf = latents.floats.size();
  HostTensor sample = floats(latents.shape, std::vector<float>(2 * perHalf));
  sample.shape[0] = 2 * batch;
  HostTensor timesteps = floats({2 * batch}, {});
  std::vector<float> eps(perHalf);
  for (size_t index = first; index < sampler.timesteps().size(); ++index) {
    const float scale = static_cast<float>(sampler.modelInputScale(index));
    for (size_t i = 0; i < perHalf; ++i)
      sample.floats[i] = sample.floats[perHalf + i] = latents.floats[i] * scale;
    timesteps.floats.assign(2 * batch,
                            static_cast<float>(sampler.timesteps()[index]));
    const HostTensor predicted =
        std::move(executable.run("unet", {sample, timesteps, context}).at(0));
    requireFinite(predicted, "U-Net",
                  " at step " + std::to_string(index - first + 1) + " of " +
                      std::to_string(sampler.timesteps().size() - first));
    const float guidance = static_cast<float>(cfgScale);
    for (size_t i = 0; i < perHalf; ++i) {
      const float unconditional = predicted.floats[i];
      eps[i] = unconditional +
               guidance * (predicted.floats[perHalf + i] - unconditional);
    }
    sampler.step(index, eps, latents.floats, noise);
    if (afterStep && !afterStep(static_cast<int>(index - first + 1)))
      throw Cancelled();
  }
}

HostTensor Pipeline::decode(const HostTensor &latents) {
  HostTensor scaled = latents;
  const float inverse = static_cast<float>(1.0 / latentScale());
  for (float &value : scaled.floats)
    value *= inverse;
  HostTensor images = std::move(executable.run("vae_decoder", {scaled}).at(0));
  requireFinite(images, "VAE decoder");
  for (float &value : images.floats)
    value = std::clamp(value / 2 + 0.5f, 0.0f, 1.0f);
  return images;
}

HostTensor Pipeline::encode(const HostTensor &images) {
  if (!executable.artifact().entryPoint("vae_encoder"))
    fail("the artifact has no 'vae_encoder' entry point: img2img needs one");
  HostTensor mean = std::move(executable.run("vae_encoder", {images}).at(0));
  requireFinite(mean, "VAE encoder");
  const float scale = static_cast<float>(latentScale());
  for (float &value : mean.floats)
    value *= scale;
  return mean;
}

std::vector<GeneratedImage>
Pipeline::generateAll(const GenerationParameters &parameters,
                      const std::optional<Image> &initImage,
                      const ProgressCallback &progress) {
  std::vector<GeneratedImage> images;
  generate(
      parameters, initImage,
      [&](GeneratedImage image) { images.push_back(std::move(image)); },
      progress);
  return images;
}

void Pipeline::generate(const GenerationParameters &request,
                        const std::optional<Image> &initImage,
                        const ImageCallback &deliver,
                        const ProgressCallback &progress, EarlyStop *stop) {
  const bool img2img = initImage.has_value();
  validate(request, initImage);
  GenerationParameters parameters = request;
  if (parameters.seed < 0)
    parameters.seed = std::random_device()() & 0xffffffffu;
  if (parameters.subseed < 0)
    parameters.subseed = std::random_device()() & 0xffffffffu;
  const NoiseShape shape{kLatentChannels, parameters.height / kVaeFactor,
                         parameters.width / kVaeFactor};
  Variation variation{0, parameters.subseedStrength, 0, 0};
  if (resizesSeed(parameters)) {
    variation.fromHeight = parameters.seedResizeFromHeight / kVaeFactor;
    variation.fromWidth = parameters.seedResizeFromWidth / kVaeFactor;
  }

  const HostTensor cond = encodePrompt(parameters.prompt, parameters.clipSkip);
  const HostTensor uncond =
      encodePrompt(parameters.negativePrompt, parameters.clipSkip);
  const int64_t batch = parameters.batchSize;
  const int64_t h = parameters.height / kVaeFactor;
  const int64_t w = parameters.width / kVaeFactor;
  std::optional<HostTensor> initLatents;
  if (img2img) {
    const std::vector<float> one = imageToTensor(
        resizeImage(*initImage, parameters.width, parameters.height,
                    parameters.resizeMode, parameters.resizeFilter));
    HostTensor images =
        floats({batch, 3, parameters.height, parameters.width}, {});
    for (int64_t i = 0; i < batch; ++i)
      images.floats.insert(images.floats.end(), one.begin(), one.end());
    initLatents = encode(images);
  }

  for (int batchIndex = 0; batchIndex < parameters.batchCount; ++batchIndex) {
    if (stop && stop->interrupt)
      break;
    const int64_t firstImage = int64_t(batchIndex) * batch;
    std::vector<std::unique_ptr<NoiseGenerator>> generators;
    HostTensor latents = floats({batch, kLatentChannels, h, w}, {});
    for (int64_t i = 0; i < batch; ++i) {
      const auto seed =
          static_cast<uint64_t>(imageSeed(parameters, firstImage + i));
      generators.push_back(makeNoiseGenerator(parameters.rng, seed));
      variation.subseed = imageSubseed(parameters, firstImage + i);
      const std::vector<float> first = firstNoise(
          parameters.rng, seed, *generators.back(), variation, shape);
      latents.floats.insert(latents.floats.end(), first.begin(), first.end());
    }
    BatchNoise noise(std::move(generators));
    auto sampler = makeSampler(parameters.sampler, parameters.steps, schedule);
    size_t first = 0;
    if (img2img) {
      first = sampler->firstEvaluationFor(parameters.strength);
      std::vector<float> noised = initLatents->floats;
      if (first < sampler->timesteps().size())
        sampler->addNoise(noised, latents.floats, first);
      latents.floats = std::move(noised);
    } else {
      const float scale = static_cast<float>(sampler->initialNoiseScale());
      for (float &value : latents.floats)
        value *= scale;
    }
    const auto start = std::chrono::steady_clock::now();
    const int total = static_cast<int>(sampler->timesteps().size() - first);
    auto report = [&](int step) {
      if (progress) {
        const double seconds = std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - start)
                                   .count();
        if (!progress({batchIndex, parameters.batchCount, step, total, seconds,
                       &latents}))
          return false;
      }
      if (stop && (stop->interrupt || stop->skip.exchange(false)))
        throw SamplingStopped();
      return true;
    };
    try {
      if (!report(0))
        throw Cancelled();
      denoise(*sampler, first, latents, cond, uncond, parameters.cfgScale,
              noise, report, parameters.clipSkip);
    } catch (const SamplingStopped &) {
    }
    const HostTensor images = decode(latents);
    const size_t perImage = images.floats.size() / batch;
    for (int64_t i = 0; i < batch; ++i) {
      GeneratedImage generated;
      generated.image = tensorToImage(
          std::span(images.floats).subspan(i * perImage, perImage),
          parameters.width, parameters.height);
      generated.seed = imageSeed(parameters, firstImage + i);
      generated.infotext =
          formatInfotext(parameters, generated.seed, img2img,
                         imageSubseed(parameters, firstImage + i));
      deliver(std::move(generated));
    }
  }
}

} // namespace avila
