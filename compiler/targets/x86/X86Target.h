//===- X86Target.h - The x86-64 target backend -------------------*- C++
//-*-===//
//
// Kernels as one ELF shared object for x86-64: contractions and attention
// call the CPU ukernels (runtime/hal/cpu/ukernels), parallel loops become
// thread pool tasks, and the rest is LLVM's code (X86Codegen.h).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_X86_X86TARGET_H
#define AVILA_COMPILER_TARGETS_X86_X86TARGET_H

#include "compiler/targets/TargetBackend.h"
#include "compiler/targets/x86/X86Codegen.h"

namespace avila::x86 {

class X86Target final : public TargetBackend {
public:
  explicit X86Target(Options options = {}) : options(std::move(options)) {}

  /// Refuses fp16: the ukernels and the generated loops compute on f32
  /// buffers.
  llvm::Expected<std::unique_ptr<TargetBackend>>
  configured(const TargetOptions &targetOptions) const override;
  llvm::StringRef name() const override { return "x86"; }
  artifact::Target artifactTarget() const override {
    return artifact::Target::X86;
  }
  llvm::ArrayRef<PhaseInfo> phases() const override;
  void registerDialects(mlir::DialectRegistry &registry) const override;
  llvm::Expected<TargetCode>
  serialize(mlir::ModuleOp kernels,
            const ProgressCallback &progress) const override;
  std::vector<std::string> features() const override;
  /// A cache line, which holds the widest vector (AVX-512) too.
  int64_t arenaAlignment() const override { return 64; }
  // The kernel ABI's argument array holds int64 values.
  artifact::ElementType pushConstantType() const override {
    return artifact::ElementType::I64;
  }
  artifact::ElementType storageType() const override {
    return artifact::ElementType::F32;
  }
  /// The norms' generic loops run as they are, in parallel over rows.
  bool runsWholeNorms() const override { return false; }

private:
  Options options;
};

} // namespace avila::x86

#endif // AVILA_COMPILER_TARGETS_X86_X86TARGET_H
