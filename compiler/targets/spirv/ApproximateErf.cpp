//===- ApproximateErf.cpp - erf where the device has none -----------------===//

#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace avila::spirv {
#define GEN_PASS_DEF_APPROXIMATEERF
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;

namespace {

struct ApproximateErf : avila::spirv::impl::ApproximateErfBase<ApproximateErf> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populatePolynomialApproximateErfPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
