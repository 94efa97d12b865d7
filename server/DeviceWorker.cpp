//===- DeviceWorker.cpp - One device's jobs, one at a time ----------------===//

#include "server/DeviceWorker.h"

#include "runtime/base/Error.h"
#include "runtime/text/PromptLoras.h"
#include "server/ApiError.h"

#include <algorithm>
#include <ctime>

namespace avila::server {

using nlohmann::json;
namespace {

std::string timestampNow() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &local);
  return text;
}

// 499, nginx's status for a request whose client closed the connection:
// only the log and the metrics see it.
ApiError clientClosed() {
  return ApiError(499, "the client closed the connection; job cancelled");
}

} // namespace

DeviceWorker::DeviceWorker(ModelCatalog &catalog, ModelSettings settings,
                           int queueSize, Metrics &metrics)
    : catalog(catalog), settings(std::move(settings)),
      loraLibrary(this->settings.loraDir),
      queueSize(static_cast<size_t>(queueSize)), metrics(metrics) {
  thread = std::thread([this] { loop(); });
}

DeviceWorker::~DeviceWorker() { shutdown(0); }

template <typename R>
std::future<R> DeviceWorker::enqueue(std::function<R()> work, uint64_t job) {
  auto promise = std::make_shared<std::promise<R>>();
  std::future<R> future = promise->get_future();
  Task task;
  task.run = [promise, work = std::move(work)] {
    try {
      if constexpr (std::is_void_v<R>) {
        work();
        promise->set_value();
      } else {
        promise->set_value(work());
      }
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  };
  task.abandon = [promise](std::exception_ptr error) {
    promise->set_exception(error);
  };
  task.job = job;
  std::lock_guard<std::mutex> lock(mutex);
  if (stopping)
    throw ApiError(503, "the server is shutting down");
  if (job && tasks.size() >= queueSize && (busy || !tasks.empty()))
    throw ApiError(429, "the queue is full (" + std::to_string(queueSize) +
                            " jobs wait already); try again later");
  tasks.push_back(std::move(task));
  wake.notify_one();
  return future;
}

void DeviceWorker::loop() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || !tasks.empty(); });
      if (tasks.empty())
        return;
      task = std::move(tasks.front());
      tasks.pop_front();
      busy = true;
      runningJob = task.job;
      cancelRunning = false;
    }
    task.run();
    std::lock_guard<std::mutex> lock(mutex);
    busy = false;
    runningJob = 0;
    noteMemory();
    idle.notify_all();
  }
}

void DeviceWorker::noteMemory() {
  if (!loadedModel) {
    memory = {0, 0};
    return;
  }
  const hal::MemoryUse &use = loadedModel->executable().runsOn().memoryUse();
  memory = {use.current(), use.peak()};
}

void DeviceWorker::load(const CatalogEntry &entry) { ensureModel(entry); }

nlohmann::json DeviceWorker::embeddings() const {
  std::lock_guard<std::mutex> lock(mutex);
  if (embeddingList.is_null())
    return {{"loaded", json::object()}, {"skipped", json::object()}};
  return embeddingList;
}

void DeviceWorker::ensureModel(const CatalogEntry &entry) {
  if (loadedModel && loadedModel->path() == entry.path)
    return;
  // The old model's device memory goes before the new one's is taken.
  loadedModel.reset();
  auto model = std::make_unique<LoadedModel>(settings.artifact, entry.path,
                                             settings.tokenizer,
                                             settings.threads, settings.device);
  model->bindWeights();
  nlohmann::json listed = {{"loaded", json::object()},
                           {"skipped", json::object()}};
  if (!settings.embeddingsDir.empty()) {
    std::vector<std::string> warnings;
    model->loadEmbeddings(settings.embeddingsDir, warnings);
    for (const std::string &warning : warnings)
      std::fprintf(stderr, "avila-server: warning: %s\n", warning.c_str());
    for (const auto &[group, embeddings] :
         {std::pair{"loaded", &model->embeddings().loaded()},
          {"skipped", &model->embeddings().skipped()}})
      for (const auto &[name, embedding] : *embeddings)
        listed[group][name] = {
            {"step", embedding.step ? json(*embedding.step) : json(nullptr)},
            {"sd_checkpoint", nullptr},
            {"sd_checkpoint_name", nullptr},
            {"shape", embedding.width},
            {"vectors", embedding.vectors}};
  }
  loadedModel = std::move(model);
  std::lock_guard<std::mutex> lock(mutex);
  embeddingList = std::move(listed);
  current = entry;
  device = loadedModel->executable().runsOn().name();
  noteMemory();
}

JobResult DeviceWorker::run(GenerationRequest request,
                            const std::function<bool()> &clientGone) {
  auto shared = std::make_shared<GenerationRequest>(std::move(request));
  uint64_t job;
  {
    std::lock_guard<std::mutex> lock(mutex);
    job = ++lastJob;
  }
  std::future<JobResult> result =
      enqueue<JobResult>([this, shared] { return generate(*shared); }, job);
  while (result.wait_for(std::chrono::milliseconds(100)) !=
         std::future_status::ready)
    if (clientGone()) {
      cancel(job);
      break;
    }
  return result.get();
}

void DeviceWorker::cancel(uint64_t job) {
  std::optional<Task> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (runningJob == job) {
      cancelRunning = true;
      return;
    }
    const auto queued =
        std::find_if(tasks.begin(), tasks.end(),
                     [job](const Task &task) { return task.job == job; });
    if (queued == tasks.end())
      return;
    dropped = std::move(*queued);
    tasks.erase(queued);
  }
  metrics.cancelled();
  dropped->abandon(std::make_exception_ptr(clientClosed()));
}

std::future<void> DeviceWorker::switchModel(std::string key) {
  return enqueue<void>(
      [this, key] {
        const auto entry = catalog.find(key);
        if (!entry)
          invalid("sd_model_checkpoint: no model '" + key +
                  "' (GET /sdapi/v1/sd-models lists them)");
        ensureModel(*entry);
      },
      0);
}

std::future<void> DeviceWorker::unload() {
  return enqueue<void>([this] { loadedModel.reset(); }, 0);
}

std::future<void> DeviceWorker::reload() {
  return enqueue<void>(
      [this] {
        const auto entry = model();
        if (!entry)
          throw ApiError(503, "no model has been loaded");
        loadedModel.reset();
        ensureModel(*entry);
      },
      0);
}

JobResult DeviceWorker::generate(GenerationRequest &request) {
  const std::optional<CatalogEntry> previous = model();
  if (!request.checkpoint.empty()) {
    const auto entry = catalog.find(request.checkpoint);
    if (!entry)
      invalid("override_settings.sd_model_checkpoint: no model '" +
              request.checkpoint + "' (GET /sdapi/v1/sd-models lists them)");
    ensureModel(*entry);
  } else if (!loadedModel) {
    if (!previous)
      throw ApiError(503, "no model is loaded");
    ensureModel(*previous);
  }
  try {
    loadedModel->useVae(request.vaeFile);
  } catch (const Error &error) {
    invalid(std::string("sd_vae: ") + error.what());
  }
  Pipeline &pipeline = loadedModel->pipeline();
  JobResult result;
  result.vae = request.vaeFile;
  result.parameters = request.parameters;
  result.parameters.modelName = loadedModel->name();
  result.model = *model();
  result.jobTimestamp = timestampNow();
  try {
    // The prompt's LoRAs replace the last request's; none: the plain
    // weights.
    std::vector<std::string> warnings;
    result.parameters.loraHashes = loadedModel->useLoras(
        loraLibrary.resolve(extractLoras(result.parameters.prompt).loras),
        warnings);
    for (const std::string &warning : warnings)
      std::fprintf(stderr, "avila-server: warning: %s\n", warning.c_str());
    pipeline.validate(result.parameters, request.initImage);
  } catch (const Error &error) {
    invalid(error.what());
  }

  const auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop.interrupt = false;
    stop.skip = false;
    state = ProgressSnapshot();
    state.active = true;
    state.jobCount = result.parameters.batchCount;
    state.jobTimestamp = result.jobTimestamp;
  }
  auto finish = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    state = ProgressSnapshot();
  };
  double lastStep = 0;
  try {
    pipeline.generate(
        result.parameters, request.initImage,
        [&](GeneratedImage image) {
          result.images.push_back(std::move(image));
        },
        [&](const Progress &progress) {
          if (progress.step > 0)
            metrics.step(progress.seconds - lastStep);
          lastStep = progress.seconds;
          std::lock_guard<std::mutex> lock(mutex);
          state.jobNo = progress.batch;
          state.step = progress.step;
          state.steps = progress.steps;
          state.seconds = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - started)
                              .count();
          state.interrupted = stop.interrupt;
          if (progress.latents)
            state.latents = *progress.latents;
          return !cancelRunning;
        },
        &stop);
  } catch (const Cancelled &) {
    finish();
    metrics.cancelled();
    throw clientClosed();
  } catch (...) {
    finish();
    throw;
  }
  finish();
  metrics.images(result.images.size());
  if (request.restoreCheckpoint && previous &&
      previous->path != result.model.path)
    ensureModel(*previous);
  return result;
}

void DeviceWorker::interrupt() {
  std::lock_guard<std::mutex> lock(mutex);
  if (state.active) {
    stop.interrupt = true;
    state.interrupted = true;
  }
}

void DeviceWorker::skip() {
  std::lock_guard<std::mutex> lock(mutex);
  if (state.active) {
    stop.skip = true;
    state.skipped = true;
  }
}

ProgressSnapshot DeviceWorker::progress() const {
  std::lock_guard<std::mutex> lock(mutex);
  return state;
}

std::optional<CatalogEntry> DeviceWorker::model() const {
  std::lock_guard<std::mutex> lock(mutex);
  return current;
}

bool DeviceWorker::ready() const {
  std::lock_guard<std::mutex> lock(mutex);
  return current.has_value() && !stopping;
}

std::string DeviceWorker::deviceName() const {
  std::lock_guard<std::mutex> lock(mutex);
  return device.empty() ? settings.device : device;
}

std::pair<int64_t, int64_t> DeviceWorker::deviceMemory() const {
  std::lock_guard<std::mutex> lock(mutex);
  return memory;
}

size_t DeviceWorker::queueLength() const {
  std::lock_guard<std::mutex> lock(mutex);
  return tasks.size() + (busy ? 1 : 0);
}

void DeviceWorker::shutdown(double graceSeconds) {
  std::deque<Task> abandoned;
  {
    std::unique_lock<std::mutex> lock(mutex);
    if (!thread.joinable())
      return;
    stopping = true;
    abandoned.swap(tasks);
    wake.notify_all();
    if (!idle.wait_for(lock, std::chrono::duration<double>(graceSeconds),
                       [&] { return !busy; }))
      stop.interrupt = true;
  }
  for (Task &task : abandoned)
    task.abandon(
        std::make_exception_ptr(ApiError(503, "the server is shutting down")));
  thread.join();
}

} // namespace avila::server
