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

#endif // AVILA_TRANSFORMS_PASSES_TD
