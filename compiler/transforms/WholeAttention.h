//===- WholeAttention.h - Attention a target runs as one kernel -*- C++ -*-===//
//
// Attention without a mask or causal flag can be computed without
// materializing the scores. The linalg phase keeps these ops whole
// (`avila-lower-to-linalg{keep-whole-attention}`) as avila.fused_attention,
// whose verifier accepts what this rule lets through, and each target runs
// that op with a kernel of its own.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TRANSFORMS_WHOLEATTENTION_H
#define AVILA_COMPILER_TRANSFORMS_WHOLEATTENTION_H

#include "compiler/dialect/AvilaOps.h"

namespace avila {

/// f32 operands, no mask, not causal, a positive scale and static embedding
/// sizes (query and value).
bool runsAsWholeAttention(AttentionOp op);

} // namespace avila

#endif // AVILA_COMPILER_TRANSFORMS_WHOLEATTENTION_H
