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
  explicit TargetFlags(std::string defaultTarget = "x86");

  /// Whether argv[i] is a target flag; when it is, takes it and its value
  /// (advancing `i`), or fails when the value is missing.
  llvm::Expected<bool> consume(int argc, char **argv, int &i);

  /// The options the flags give, or an error naming a value no option takes.
  llvm::Expected<TargetOptions> options() const;
  /// The target the flags name, configured by them, or an error naming an
  /// unknown target or option value, or what the target refuses.
  llvm::Expected<std::unique_ptr<TargetBackend>> configure() const;

  /// For `--device-profile auto`, after configure() succeeded: the one line
  /// that says which device was asked and what it offers; empty otherwise.
  std::string detectedProfile() const;

  const std::string &target() const { return value("--target"); }
  /// Every target flag followed by its value, given or default: the
  /// command-line words that compile the same way again.
  std::vector<std::string> words() const;

  /// The flags' lines of a tool's --help.
  std::string usage() const;

private:
  struct Flag {
    std::string name, value;
  };
  const std::string &value(const std::string &name) const;

  std::string defaultTarget;
  std::vector<Flag> flags;
};

} // namespace avila

#endif // AVILA_COMPILER_TARGETS_TARGETFLAGS_H
