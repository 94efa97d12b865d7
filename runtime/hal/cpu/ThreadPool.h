//===- ThreadPool.h - The CPU device's worker threads -----------*- C++ -*-===//
//
// Kernels split their work into independent items; `parallelFor` hands the
// items to the workers and to the calling thread, and returns when all are
// done. Workers sleep between calls. One call at a time per pool: the
// executor runs one dispatch after another.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_THREADPOOL_H
#define AVILA_RUNTIME_HAL_CPU_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace avila::cpu {

class ThreadPool {
public:
  /// Threads per hardware thread, at most.
  static constexpr unsigned kMaxOversubscription = 4;

  /// `threads` counts the calling thread; 0 means one per hardware thread.
  /// Throws avila::Error for more than kMaxOversubscription per hardware
  /// thread, naming the limit.
  explicit ThreadPool(unsigned threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return static_cast<unsigned>(workers.size()) + 1; }

  /// Runs `item(i)` for every i in [0, count), spread over the threads.
  void parallelFor(int64_t count, const std::function<void(int64_t)> &item);

private:
  void work();
  void drain();

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  uint64_t generation = 0;
  bool stopping = false;
  unsigned busy = 0;
  // Written under the lock while no worker is busy; read by busy workers.
  std::atomic<const std::function<void(int64_t)> *> current{nullptr};
  std::atomic<int64_t> itemCount{0};
  std::atomic<int64_t> next{0};
};

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_THREADPOOL_H
