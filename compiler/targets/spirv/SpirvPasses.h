//===- SpirvPasses.h - Passes of the SPIR-V target backend -------*- C++
//-*-===//
//
// The passes only the SPIR-V backend runs: they turn the shared phases'
// kernels on buffers into GPU kernels (compiler/targets/spirv/SpirvTarget.h).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_SPIRVPASSES_H
#define AVILA_COMPILER_TARGETS_SPIRV_SPIRVPASSES_H

#include "compiler/dialect/AvilaDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace avila::spirv {

#define GEN_PASS_DECL
#include "compiler/targets/spirv/SpirvPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/targets/spirv/SpirvPasses.h.inc"

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_SPIRVPASSES_H
