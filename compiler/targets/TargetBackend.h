//===- TargetBackend.h - What the artifact builder asks of a target -*- C++
//-*-===//
//
// A target backend (IREE's target plug-ins are the model) turns the kernels,
// once the shared phases have lowered them to buffers, into the code of one
// artifact target: x86 shared objects today, SPIR-V modules next. The
// artifact builder and `avila-compile` reach targets only through this
// interface and the registry (TargetRegistry.h), so adding one touches
// neither.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_TARGETBACKEND_H
#define AVILA_COMPILER_TARGETS_TARGETBACKEND_H

#include "compiler/phases/Phases.h"
#include "runtime/artifact/artifact_generated.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace avila {

/// A kernel as the serialized code exports it.
struct TargetKernel {
  /// The kernel function's name, which the schedules dispatch.
  std::string name;
  /// What the code exports it as (x86: the ABI wrapper's symbol).
  std::string entryPoint;
  /// Invocations per workgroup along x, y and z.
  std::array<uint32_t, 3> workgroupSize = {1, 1, 1};
  /// Where the kernel's own module lies in the code (SPIR-V); both 0 where
  /// the code is one unit (x86).
  uint64_t codeOffset = 0, codeSize = 0;
};

/// How a dispatch runs where one kernel function becomes several launches
/// (a GPU runs a function's loops one launch each, with scratch buffers
/// between them). Every size is an affine map over the symbols `sources`
/// names, which the artifact builder evaluates per dispatch.
struct LaunchPlan {
  /// Symbol i: dimension `axis` of the dispatch function's argument
  /// `argument`, or that scalar argument itself where `axis` is kScalar.
  struct Source {
    int64_t argument;
    int64_t axis;
  };
  static constexpr int64_t kScalar = -1;
  std::vector<Source> sources;
  /// Buffers the plan's launches share, alive for the dispatch.
  struct Scratch {
    mlir::Type elementType;
    mlir::AffineMap sizes;
  };
  std::vector<Scratch> scratch;
  struct Launch {
    /// A TargetKernel's name.
    std::string kernel;
    /// Per binding: an argument of the dispatch function (>= 0), or scratch
    /// buffer i as -1 - i; and what the kernel does with it.
    std::vector<int64_t> buffers;
    std::vector<artifact::BindingAccess> accesses;
    /// One result per push constant, and three: the workgroup counts.
    mlir::AffineMap pushConstants;
    mlir::AffineMap workgroupCount;
  };
  std::vector<Launch> launches;

  static int64_t scratchBuffer(size_t index) {
    return -1 - static_cast<int64_t>(index);
  }
};

/// The serialized kernels of one artifact.
struct TargetCode {
  /// The artifact's `code` (x86: an ELF shared object; SPIR-V: one module
  /// per kernel, one after the other).
  std::vector<uint8_t> code;
  /// Every kernel `code` defines (the artifact's kernel table must name
  /// only these).
  std::vector<TargetKernel> kernels;
  /// Per dispatch function that does not run as the one kernel of its name
  /// with its own arguments: how it runs.
  std::map<std::string, LaunchPlan> launchPlans;
};

/// How a target keeps floats in memory.
enum class Precision {
  /// Every float tensor f32.
  FP32,
  /// Every float tensor the kernels take or return (weights, activations,
  /// inputs and outputs) f16, halving memory and bandwidth; arithmetic,
  /// and so every accumulation, stays f32.
  FP16,
};

/// What a compilation asks of a target beyond its name (`avila-compile`'s
/// flags).
struct TargetOptions {
  Precision precision = Precision::FP32;
  /// The class of devices the kernels are generated for (a target's own
  /// names); empty: the target's default for the precision.
  std::string deviceProfile;
};

class TargetBackend {
public:
  virtual ~TargetBackend() = default;

  /// This target configured with `options`, or an error naming what it
  /// cannot do.
  virtual llvm::Expected<std::unique_ptr<TargetBackend>>
  configured(const TargetOptions &options) const = 0;

  /// What `avila-compile --target` calls it.
  virtual llvm::StringRef name() const = 0;
  /// What the artifact records it as.
  virtual artifact::Target artifactTarget() const = 0;

  /// The phases after the shared kernel phases (which end on buffers), in
  /// order; the last leaves the IR serialize takes.
  virtual llvm::ArrayRef<PhaseInfo> phases() const = 0;
  /// Registers the dialects, extensions and external models (such as
  /// bufferization of ops the target keeps) its phases need.
  virtual void registerDialects(mlir::DialectRegistry &registry) const = 0;
  /// Serializes kernels lowered through every kernel phase into code,
  /// reporting its steps to `progress`.
  virtual llvm::Expected<TargetCode>
  serialize(mlir::ModuleOp kernels, const ProgressCallback &progress) const = 0;

  /// The device features the code uses (the artifact's target_features,
  /// checked by the runtime before it loads the code).
  virtual std::vector<std::string> features() const = 0;
  /// The alignment in bytes of every buffer the runtime's arena holds.
  virtual int64_t arenaAlignment() const = 0;
  /// The type kernels take their scalar arguments (sizes) as: I64, or I32
  /// where the device wants 32-bit push constants.
  virtual artifact::ElementType pushConstantType() const = 0;
  /// The element type every float tensor has in memory: the kernels'
  /// arguments (inputs, outputs, weights, tensors between dispatches). A
  /// kernel's scratch buffers keep the type it computes in.
  virtual artifact::ElementType storageType() const = 0;
  /// Whether the target runs each group and layer norm as one kernel: the
  /// linalg phase then keeps them whole, as avila.fused_group_norm.
  virtual bool runsWholeNorms() const = 0;
};

} // namespace avila

#endif // AVILA_COMPILER_TARGETS_TARGETBACKEND_H
