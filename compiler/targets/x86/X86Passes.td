//===- X86Passes.td - Passes of the x86 target backend ------*- tablegen -*-===//

#ifndef AVILA_TARGETS_X86_PASSES_TD
#define AVILA_TARGETS_X86_PASSES_TD

include "mlir/Pass/PassBase.td"

def ContractionsToUkernels
    : Pass<"avila-contractions-to-ukernels", "::mlir::ModuleOp"> {
  let summary = "Replace avila.contraction on buffers with calls of the "
                "CPU runtime's contraction ukernels";
  let description = [{
    Runs after bufferization. An `avila.contraction` of kind `matmul`
    becomes a call of `avila_ukernel_matmul`, one of kind `conv2d` a call of
    `avila_ukernel_conv2d`: sizes and element strides are read by the roles
    the op names (batches, M, N, K; a batch an operand lacks has stride 0).
    The call passes one pointer to int64 parameters (addresses, sizes,
    element strides) laid out as runtime/hal/cpu/ukernels/UkernelAbi.h says.
  }];
  let dependentDialects = [
    "::avila::AvilaDialect", "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect"
  ];
}

def FusedAttentionToUkernel
    : Pass<"avila-fused-attention-to-ukernel", "::mlir::ModuleOp"> {
  let summary = "Replace avila.fused_attention on buffers with calls of the "
                "CPU runtime's attention ukernel";
  let description = [{
    Runs after bufferization. Each `avila.fused_attention` becomes a call of
    `avila_ukernel_attention`, which never materializes the scores: batch,
    heads, lengths, head sizes, the scale's f32 bits and each operand's
    address and element strides as (batch, position, head, channel), in one
    int64 parameter array laid out as runtime/hal/cpu/ukernels/UkernelAbi.h
    says.
  }];
  let dependentDialects = [
    "::avila::AvilaDialect", "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect"
  ];
}

def OutlineParallelLoops
    : Pass<"avila-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Outline each top-level scf.parallel of a kernel as a task "
                "the CPU runtime's thread pool runs";
  let description = [{
    For a kernel's top-level `scf.parallel` whose first (up to two)
    dimensions start at 0 with step 1, the loop body becomes a function
    `<kernel>_task<n>(begin, end, captured values...)` that runs the
    flattened items [begin, end) of those dimensions (and the remaining
    dimensions whole), and the loop becomes a call of
    `avila_parallel.<kernel>_task<n>(items, captured values...)`. The x86
    code generator defines that function in LLVM IR: it packs the captured
    values and hands the task to the runtime's `parallel_for` import, which
    splits the items over the thread pool. Constants are cloned into the
    task instead of being passed.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // AVILA_TARGETS_X86_PASSES_TD
