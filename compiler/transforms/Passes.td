//===- Passes.td - Graph passes on the avila dialect --------*- tablegen -*-===//

#ifndef AVILA_TRANSFORMS_PASSES_TD
#define AVILA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DecomposeComposites
    : Pass<"avila-decompose-composites", "::mlir::func::FuncOp"> {
  let summary = "Rewrite attention, geglu, silu and quick_gelu as primitive "
                "avila ops";
  let description = [{
    For backends without a fused kernel for an op, and as an independent
    statement of each composite's meaning: attention becomes head reshapes,
    matmul, scale, mask add and softmax; geglu becomes split, gelu and mul;
    silu and quick_gelu become sigmoid and mul. Causal attention and
    attention with a dynamic embedding size are left alone (their
    decomposition needs shapes that only exist at run time).
  }];
  let dependentDialects = ["::avila::AvilaDialect"];
}

def LowerToLinalg : Pass<"avila-lower-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower avila ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every op except avila.weight becomes upstream ops: linalg.generic for
    computation (bodies in f32 whatever the storage type), tensor ops for
    data movement, tensor.dim and arith for sizes. The first step of every
    code generator.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

#endif // AVILA_TRANSFORMS_PASSES_TD
