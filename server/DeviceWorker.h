//===- DeviceWorker.h - One device's jobs, one at a time ---------*- C++-*-===//
//
// The thread that owns a device and the model loaded on it: generations
// and model switches wait in a bounded queue and run in order; HTTP
// threads read the progress of the running one (with its latents, for
// previews) and interrupt or skip it.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_DEVICEWORKER_H
#define AVILA_SERVER_DEVICEWORKER_H

#include "runtime/lora/LoraLibrary.h"
#include "runtime/pipeline/LoadedModel.h"
#include "server/GenerationRequest.h"
#include "server/Metrics.h"
#include "server/ModelCatalog.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <thread>

namespace avila::server {

/// How every model is opened.
struct ModelSettings {
  std::filesystem::path artifact, tokenizer;
  unsigned threads = 0;
  std::string device = "auto";
  std::filesystem::path loraDir, embeddingsDir;
};

struct JobResult {
  std::vector<GeneratedImage> images; // fewer than asked when interrupted
  GenerationParameters parameters;    // as run, the model's name set
  CatalogEntry model;
  std::filesystem::path vae; // the VAE decoded with; empty: the model's
  std::string jobTimestamp;  // YYYYmmddHHMMSS, as A1111 writes it
};

/// A1111's shared.state, as GET progress reports it.
struct ProgressSnapshot {
  bool active = false;
  int jobNo = 0, jobCount = 0;
  int step = 0, steps = 0;
  std::string jobTimestamp = "0";
  double seconds = 0; // since the job started
  bool interrupted = false, skipped = false;
  std::optional<HostTensor> latents; // after the last step
};

class DeviceWorker {
public:
  /// At most `queueSize` jobs wait behind the running one; steps and
  /// images are counted in `metrics`.
  DeviceWorker(ModelCatalog &catalog, ModelSettings settings, int queueSize,
               Metrics &metrics);
  ~DeviceWorker();

  /// Loads `entry` on the calling thread (at start, before serving).
  void load(const CatalogEntry &entry);

  /// Queues a generation and waits for it; throws ApiError 429 when the
  /// queue is full, 503 once shutting down, or what the job threw.
  /// `clientGone` is asked every 100 ms while the job waits or runs; once
  /// it says yes, a queued job leaves the queue, a running one stops
  /// before its next step without decoding, and this throws ApiError 499.
  JobResult run(GenerationRequest request,
                const std::function<bool()> &clientGone);
  /// Loads the catalog's model named `key` (title, name or hash) after the
  /// jobs queued before; the future throws ApiError 422 for no such model.
  std::future<void> switchModel(std::string key);
  /// Frees the model (the next job loads it again) / loads it afresh.
  std::future<void> unload();
  std::future<void> reload();

  void interrupt();
  void skip();
  ProgressSnapshot progress() const;
  /// The model loaded (or to be loaded again after unload).
  std::optional<CatalogEntry> model() const;
  /// Whether jobs are taken: a model is known and no shutdown began.
  bool ready() const;
  std::string deviceName() const;
  /// The LoRA files of --lora-dir (A1111's GET /sdapi/v1/loras).
  LoraLibrary &loras() { return loraLibrary; }
  /// The loaded model's embeddings, as A1111's GET /sdapi/v1/embeddings.
  nlohmann::json embeddings() const;
  /// Device bytes now and at the peak; zeros with no model loaded.
  std::pair<int64_t, int64_t> deviceMemory() const;
  size_t queueLength() const;

  /// Refuses new jobs, fails the queued ones (503), lets the running one
  /// go on for `graceSeconds`, then interrupts it; returns when the thread
  /// has ended.
  void shutdown(double graceSeconds);

private:
  struct Task {
    std::function<void()> run;
    std::function<void(std::exception_ptr)> abandon;
    uint64_t job = 0; // 0 for model switches
  };
  /// `job` (nonzero) marks a generation, which the queue bound applies to.
  template <typename R>
  std::future<R> enqueue(std::function<R()> work, uint64_t job);
  /// Ends job `job` as run() describes, whether queued or running.
  void cancel(uint64_t job);
  void loop();
  JobResult generate(GenerationRequest &request);
  /// On the worker thread: `entry` loaded, unless it already is.
  void ensureModel(const CatalogEntry &entry);
  /// With `mutex` held: the device memory the model holds, for memory().
  void noteMemory();

  ModelCatalog &catalog;
  const ModelSettings settings;
  LoraLibrary loraLibrary;
  const size_t queueSize;
  Metrics &metrics;

  mutable std::mutex mutex; // guards everything below but `loadedModel`
  std::condition_variable wake, idle;
  std::deque<Task> tasks;
  bool busy = false, stopping = false;
  std::optional<CatalogEntry> current;
  std::string device;
  std::pair<int64_t, int64_t> memory{0, 0};
  nlohmann::json embeddingList;
  ProgressSnapshot state;
  EarlyStop stop;
  uint64_t lastJob = 0, runningJob = 0;
  bool cancelRunning = false;

  /// Touched by the worker thread only (and by load() before it serves).
  std::unique_ptr<LoadedModel> loadedModel;
  std::thread thread;
};

} // namespace avila::server

#endif // AVILA_SERVER_DEVICEWORKER_H
