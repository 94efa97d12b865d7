//===- Executable.h - Running an artifact's entry points on the CPU -*- C++
//-*-===//
//
// Loads an x86 artifact's kernels, binds weights from a checkpoint through
// the manifest, and runs an entry point: evaluates the size expressions for
// the given inputs, lays out the arena, and calls each dispatch's kernel with
// its buffers and push constants.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_EXECUTOR_EXECUTABLE_H
#define AVILA_RUNTIME_EXECUTOR_EXECUTABLE_H

#include "runtime/artifact/Artifact.h"
#include "runtime/hal/cpu/SharedObject.h"
#include "runtime/hal/cpu/ThreadPool.h"
#include "runtime/weights/Checkpoint.h"

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace avila {

/// A dense host tensor: f32 values or i32 ids.
struct HostTensor {
  artifact::ElementType elementType = artifact::ElementType::F32;
  std::vector<int64_t> shape;
  std::vector<float> floats; // F32
  std::vector<int32_t> ids;  // I32

  int64_t numElements() const;
};

class Executable {
public:
  /// Throws avila::Error for artifacts of other targets or unloadable code.
  /// Kernels run on `threads` threads (0: one per hardware thread; more
  /// than cpu::ThreadPool::kMaxOversubscription per hardware thread are
  /// refused).
  explicit Executable(Artifact artifact, unsigned threads = 0);
  ~Executable();

  const Artifact &artifact() const { return loaded; }

  /// Reads every manifest weight from `checkpoint` (f32 weights only, for
  /// now), in the layout the checkpoint has.
  void bindWeights(const Checkpoint &checkpoint);
  /// Fills every manifest weight through `fill` (benchmarks, tests).
  void bindWeights(const std::function<void(const artifact::Weight &,
                                            std::span<float>)> &fill);

  /// Seconds spent in each dispatch of one run, in schedule order.
  struct DispatchTime {
    const artifact::Kernel *kernel;
    double seconds;
  };

  /// Runs entry point `name`. Throws avila::Error for a missing entry point,
  /// inputs of the wrong count, type or rank, or sizes that do not fit.
  /// With `profile`, times every dispatch into it. One run at a time: runs
  /// share the activation arena and the thread pool.
  std::vector<HostTensor> run(const std::string &name,
                              const std::vector<HostTensor> &inputs,
                              std::vector<DispatchTime> *profile = nullptr);

private:
  Artifact loaded;
  cpu::ThreadPool pool;
  std::unique_ptr<cpu::SharedObject> code;
  std::vector<cpu::KernelFunction> kernels;
  std::vector<std::vector<float>> weights;
  struct AlignedFree {
    void operator()(void *p) const { std::free(p); }
  };
  std::unique_ptr<void, AlignedFree> arena;
  int64_t arenaCapacity = 0;
};

/// Where a single-file checkpoint keeps each weight of `artifact`: the key
/// the compiler recorded in the manifest. Text encoders saved without the
/// `text_model.` level (older SD 1.x files) are found under the shorter key.
KeyTranslator singleFileKeys(const Artifact &artifact,
                             const Checkpoint &checkpoint);

} // namespace avila

#endif // AVILA_RUNTIME_EXECUTOR_EXECUTABLE_H
