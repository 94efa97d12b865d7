//===- avila-check-interpreter.cpp - Networks on the interpreter vs golden ===//
//
//   avila-check-interpreter --model <checkpoint.safetensors | diffusers folder>
//                           [--config <diffusers folder>] --cases <folder>
//
// Builds the text encoder, U-Net and VAE graphs of a model, runs them on the
// reference interpreter with the model's weights on the inputs of a golden
// cases folder and prints, per case, the relative L2 error and PASS or FAIL,
// as avila-check does for an artifact (the pipeline cases need one and are
// skipped).
//
//===----------------------------------------------------------------------===//

#include "compiler/interpreter/Interpreter.h"
#include "models/config/LdmNames.h"
#include "models/config/ModelConfig.h"
#include "models/graphs/Models.h"
#include "runtime/base/Error.h"
#include "tools/avila-check/GoldenCheck.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <cstdio>

using avila::interp::ElementType;
using avila::interp::Tensor;

namespace {

const char *kUsage =
    "usage: avila-check-interpreter\n"
    "           --model <checkpoint.safetensors | diffusers folder>\n"
    "           [--config <diffusers folder>] --cases <folder>\n"
    "           [--tolerance <relative L2 of the networks>]\n"
    "           [--expect-passed <n>]\n"
    "\n"
    "Runs the networks of a model on the reference interpreter on a golden\n"
    "cases folder (cases.safetensors and cases.json) and reports the\n"
    "relative L2 error of each case (fp32 bound: 1e-5, or --tolerance).\n"
    "--config gives the diffusers folder whose config.json files describe a\n"
    "single-file checkpoint; without it the configuration is inferred from\n"
    "the checkpoint's tensor shapes (SD 1.x conventions).\n"
    "The exit status is 0 when no case failed, at least one passed and, with\n"
    "--expect-passed, exactly <n> passed. The txt2img and img2img cases need\n"
    "compiled networks: avila-check --artifact runs them.\n";

avila::models::ModelConfig loadConfig(const avila::golden::Options &options,
                                      const avila::Checkpoint &checkpoint) {
  if (!options.config.empty())
    return avila::models::readDiffusersConfig(options.config);
  if (checkpoint.layout() == avila::Checkpoint::Layout::Diffusers)
    return avila::models::readDiffusersConfig(checkpoint.path());
  return avila::models::inferLdmConfig(checkpoint.singleFileShapes());
}

Tensor toInterpreter(const avila::HostTensor &host) {
  if (host.elementType == avila::artifact::ElementType::F32)
    return Tensor::fromFloats(ElementType::F32, host.shape, host.floats);
  return Tensor::fromInts(
      ElementType::I32, host.shape,
      std::vector<int64_t>(host.ids.begin(), host.ids.end()));
}

int run(const avila::golden::Options &options) {
  avila::Checkpoint checkpoint(options.model);
  const avila::models::ModelConfig config = loadConfig(options, checkpoint);
  if (checkpoint.layout() == avila::Checkpoint::Layout::SingleFile) {
    const auto shapes = checkpoint.singleFileShapes();
    checkpoint.setKeyTranslator(avila::models::LdmNames(
        config, shapes.count("cond_stage_model.transformer.text_model."
                             "embeddings.token_embedding.weight") != 0));
  }
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      avila::models::buildNetworksModule(context, config);
  if (!module)
    avila::fail("the model graphs do not verify (a bug)");

  return avila::golden::checkGolden(
      options,
      [&](const avila::golden::NetworkCase &networkCase,
          const std::vector<avila::HostTensor> &inputs) {
        avila::interp::WeightProvider weights =
            [&](llvm::StringRef name, const avila::interp::Shape &shape,
                ElementType type) -> llvm::Expected<Tensor> {
          try {
            return Tensor::fromFloats(
                type, shape,
                checkpoint.readWeight(networkCase.component, name.str(),
                                      shape));
          } catch (const avila::Error &error) {
            return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                           error.what());
          }
        };
        std::vector<Tensor> interpreted;
        for (const avila::HostTensor &input : inputs)
          interpreted.push_back(toInterpreter(input));
        llvm::Expected<std::vector<Tensor>> outputs = avila::interp::interpret(
            module->lookupSymbol<mlir::func::FuncOp>(networkCase.function),
            interpreted, weights);
        if (!outputs)
          avila::fail(std::string(networkCase.name) + ": " +
                      llvm::toString(outputs.takeError()));
        std::vector<avila::HostTensor> results;
        for (Tensor &output : *outputs) {
          avila::HostTensor host;
          host.shape = output.shape;
          host.floats = std::move(output.floats);
          results.push_back(std::move(host));
        }
        return results;
      },
      nullptr);
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(avila::golden::parseOptions(
        argc, argv, avila::golden::Runner::Interpreter, kUsage));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-check-interpreter: error: %s\n", error.what());
    return 1;
  }
}
