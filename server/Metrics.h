//===- Metrics.h - GET /metrics in Prometheus' text format -------*- C++-*-===//

#ifndef AVILA_SERVER_METRICS_H
#define AVILA_SERVER_METRICS_H

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace avila::server {

/// Counts per upper bound, Prometheus style (cumulative when rendered).
class Histogram {
public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  void render(std::string &text, const std::string &name) const;

private:
  std::vector<double> bounds;
  std::vector<uint64_t> counts; // one more than bounds: +Inf
  double sum = 0;
  uint64_t count = 0;
};

class Metrics {
public:
  Metrics();
  /// `route` is the path for known routes, "other" otherwise.
  void request(const std::string &route, int status, double seconds);
  void images(size_t count);
  /// A job whose client closed the connection was dropped or stopped.
  void cancelled();
  /// One U-Net evaluation (with the sampler's step) took `seconds`.
  void step(double seconds);
  std::string render(size_t queueDepth, int64_t deviceBytes,
                     int64_t deviceBytesPeak) const;

private:
  mutable std::mutex mutex;
  std::map<std::pair<std::string, int>, uint64_t> requests;
  uint64_t imageCount = 0, cancelledJobs = 0;
  Histogram requestSeconds, stepSeconds;
};

} // namespace avila::server

#endif // AVILA_SERVER_METRICS_H
