//===- SpirvPasses.td - Passes of the SPIR-V target backend -*- tablegen -*-===//

#ifndef AVILA_TARGETS_SPIRV_PASSES_TD
#define AVILA_TARGETS_SPIRV_PASSES_TD

include "mlir/Pass/PassBase.td"

def ContractionsToLinalg
    : Pass<"avila-contractions-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Rewrite avila.contraction on buffers as a linalg.generic "
                "multiply-accumulate";
  let description = [{
    The portable path for devices without a tiled contraction kernel: each
    `avila.contraction` becomes a `linalg.generic` over its own indexing
    maps, reduction loops being those the init does not index, whose body
    accumulates `lhs · rhs` into the init it updates in place.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect"];
}

#endif // AVILA_TARGETS_SPIRV_PASSES_TD
