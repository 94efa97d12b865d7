//===- Executable.h - Running an artifact's entry points on a device -*- C++
//-*-===//
//
// Loads an artifact's kernels on a HAL device, binds weights from a
// checkpoint through the manifest, and runs an entry point: evaluates the
// size expressions for the given inputs, checks them, lays out the arena,
// records every dispatch of the schedule with its buffer ranges and push
// constants into a command buffer, and submits it. The recording is kept
// per (entry point, input shapes) and submitted again for the same sizes.
// Nothing here knows which device it is.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_EXECUTOR_EXECUTABLE_H
#define AVILA_RUNTIME_EXECUTOR_EXECUTABLE_H

#include "runtime/artifact/Artifact.h"
#include "runtime/executor/CommandCache.h"
#include "runtime/hal/Device.h"
#include "runtime/weights/Checkpoint.h"

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
  /// Runs on `deviceName` as hal::openDevice names it ("auto": the device for
  /// the artifact's target; "cpu", "vulkan", "vulkan:N"); on the CPU,
  /// kernels run on `threads` threads (0: one per hardware thread; more
  /// than cpu::ThreadPool::kMaxOversubscription per hardware thread are
  /// refused). Throws avila::Error for a device that does not exist or
  /// does not run the artifact's target, or code the device cannot load.
  explicit Executable(Artifact artifact, unsigned threads = 0,
                      std::string_view deviceName = "auto");
  /// Runs on `device`; throws as above.
  Executable(Artifact artifact, std::unique_ptr<hal::Device> device);
  ~Executable();

  const Artifact &artifact() const { return loaded; }
  /// The device the kernels run on (its name, its memory use).
  const hal::Device &runsOn() const { return *device; }

  /// Reads every manifest weight from `checkpoint` (f32, f16 or bf16), in
  /// the layout the checkpoint has, converted to the element type the
  /// manifest declares.
  void bindWeights(const Checkpoint &checkpoint);
  /// Fills every manifest weight through `fill`, which writes every value as
  /// f32, converted to the declared element type (benchmarks, tests).
  void bindWeights(const std::function<void(const artifact::Weight &,
                                            std::span<float>)> &fill);

  /// Fills again, in place, the bound weights `which` selects, as
  /// bindWeights fills them: those a changed LoRA set changes, or the VAE's
  /// when another VAE is swapped in. Recorded runs stay valid. `fill` must
  /// not throw once the first weight is refilled (callers check their
  /// source first), or the weights are left half refilled.
  void rebindWeights(const std::function<bool(const artifact::Weight &)> &which,
                     const std::function<void(const artifact::Weight &,
                                              std::span<float>)> &fill);
  /// Elements [first, first + count) of the bound weight `name` of
  /// `component`, as f32; throws for an unknown weight or a range outside it.
  std::vector<float> readWeight(const std::string &component,
                                const std::string &name, int64_t first,
                                int64_t count) const;
  /// Writes `values` there, converted to the weight's declared type (how
  /// textual-inversion vectors reach the token embedding).
  void writeWeight(const std::string &component, const std::string &name,
                   int64_t first, std::span<const float> values);

  /// Seconds spent in each dispatch of one run, in schedule order.
  struct DispatchTime {
    const artifact::Kernel *kernel;
    double seconds;
  };

  /// Runs entry point `name`; inputs and outputs the artifact keeps as f16
  /// (precision fp16) are given and returned as f32, converted on the way
  /// (round to nearest even). Throws avila::Error for a missing entry point,
  /// inputs of the wrong count, type or rank, or sizes that do not fit.
  /// With `profile`, times every dispatch into it. One run at a time: runs
  /// share the activation arena and the device.
  std::vector<HostTensor> run(const std::string &name,
                              const std::vector<HostTensor> &inputs,
                              std::vector<DispatchTime> *profile = nullptr);

private:
  void fillWeight(const artifact::Weight &weight, hal::Buffer &buffer,
                  const std::function<void(const artifact::Weight &,
                                           std::span<float>)> &fill);
  /// The buffer of a bound weight and its type, with [first, first + count)
  /// checked to lie within it.
  std::pair<hal::Buffer *, artifact::ElementType>
  boundWeight(const std::string &component, const std::string &name,
              int64_t first, int64_t count) const;
  /// The shapes of `inputs`, checked against `entry`'s input specs and id
  /// limits (every run: the ids differ between runs of the same shapes).
  Shapes checkInputs(const artifact::EntryPoint &entry, const std::string &name,
                     const std::vector<HostTensor> &inputs) const;
  /// Evaluates `entry`'s sizes for inputs of `shapes`, checks them, grows the
  /// arena if needed and records the schedule over new input and output
  /// buffers.
  std::unique_ptr<RecordedRun> record(const artifact::EntryPoint &entry,
                                      const std::string &name,
                                      const std::vector<HostTensor> &inputs,
                                      Shapes shapes);

  Artifact loaded;
  std::unique_ptr<hal::Device> device;
  std::unique_ptr<hal::KernelLibrary> kernels;
  std::vector<std::unique_ptr<hal::Buffer>> weights;
  // Kept between runs, at the largest size any run needed: first-touching
  // hundreds of MiB of fresh pages would cost a large part of a step.
  std::unique_ptr<hal::Buffer> arena;
  // Declared last: its runs reference the buffers above and go first.
  CommandCache commandCache;
};

/// Where a single-file checkpoint keeps each weight of `artifact`: the key
/// the compiler recorded in the manifest. Text encoders saved without the
/// `text_model.` level (older SD 1.x files) are found under the shorter key.
KeyTranslator singleFileKeys(const Artifact &artifact,
                             const Checkpoint &checkpoint);

} // namespace avila

#endif // AVILA_RUNTIME_EXECUTOR_EXECUTABLE_H
