//===- Pipeline.h - txt2img and img2img with the compiled networks -*- C++
//-*-===//
//
// The host side of Stable Diffusion: prompts to text embeddings, seeded
// noise, the denoising loop with classifier-free guidance around the
// compiled U-Net, and the VAE at either end. Networks run through an
// Executable whose artifact has the entry points text_encoder, unet,
// vae_decoder and vae_encoder.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_PIPELINE_PIPELINE_H
#define AVILA_RUNTIME_PIPELINE_PIPELINE_H

#include "runtime/executor/Executable.h"
#include "runtime/image/Image.h"
#include "runtime/pipeline/GenerationParameters.h"
#include "runtime/text/ClipTokenizer.h"
#include "runtime/text/WeightedPrompt.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>

namespace avila {

/// Thrown when a progress callback asks to stop; the generation is dropped.
class Cancelled : public std::runtime_error {
public:
  Cancelled() : std::runtime_error("generation cancelled") {}
};

struct Progress {
  int batch; // 0-based batch of batchCount
  int batches;
  int step;       // U-Net evaluations done in this batch
  int steps;      // U-Net evaluations in a batch
  double seconds; // since the batch started
  /// The batch's latents ([B, 4, h, w]) after `step`, for previews; valid
  /// during the call only.
  const HostTensor *latents = nullptr;
};
/// Called after every U-Net evaluation; returning false cancels.
using ProgressCallback = std::function<bool(const Progress &)>;

/// Ends sampling early from any thread, keeping what there is: the batch
/// being sampled stops after its current U-Net evaluation and its latents
/// are decoded and delivered, as A1111's Interrupt and Skip do.
struct EarlyStop {
  /// No batch after the current one runs.
  std::atomic<bool> interrupt{false};
  /// Later batches run; cleared when it takes effect.
  std::atomic<bool> skip{false};
};

struct GeneratedImage {
  Image image;
  int64_t seed;
  std::string infotext;
};
/// Receives each image as soon as it is decoded, in seed order.
using ImageCallback = std::function<void(GeneratedImage)>;

class Pipeline {
public:
  /// Prompts beyond this are refused rather than encoded chunk by chunk.
  static constexpr size_t kMaxPromptBytes = 16384;

  Pipeline(Executable &executable, const ClipTokenizer &tokenizer,
           NoiseSchedule schedule = NoiseSchedule());

  /// Prompt words equal to an embedding's name stand for its vectors from
  /// now on (`library` outlives the pipeline; nullptr: none).
  void useEmbeddings(const EmbeddingLibrary *library) { embeddings = library; }
  /// Bound weights were filled again (a LoRA set, a VAE): encodings kept
  /// from before are dropped.
  void weightsChanged() { emptyPromptChunks.clear(); }

  /// Checks a request (and its img2img init image, if any) against the
  /// artifact's limits; throws avila::Error naming the first problem.
  void validate(const GenerationParameters &parameters,
                const std::optional<Image> &initImage) const;

  /// txt2img, or img2img from `initImage` (made the requested size as the
  /// parameters' resize mode and filter say).
  /// batchCount × batchSize images; image i has seed `seed + i`. Each batch's
  /// images go to `deliver` before the next batch starts, so a long run
  /// holds one batch at a time. `stop`, when given, ends sampling early.
  void generate(const GenerationParameters &parameters,
                const std::optional<Image> &initImage,
                const ImageCallback &deliver,
                const ProgressCallback &progress = {},
                EarlyStop *stop = nullptr);
  /// generate, collecting the images (tests, small requests).
  std::vector<GeneratedImage>
  generateAll(const GenerationParameters &parameters,
              const std::optional<Image> &initImage = std::nullopt,
              const ProgressCallback &progress = {});

  // The stages, for tests and golden checks.

  /// [1, 77·chunks, C]: the prompt's chunks encoded and, where emphasis
  /// weights differ from 1, weighted with the mean kept (A1111's rule);
  /// with `clipSkip` N > 1 from the hidden state N - 1 layers before the
  /// last (the artifact's text_encoder_layers).
  HostTensor encodePrompt(const std::string &prompt, int clipSkip = 1);
  /// What the text encoder gets for `prompt`: the chunks' ids, and the
  /// token-embedding rows that stand for its textual-inversion vectors (ids
  /// no chunk uses, lent for one encoding).
  struct TextEncoderInput {
    PromptChunks chunks;
    std::vector<std::pair<int32_t, std::span<const float>>> rows;
  };
  TextEncoderInput textEncoderInput(const std::string &prompt) const;
  /// Denoises `latents` ([B, 4, h, w]) from evaluation `first` of `sampler`
  /// with guidance `cfgScale` between `uncond` and `cond` (each [1, L, C],
  /// encoded with `clipSkip`).
  void denoise(Sampler &sampler, size_t first, HostTensor &latents,
               const HostTensor &cond, const HostTensor &uncond,
               double cfgScale, NoiseGenerator &noise,
               const std::function<bool(int step)> &afterStep = {},
               int clipSkip = 1);
  /// The clip skips this artifact runs: 1 to its text encoder's layer
  /// count, or 1 alone for an artifact compiled before text_encoder_layers.
  int maxClipSkip() const;
  /// [B, 3, 8h, 8w] in [0, 1] from latents (divided by the latent scale).
  HostTensor decode(const HostTensor &latents);
  /// Latents of images in [-1, 1] ([B, 3, H, W]): the encoder's mean times
  /// the latent scale.
  HostTensor encode(const HostTensor &images);

private:
  double latentScale() const;
  /// Throws for a clip skip outside 1..maxClipSkip(), naming the cause.
  void checkClipSkip(int clipSkip) const;
  /// The prompt's chunks; throws for prompts over the length limits or
  /// that are not UTF-8.
  PromptChunks tokenized(const std::string &prompt) const;

  Executable &executable;
  const ClipTokenizer &tokenizer;
  NoiseSchedule schedule;
  /// The empty prompt's encoding by clip skip, for padding.
  std::map<int, HostTensor> emptyPromptChunks;
  const EmbeddingLibrary *embeddings = nullptr;
};

/// Noise for a batch: each image draws from its own generator, so an
/// image's noise depends only on its seed, not on the batch it is in.
class BatchNoise final : public NoiseGenerator {
public:
  explicit BatchNoise(std::vector<std::unique_ptr<NoiseGenerator>> perImage)
      : perImage(std::move(perImage)) {}
  std::vector<float> randn(int64_t count) override;

private:
  std::vector<std::unique_ptr<NoiseGenerator>> perImage;
};

} // namespace avila

#endif // AVILA_RUNTIME_PIPELINE_PIPELINE_H
