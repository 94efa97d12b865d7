//===- LoadCheckpoint.cpp - How long loading a checkpoint takes -----------===//
//
//   avila-bench-load <checkpoint.safetensors | diffusers folder>
//
// Opens the checkpoint, infers (or reads) its configuration, and converts
// every weight the four graphs consume to float, once, into one reused buffer,
// the way the runtime will convert into its upload buffers. Prints the time of
// each phase and the peak resident memory.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "models/config/LdmNames.h"
#include "models/config/ModelConfig.h"
#include "models/graphs/Models.h"
#include "runtime/base/Error.h"
#include "runtime/weights/Checkpoint.h"

#include <chrono>
#include <cstdio>
#include <set>
#include <sys/resource.h>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: avila-bench-load <checkpoint>\n");
    return 2;
  }
  try {
    auto start = std::chrono::steady_clock::now();
    avila::Checkpoint checkpoint(argv[1]);
    const bool singleFile =
        checkpoint.layout() == avila::Checkpoint::Layout::SingleFile;
    const auto shapes = checkpoint.singleFileShapes();
    const avila::models::ModelConfig config =
        singleFile ? avila::models::inferLdmConfig(shapes)
                   : avila::models::readDiffusersConfig(argv[1]);
    if (singleFile)
      checkpoint.setKeyTranslator(avila::models::LdmNames(config));
    const double openSeconds = secondsSince(start);

    start = std::chrono::steady_clock::now();
    mlir::MLIRContext context;
    avila::models::loadModelDialects(context);
    mlir::OpBuilder builder(&context);
    auto module = mlir::ModuleOp::create(builder.getUnknownLoc());
    std::vector<std::pair<avila::Component, mlir::func::FuncOp>> graphs = {
        {avila::Component::TextEncoder,
         avila::models::buildTextEncoder(module, config.textEncoder,
                                         builder.getF32Type())},
        {avila::Component::UNet,
         avila::models::buildUNet(module, config.unet, builder.getF32Type())},
        {avila::Component::Vae, avila::models::buildVaeDecoder(
                                    module, config.vae, builder.getF32Type())},
        {avila::Component::Vae, avila::models::buildVaeEncoder(
                                    module, config.vae, builder.getF32Type())}};
    const double buildSeconds = secondsSince(start);

    start = std::chrono::steady_clock::now();
    size_t tensors = 0, values = 0;
    double checksum = 0;
    // One reused destination, as upload buffers are: fresh pages cost
    // 12-17 us each on first touch here and would dominate.
    std::vector<float> buffer;
    std::set<std::pair<avila::Component, std::string>> seen;
    for (auto &[component, function] : graphs)
      function.walk([&](avila::WeightOp op) {
        if (!seen.emplace(component, op.getName().str()).second)
          return;
        auto shape = op.getType().getShape();
        const size_t count = op.getType().getNumElements();
        if (buffer.size() < count)
          buffer.resize(count);
        checkpoint.readWeight(component, op.getName().str(),
                              {shape.begin(), shape.end()},
                              std::span(buffer).first(count));
        ++tensors;
        values += count;
        checksum += buffer.front();
      });
    const double readSeconds = secondsSince(start);
    module.erase();

    rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    std::printf("open + header + config: %.3f s\n", openSeconds);
    std::printf("build graphs:           %.3f s\n", buildSeconds);
    std::printf("convert %zu tensors (%.2f G values) to f32: %.3f s "
                "(%.2f GB/s of f32 written)\n",
                tensors, values / 1e9, readSeconds,
                values * 4 / 1e9 / readSeconds);
    std::printf("peak RSS: %.0f MiB   (checksum %.0f)\n",
                usage.ru_maxrss / 1024.0, checksum);
  } catch (const avila::Error &error) {
    std::fprintf(stderr, "avila-bench-load: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
