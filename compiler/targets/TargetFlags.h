//===- TargetFlags.h - The flags that configure a target --------*- C++ -*-===//
//
// Every tool that compiles (avila-compile, avila-kernel-record) takes the
// same target flags, parsed here, so that a target option added once is
// accepted by all of them and recorded wherever they record how they
// compiled.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_TARGETFLAGS_H
#define AVILA_COMPILER_TARGETS_TARGETFLAGS_H

#include "compiler/targets/TargetBackend.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace avila {

/// "x86, vulkan": the registered target names, for messages.
std::string targetNameList();

class TargetFlags {
public:
  explicit TargetFlags(std::string defaultTarget = "x86")
      : defaultTarget(defaultTarget), targetName(std::move(defaultTarget)) {}

  /// Whether argv[i] is a target flag; when it is, takes it and its value
  /// (advancing `i`), or fails when the value is missing.
  llvm::Expected<bool> consume(int argc, char **argv, int &i);

  /// The options the flags give, or an error naming a value no option takes.
  llvm::Expected<TargetOptions> options() const;
  /// The target the flags name, configured by them, or an error naming an
  /// unknown target or option value, or what the target refuses.
  llvm::Expected<std::unique_ptr<TargetBackend>> configure() const;

  const std::string &target() const { return targetName; }
  /// Every target flag taken, with its value, in the order given.
  const std::vector<std::string> &given() const { return taken; }

  /// The flags' lines of a tool's --help.
  std::string usage() const;

private:
  std::string defaultTarget;
  std::string targetName;
  std::string precision = "fp32";
  std::vector<std::string> taken;
};

} // namespace avila

#endif // AVILA_COMPILER_TARGETS_TARGETFLAGS_H
