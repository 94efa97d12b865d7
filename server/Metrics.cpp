//===- Metrics.cpp - GET /metrics in Prometheus' text format --------------===//

#include "server/Metrics.h"

#include <nlohmann/json.hpp>

namespace avila::server {
namespace {

std::string number(double value) { return nlohmann::json(value).dump(); }

} // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds(std::move(bounds)), counts(this->bounds.size() + 1) {}

void Histogram::observe(double value) {
  size_t bucket = 0;
  while (bucket < bounds.size() && value > bounds[bucket])
    ++bucket;
  ++counts[bucket];
  sum += value;
  ++count;
}

void Histogram::render(std::string &text, const std::string &name) const {
  text += "# TYPE " + name + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string bound = i < bounds.size() ? number(bounds[i]) : "+Inf";
    text += name + "_bucket{le=\"" + bound + "\"} " +
            std::to_string(cumulative) + "\n";
  }
  text += name + "_sum " + number(sum) + "\n";
  text += name + "_count " + std::to_string(count) + "\n";
}

Metrics::Metrics()
    : requestSeconds({0.005, 0.05, 0.5, 1, 5, 15, 60, 300}),
      stepSeconds({0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}) {}

void Metrics::request(const std::string &route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex);
  ++requests[{route, status}];
  requestSeconds.observe(seconds);
}

void Metrics::images(size_t count) {
  std::lock_guard<std::mutex> lock(mutex);
  imageCount += count;
}

void Metrics::cancelled() {
  std::lock_guard<std::mutex> lock(mutex);
  ++cancelledJobs;
}

void Metrics::step(double seconds) {
  std::lock_guard<std::mutex> lock(mutex);
  stepSeconds.observe(seconds);
}

std::string Metrics::render(size_t queueDepth, int64_t deviceBytes,
                            int64_t deviceBytesPeak) const {
  std::lock_guard<std::mutex> lock(mutex);
  std::string text = "# TYPE avila_http_requests_total counter\n";
  for (const auto &[key, count] : requests)
    text +=
        "avila_http_requests_total{route=" + nlohmann::json(key.first).dump() +
        ",status=\"" + std::to_string(key.second) + "\"} " +
        std::to_string(count) + "\n";
  text += "# TYPE avila_images_generated_total counter\n"
          "avila_images_generated_total " +
          std::to_string(imageCount) + "\n";
  text += "# TYPE avila_jobs_cancelled_total counter\n"
          "avila_jobs_cancelled_total " +
          std::to_string(cancelledJobs) + "\n";
  requestSeconds.render(text, "avila_http_request_duration_seconds");
  stepSeconds.render(text, "avila_sampling_step_duration_seconds");
  text += "# TYPE avila_queue_depth gauge\navila_queue_depth " +
          std::to_string(queueDepth) + "\n";
  text += "# TYPE avila_device_memory_bytes gauge\navila_device_memory_bytes " +
          std::to_string(deviceBytes) + "\n";
  text += "# TYPE avila_device_memory_peak_bytes gauge\n"
          "avila_device_memory_peak_bytes " +
          std::to_string(deviceBytesPeak) + "\n";
  return text;
}

} // namespace avila::server
