//===- ThreadPool.cpp - The CPU device's worker threads -------------------===//

#include "runtime/hal/cpu/ThreadPool.h"

#include "runtime/base/Error.h"

namespace avila::cpu {

ThreadPool::ThreadPool(unsigned threads) {
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  // More threads than cores only adds switching; far more exhausts the
  // process's threads and memory (a typo such as 100000 used to hang).
  const unsigned limit = kMaxOversubscription * hardware;
  if (threads > limit)
    fail(std::to_string(threads) + " threads asked for; at most " +
         std::to_string(limit) + " (" + std::to_string(kMaxOversubscription) +
         " per hardware thread, " + std::to_string(hardware) + " here)");
  if (threads == 0)
    threads = hardware;
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

// Claims items until none are left.
void ThreadPool::drain() {
  for (int64_t i = next.fetch_add(1); i < itemCount.load();
       i = next.fetch_add(1))
    (*current.load())(i);
}

void ThreadPool::work() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    wake.wait(lock, [&] { return stopping || generation != seen; });
    if (stopping)
      return;
    seen = generation;
    ++busy;
    lock.unlock();
    drain();
    lock.lock();
    if (--busy == 0)
      done.notify_all();
  }
}

void ThreadPool::parallelFor(int64_t count,
                             const std::function<void(int64_t)> &item) {
  if (count <= 0)
    return;
  if (count == 1 || workers.empty()) {
    for (int64_t i = 0; i < count; ++i)
      item(i);
    return;
  }
  {
    // A worker that woke too late for the previous call may still be
    // draining; the items must not change under it.
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [&] { return busy == 0; });
    current.store(&item);
    itemCount.store(count);
    next.store(0);
    ++generation;
  }
  wake.notify_all();
  drain();
  // Wait for the workers still running items.
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [&] { return busy == 0; });
}

} // namespace avila::cpu
