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
    code generator. With `keep-whole-attention`, attention ops that a
    target computes as one kernel (WholeAttention.h) become
    `avila.fused_attention` into an empty tensor, their scale resolved;
    each target lowers that op on buffers. With `keep-whole-norms`, f32
    group and layer norms with a static channel count become
    `avila.fused_group_norm` into an empty tensor (a layer norm as one
    group of its last axis), and a SiLU that is a norm's only use joins it
    (`silu`), for a target that runs each norm as one kernel.
  }];
  let options = [
    Option<"keepWholeAttention", "keep-whole-attention", "bool",
           /*default=*/"false",
           "Keep attention a target runs as one kernel, as "
           "avila.fused_attention">,
    Option<"keepWholeNorms", "keep-whole-norms", "bool",
           /*default=*/"false",
           "Keep group and layer norms (and a SiLU after one) as "
           "avila.fused_group_norm, for a target that runs each as one "
           "kernel">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

def FormDispatches : Pass<"avila-form-dispatches", "::mlir::ModuleOp"> {
  let summary = "Group avila ops into kernels and outline each as a function";
  let description = [{
    Walks every function in program order. A root op (conv2d, linear,
    matmul, attention, the normalizations, data movement, ...) opens a
    dispatch; an elementwise op (activations, arithmetic, scalar ops, clamp,
    cast) joins the open dispatch when one of its operands is computed there,
    so bias adds, activations and residual adds cost no extra pass over
    memory. Each dispatch becomes a function `<function>_dispatch_<n>_<root>`
    marked `avila.dispatch`, called from the original function, taking the
    tensors and sizes it reads and returning the tensors used after it.
    Weights, sizes and constants stay outside (constants are cloned into the
    dispatches that use them).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def FuseElementwise : Pass<"avila-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg producers into their consumers "
                "when no element is computed twice";
  let description = [{
    Upstream elementwise fusion on tensors, for producers with one use, and
    only where the consumer reads the producer through a permutation of all
    its loops. A producer read through a projection would be recomputed for
    every value of the missing loops: softmax's exp(x − max) / Σ fused into
    attention's probabilities × V contraction is evaluated once per output
    channel, and the contraction is no longer a plain multiply-accumulate.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def FormContractions
    : Pass<"avila-form-contractions", "::mlir::func::FuncOp"> {
  let summary = "Replace matmul and convolution loops on tensors with "
                "avila.contraction";
  let description = [{
    Runs on linalg on tensors, before bufferization. A linalg.generic whose
    body is `out + a · b` over f32 tensors becomes an `avila.contraction`
    with its operands and maps: kind `matmul` when its maps are projected
    permutations with one reduction dimension (linear, matmul, both
    attention products: parallel dimensions of A only are rows, of B only
    columns, of both batches; at most 3 batches), `conv2d` when it has the
    shape of an ungrouped convolution. Each target backend lowers the op to
    its own kernels. Anything else stays loops.
  }];
  let dependentDialects = ["::avila::AvilaDialect"];
}

def CopiesToLinalg : Pass<"avila-copies-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Replace memref.copy with linalg.copy";
  let description = [{
    Runs after bufferization. A `memref.copy` between strided buffers lowers
    to a call into MLIR's C runner library on the CPU, which the runtime does
    not have, and to nothing at all on a GPU; as `linalg.copy` it becomes
    the loops every target lowers.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // AVILA_TRANSFORMS_PASSES_TD
