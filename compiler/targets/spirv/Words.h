//===- Words.h - 16-byte loads of f16 operands ------------------*- C++ -*-===//
//
// The tiled kernels copy operands whose rows are whole 16-byte words (8
// halves) one word per load and store: `--avila-load-buffers-as-words` later
// binds a buffer read only this way as an array of `vector<4xi32>`. A word
// is read at a multiple of 8 halves from a buffer's first element, which
// the runtime binds 16-byte aligned.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_WORDS_H
#define AVILA_COMPILER_TARGETS_SPIRV_WORDS_H

#include "mlir/IR/Builders.h"

namespace avila::spirv {

/// Halves in a 16-byte word, the widest load a storage buffer gives.
inline constexpr int64_t kWordHalves = 8;

/// `vector<4xi32>`, a word as workgroup memory and fragments hold it.
mlir::VectorType wordType(mlir::MLIRContext *context);

/// The buffer a view of a kernel's host side addresses from its first
/// element (an argument or a scratch allocation, which the runtime places
/// at aligned offsets), or null where the view may start elsewhere.
mlir::Value alignedRoot(mlir::Value buffer);

/// The 8 halves of `buffer` from `at` (its last index a multiple of 8) as
/// one word. An f32 buffer is f16 in memory by the time the kernel runs, so
/// that rounding its values to f16 is exact and the load one 16-byte load.
mlir::Value loadWord(mlir::OpBuilder &b, mlir::Location loc, mlir::Value buffer,
                     mlir::ValueRange at);

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_WORDS_H
