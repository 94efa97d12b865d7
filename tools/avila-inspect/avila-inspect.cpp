//===- avila-inspect.cpp - Print what an artifact holds -------------------===//
//
//   avila-inspect model.avila [--kernels] [--weights]
//       [--shapes <entry>=<shape>,<shape>,...]   e.g. unet=2x4x64x64,2,2x77x768
//   avila-inspect model.avila --disassemble <kernel>
//   avila-inspect model.avila --dump-kernel <kernel> -o <file.spv>
//   avila-inspect model.avila --dump-kernels <folder>
//
// Prints the target, the kernels, each entry point (inputs and outputs with
// their symbolic sizes, dispatch count, arena size as an expression) and the
// weight manifest. With --kernels, each kernel's entry point, workgroup size,
// bindings, push constants and code range; with --shapes, sizes are also
// evaluated for those inputs. On a Vulkan artifact, --disassemble prints one
// kernel's SPIR-V module as MLIR's spirv dialect, --dump-kernel writes its
// bytes, and --dump-kernels writes every module as <folder>/<kernel>.spv
// (for spirv-val and other SPIR-V tools); these print nothing else.
//
//===----------------------------------------------------------------------===//

#include "runtime/artifact/Artifact.h"
#include "runtime/artifact/ShapeList.h"
#include "runtime/base/Error.h"
#include "tools/avila-inspect/KernelCode.h"
#include "tools/avila-inspect/SpirvText.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace fb = avila::artifact;

namespace {

// An expression as text, over inputs named in0, in1, ...
std::string format(const fb::EntryPoint &entry, uint32_t index) {
  const fb::Expr *expr = entry.exprs()->Get(index);
  auto operand = [&](uint32_t i) { return format(entry, i); };
  switch (expr->op()) {
  case fb::ExprOp::Constant:
    return std::to_string(expr->value());
  case fb::ExprOp::InputDim:
    return "in" + std::to_string(expr->input()) + "[" +
           std::to_string(expr->axis()) + "]";
  case fb::ExprOp::Add: {
    const fb::Expr *rhs = entry.exprs()->Get(expr->rhs());
    if (rhs->op() == fb::ExprOp::Constant && rhs->value() < 0)
      return "(" + operand(expr->lhs()) + " - " +
             std::to_string(-rhs->value()) + ")";
    return "(" + operand(expr->lhs()) + " + " + operand(expr->rhs()) + ")";
  }
  case fb::ExprOp::Sub:
    return "(" + operand(expr->lhs()) + " - " + operand(expr->rhs()) + ")";
  case fb::ExprOp::Mul:
    return operand(expr->lhs()) + "*" + operand(expr->rhs());
  case fb::ExprOp::FloorDiv:
    return "floor(" + operand(expr->lhs()) + " / " + operand(expr->rhs()) + ")";
  case fb::ExprOp::CeilDiv:
    return "ceil(" + operand(expr->lhs()) + " / " + operand(expr->rhs()) + ")";
  case fb::ExprOp::Max:
    return "max(" + operand(expr->lhs()) + ", " + operand(expr->rhs()) + ")";
  }
  return "?";
}

std::string shapeText(const fb::EntryPoint &entry, const fb::TensorSpec &spec) {
  std::string text = "[";
  for (size_t i = 0; i < spec.shape()->size(); ++i)
    text += (i ? ", " : "") + format(entry, spec.shape()->Get(i));
  return text + "] " + fb::EnumNameElementType(spec.element_type());
}

const std::string kUsage =
    "usage: avila-inspect <model.avila> [--kernels] [--weights] "
    "[--shapes <entry>=<shape>,...]\n"
    "       avila-inspect <model.avila> --disassemble <kernel>\n"
    "       avila-inspect <model.avila> --dump-kernel <kernel> -o <file.spv>\n"
    "       avila-inspect <model.avila> --dump-kernels <folder>\n";

// "<name>: <entry point>, workgroup XxYxZ, bindings Read,Read,Write (2
// before the push constants), push constants I64@0 I64@8, code
// [0, 1844)"; x86 kernels share one shared object and have no range.
std::string kernelText(const fb::Kernel &kernel) {
  std::string text = kernel.name()->str() + ": " + kernel.entry_point()->str() +
                     ", workgroup ";
  for (uint32_t axis = 0; axis < 3; ++axis)
    text +=
        (axis ? "x" : "") + std::to_string(kernel.workgroup_size()->Get(axis));
  text += ", bindings ";
  for (uint32_t i = 0; i < kernel.bindings()->size(); ++i) {
    text += (i ? "," : "");
    text += fb::EnumNameBindingAccess(kernel.bindings()->Get(i));
  }
  text += " (" + std::to_string(kernel.input_bindings()) +
          " before the push constants), push constants";
  if (!kernel.push_constants() || kernel.push_constants()->size() == 0)
    text += " none";
  else
    for (const fb::PushConstant *constant : *kernel.push_constants())
      text += std::string(" ") + fb::EnumNameElementType(constant->type()) +
              "@" + std::to_string(constant->offset());
  if (kernel.code_size() == 0)
    return text;
  return text + ", code [" + std::to_string(kernel.code_offset()) + ", " +
         std::to_string(kernel.code_offset() + kernel.code_size()) + ")";
}

// The value after option `argv[i]`, stepping past it.
std::string optionValue(int argc, char **argv, int &i) {
  if (i + 1 >= argc)
    avila::fail("missing value for " + std::string(argv[i]) + "\n" + kUsage);
  return argv[++i];
}

// Writes every kernel's module to `folder` as <kernel>.spv.
void dumpKernels(const fb::Artifact &root, const std::string &folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error)
    avila::fail("cannot create '" + folder + "': " + error.message());
  if (root.kernels())
    for (const fb::Kernel *kernel : *root.kernels())
      avila::inspect::writeBytes(folder + "/" + kernel->name()->str() + ".spv",
                                 avila::inspect::spirvModule(root, *kernel));
}

int run(int argc, char **argv) {
  std::string path;
  bool listKernels = false, listWeights = false;
  std::map<std::string, std::string> shapes;
  std::string disassemble, dumpKernel, output, dumpFolder;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--kernels") {
      listKernels = true;
    } else if (arg == "--weights") {
      listWeights = true;
    } else if (arg == "--disassemble") {
      disassemble = optionValue(argc, argv, i);
    } else if (arg == "--dump-kernel") {
      dumpKernel = optionValue(argc, argv, i);
    } else if (arg == "-o") {
      output = optionValue(argc, argv, i);
    } else if (arg == "--dump-kernels") {
      dumpFolder = optionValue(argc, argv, i);
    } else if (arg == "--shapes") {
      const std::string value = optionValue(argc, argv, i);
      const size_t equals = value.find('=');
      if (equals == std::string::npos)
        avila::fail("--shapes wants <entry>=<shape>,<shape>,...");
      shapes[value.substr(0, equals)] = value.substr(equals + 1);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg[0] == '-') {
      avila::fail("unknown option '" + arg + "'\n" + kUsage);
    } else if (!path.empty()) {
      avila::fail("unexpected argument '" + arg + "' (the artifact is '" +
                  path + "')");
    } else {
      path = arg;
    }
  }
  if (path.empty())
    avila::fail("no artifact given");
  if (!dumpKernel.empty() && output.empty())
    avila::fail("--dump-kernel wants -o <file.spv>");
  if (!output.empty() && dumpKernel.empty())
    avila::fail("-o names the file for --dump-kernel, which is missing");
  if (!disassemble.empty() + !dumpKernel.empty() + !dumpFolder.empty() > 1)
    avila::fail("--disassemble, --dump-kernel and --dump-kernels go one at a "
                "time");
  avila::Artifact artifact = avila::Artifact::load(path);
  const fb::Artifact &root = artifact.root();
  // Before the kernel's name: an x86 kernel has no module to look for.
  if (!disassemble.empty() || !dumpKernel.empty() || !dumpFolder.empty())
    avila::inspect::requireSpirvModules(root);
  if (!disassemble.empty()) {
    const fb::Kernel &kernel = avila::inspect::findKernel(root, disassemble);
    std::cout << avila::inspect::spirvText(
        avila::inspect::spirvModule(root, kernel));
    return 0;
  }
  if (!dumpKernel.empty()) {
    const fb::Kernel &kernel = avila::inspect::findKernel(root, dumpKernel);
    avila::inspect::writeBytes(output,
                               avila::inspect::spirvModule(root, kernel));
    return 0;
  }
  if (!dumpFolder.empty()) {
    dumpKernels(root, dumpFolder);
    return 0;
  }
  std::printf("artifact %s\n  format version %u, target %s", path.c_str(),
              root.format_version(), avila::targetName(root.target()));
  if (root.target_features())
    for (const auto *feature : *root.target_features())
      std::printf(" %s", feature->c_str());
  std::printf("\n  images %u..%u pixels a side, batches up to %u, latent "
              "scale %g",
              root.image_size_min(), root.image_size_max(), root.batch_max(),
              root.latent_scale());
  std::printf("\n  kernels: %u, code: %u bytes\n",
              root.kernels() ? root.kernels()->size() : 0,
              root.code() ? root.code()->size() : 0);
  if (listKernels && root.kernels())
    for (const fb::Kernel *kernel : *root.kernels())
      std::printf("  kernel %s\n", kernelText(*kernel).c_str());
  if (root.entry_points())
    for (const fb::EntryPoint *entry : *root.entry_points()) {
      std::printf("entry point %s: %u dispatches\n", entry->name()->c_str(),
                  entry->dispatches()->size());
      for (const auto *input : *entry->inputs())
        std::printf("  input  %s %s\n", input->name()->c_str(),
                    shapeText(*entry, *input).c_str());
      for (const auto *output : *entry->outputs())
        std::printf("  output %s %s\n", output->name()->c_str(),
                    shapeText(*entry, *output).c_str());
      const std::string arena = format(*entry, entry->arena_size());
      if (arena.size() <= 160)
        std::printf("  arena bytes = %s\n", arena.c_str());
      else
        std::printf("  arena bytes: an expression of %u nodes (--shapes "
                    "evaluates it)\n",
                    entry->exprs()->size());
      auto it = shapes.find(entry->name()->str());
      if (it != shapes.end()) {
        auto values =
            avila::evaluateExprs(*entry, avila::parseShapeList(it->second));
        std::printf("  arena for %s: %.1f MiB\n", it->second.c_str(),
                    values[entry->arena_size()] / 1048576.0);
      }
    }
  size_t count = 0, parameters = 0;
  if (root.weights())
    for (const fb::Weight *weight : *root.weights()) {
      size_t elements = 1;
      for (uint32_t dim : *weight->shape())
        elements *= dim;
      ++count;
      parameters += elements;
      if (listWeights)
        std::printf("  %s %s  %s\n", weight->component()->c_str(),
                    weight->name()->c_str(),
                    weight->single_file_key()
                        ? weight->single_file_key()->c_str()
                        : "");
    }
  std::printf("weights: %zu tensors, %.1f M parameters\n", count,
              parameters / 1e6);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-inspect: error: %s\n", error.what());
    return 1;
  }
}
