//===- X86Passes.h - Passes of the x86 target backend ------------*- C++
//-*-===//
//
// The passes only the x86 backend runs: they name the CPU runtime's ukernel
// and thread pool imports (runtime/hal/cpu/ukernels/UkernelAbi.h).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_X86_X86PASSES_H
#define AVILA_COMPILER_TARGETS_X86_X86PASSES_H

#include "compiler/dialect/AvilaDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace avila::x86 {

#define GEN_PASS_DECL
#include "compiler/targets/x86/X86Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/targets/x86/X86Passes.h.inc"

} // namespace avila::x86

#endif // AVILA_COMPILER_TARGETS_X86_X86PASSES_H
