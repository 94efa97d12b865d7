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

def FusedAttentionToLoops
    : Pass<"avila-fused-attention-to-loops", "::mlir::ModuleOp"> {
  let summary = "Rewrite avila.fused_attention on buffers as a parallel loop "
                "of online-softmax rows";
  let description = [{
    The portable path for devices without a flash-attention kernel: each
    f32 `avila.fused_attention` on buffers becomes one `scf.parallel` over
    (batch, head, query position), which the SIMT lowering maps one
    invocation per row. An invocation walks the keys once with the online
    softmax (running maximum and sum as loop-carried values, the head's
    partial output in a private `memref.alloca`) and writes that output
    divided by the sum, so the scores are never materialized. Only
    arith, math, scf and memref loads and stores of the op's own operands
    are emitted, so strided views stay for a later pass to linearize.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // AVILA_TARGETS_SPIRV_PASSES_TD
