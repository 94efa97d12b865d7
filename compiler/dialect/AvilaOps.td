//===- AvilaOps.td - Ops of the avila dialect ---------------*- tablegen -*-===//
//
// Op semantics are specified in docs/dialect.md; the checks live in the C++
// inference and verification functions of AvilaOps.cpp, the result sizes in
// SizeRules.h.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_OPS_TD
#define AVILA_OPS_TD

include "compiler/dialect/AvilaBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Ops whose result type follows from operands and attributes. The rules are
// checked once, in inferReturnTypes, so that building, parsing and verifying
// share one set of messages.
def Avila_ShapeRules : NativeOpTrait<"ShapeRules"> {
  let cppNamespace = "::avila::OpTrait";
}

class Avila_InferredOp<string mnemonic, list<Trait> traits = []>
    : Avila_Op<mnemonic,
               !listconcat([Pure, InferTypeOpAdaptor, Avila_ShapeRules],
                           traits)>;

class Avila_UnaryOp<string mnemonic, string what>
    : Avila_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what;
  let arguments = (ins Avila_FloatTensor:$input);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

class Avila_BinaryOp<string mnemonic, string what>
    : Avila_InferredOp<mnemonic> {
  let summary = what # " with NumPy broadcasting";
  let arguments = (ins Avila_FloatTensor:$lhs, Avila_FloatTensor:$rhs);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferBroadcast(getOperationName(), loc, adaptor, inferred);
    }
  }];
}

class Avila_ScalarOp<string mnemonic, string what>
    : Avila_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what;
  let arguments = (ins Avila_FloatTensor:$input, F64Attr:$scalar);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scalar attr-dict `:` type($input)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Values bound from outside the graph
//===----------------------------------------------------------------------===//

def Avila_WeightOp : Avila_Op<"weight", [Pure]> {
  let summary = "a named parameter bound at run time";
  let description = [{
    `name` is the canonical (diffusers) parameter name. The element type is
    the type the graph computes in; the checkpoint's dtype is converted when
    the weight is bound. The shape must be static.
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Avila_ConstantOp : Avila_Op<"constant",
    [Pure, ConstantLike, AllTypesMatch<["value", "result"]>]> {
  let summary = "a tensor literal";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Avila_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Avila_DimOp : Avila_Op<"dim", [Pure]> {
  let summary = "the size of one dimension of a tensor, as an index";
  let arguments = (ins Avila_AnyTensor:$input, I64Attr:$axis);
  let results = (outs Index:$result);
  let assemblyFormat = "$input `[` $axis `]` attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Avila_Conv2DOp : Avila_InferredOp<"conv2d"> {
  let summary = "2-D convolution, NCHW input, OIHW weight";
  let arguments = (ins Avila_FloatTensor:$input, Avila_FloatTensor:$weight,
      Optional<Avila_FloatTensor>:$bias,
      DenseI64ArrayAttr:$stride,
      DenseI64ArrayAttr:$padding,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` $stride `padding` $padding
    (`groups` $groups^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Avila_LinearOp : Avila_InferredOp<"linear"> {
  let summary = "x · Wᵀ + b over the last dimension, any leading dims";
  let arguments = (ins Avila_FloatTensor:$input, Avila_FloatTensor:$weight,
      Optional<Avila_FloatTensor>:$bias);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Avila_MatmulOp : Avila_InferredOp<"matmul"> {
  let summary = "batched matrix product [..., M, K] × [..., K, N]";
  let arguments = (ins Avila_FloatTensor:$lhs, Avila_FloatTensor:$rhs);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Avila_AttentionOp : Avila_InferredOp<"attention"> {
  let summary = "multi-head scaled dot-product attention";
  let description = [{
    query [B, Lq, E], key [B, Lk, E], value [B, Lk, Ev] are split into
    `num_heads` heads along the last dimension. Optional additive `mask`
    [Lq, Lk] or [B, Lq, Lk]; `causal` hides key positions after the query's.
    `scale` defaults to 1/sqrt(E / num_heads).
  }];
  let arguments = (ins Avila_FloatTensor:$query, Avila_FloatTensor:$key,
      Avila_FloatTensor:$value, Optional<Avila_FloatTensor>:$mask,
      I64Attr:$num_heads, UnitAttr:$causal, OptionalAttr<F64Attr>:$scale);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? `heads` $num_heads
    (`causal` $causal^)? (`scale` $scale^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// `scale`, or 1/sqrt(E / num_heads) for a static embedding size E.
    std::optional<double> getEffectiveScale();
  }];
}

//===----------------------------------------------------------------------===//
// Normalizations and activations
//===----------------------------------------------------------------------===//

def Avila_GroupNormOp : Avila_InferredOp<"group_norm"> {
  let summary = "group normalization over [N, C, *] with per-channel affine";
  let arguments = (ins Avila_FloatTensor:$input, Avila_FloatTensor:$gamma,
      Avila_FloatTensor:$beta, I64Attr:$num_groups, F64Attr:$epsilon);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `groups` $num_groups `eps` $epsilon attr-dict
    `:` functional-type(operands, results)
  }];
}

def Avila_LayerNormOp : Avila_InferredOp<"layer_norm"> {
  let summary = "layer normalization over the last dimension with affine";
  let arguments = (ins Avila_FloatTensor:$input, Avila_FloatTensor:$gamma,
      Avila_FloatTensor:$beta, F64Attr:$epsilon);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `eps` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
}

def Avila_SoftmaxOp : Avila_InferredOp<"softmax"> {
  let summary = "softmax along one axis";
  let arguments = (ins Avila_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat =
      "$input `axis` $axis attr-dict `:` functional-type(operands, results)";
}

def Avila_GeluOp : Avila_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "GELU, exact (erf) or with the tanh approximation";
  let arguments = (ins Avila_FloatTensor:$input, UnitAttr:$tanh);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = "$input (`tanh` $tanh^)? attr-dict `:` type($input)";
}

def Avila_QuickGeluOp : Avila_UnaryOp<"quick_gelu", "x · sigmoid(1.702 x)">;
def Avila_SiluOp : Avila_UnaryOp<"silu", "x · sigmoid(x)">;
def Avila_SigmoidOp : Avila_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Avila_TanhOp : Avila_UnaryOp<"tanh", "hyperbolic tangent">;
def Avila_ExpOp : Avila_UnaryOp<"exp", "natural exponential">;
def Avila_SqrtOp : Avila_UnaryOp<"sqrt", "square root">;
def Avila_RsqrtOp : Avila_UnaryOp<"rsqrt", "1 / sqrt(x)">;

def Avila_GegluOp : Avila_InferredOp<"geglu"> {
  let summary = "a · gelu(g) where [a, g] are the halves of the last dim";
  let arguments = (ins Avila_FloatTensor:$input);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

def Avila_AddOp : Avila_BinaryOp<"add", "lhs + rhs">;
def Avila_SubOp : Avila_BinaryOp<"sub", "lhs - rhs">;
def Avila_MulOp : Avila_BinaryOp<"mul", "lhs · rhs">;
def Avila_DivOp : Avila_BinaryOp<"div", "lhs / rhs">;

def Avila_AddScalarOp : Avila_ScalarOp<"add_scalar", "x + scalar">;
def Avila_MulScalarOp : Avila_ScalarOp<"mul_scalar", "x · scalar">;

def Avila_ClampOp : Avila_Op<"clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "min(max(x, min), max)";
  let arguments = (ins Avila_FloatTensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat =
      "$input `min` $min `max` $max attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Avila_CastOp : Avila_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "convert between float element types (round to nearest even)";
  let arguments = (ins Avila_FloatTensor:$input);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Avila_ConcatOp : Avila_InferredOp<"concat"> {
  let summary = "concatenation along one axis";
  let arguments = (ins Variadic<Avila_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` functional-type(operands, results)
  }];
}

def Avila_SliceOp : Avila_InferredOp<"slice"> {
  let summary = "the elements [start, end) of one axis";
  let arguments = (ins Avila_FloatTensor:$input, I64Attr:$axis, I64Attr:$start,
      I64Attr:$end);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `start` $start `end` $end attr-dict `:`
    functional-type(operands, results)
  }];
}

def Avila_SplitOp : Avila_Op<"split", [Pure]> {
  let summary = "equal parts along one axis, one result per part";
  let arguments = (ins Avila_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Avila_FloatTensor>:$results);
  let assemblyFormat = [{
    $input `axis` $axis attr-dict `:` type($input) `->` type($results)
  }];
  let hasVerifier = 1;
}

def Avila_ReshapeOp : Avila_Op<"reshape", [Pure]> {
  let summary = "same elements in row-major order, new shape";
  let description = [{
    Every dynamic dimension of the result type takes its size from one
    `dims` operand, in order.
  }];
  let arguments = (ins Avila_AnyTensor:$input, Variadic<Index>:$dims);
  let results = (outs Avila_AnyTensor:$result);
  let assemblyFormat = [{
    $input (`dims` `(` $dims^ `)`)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Avila_TransposeOp : Avila_InferredOp<"transpose"> {
  let summary = "permute dimensions: result dim i is input dim perm[i]";
  let arguments = (ins Avila_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Avila_AnyTensor:$result);
  let assemblyFormat = [{
    $input `perm` $perm attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Avila_UpsampleNearestOp : Avila_Op<"upsample_nearest", [Pure]> {
  let summary = "nearest-neighbour upsampling of NCHW, ×2 or to a given size";
  let arguments = (ins Avila_FloatTensor:$input, Variadic<Index>:$size);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`size` `(` $size^ `)`)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Avila_AvgPool2DOp : Avila_InferredOp<"avg_pool2d"> {
  let summary = "average over kernel windows of NCHW, no padding";
  let arguments = (ins Avila_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
      DenseI64ArrayAttr:$stride);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel `stride` $stride attr-dict `:`
    functional-type(operands, results)
  }];
}

def Avila_GatherOp : Avila_InferredOp<"gather"> {
  let summary = "rows of a table selected by integer ids (embedding lookup)";
  let arguments = (ins Avila_FloatTensor:$table, Avila_IdTensor:$ids);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat =
      "$table `,` $ids attr-dict `:` functional-type(operands, results)";
}

def Avila_TimestepEmbeddingOp : Avila_InferredOp<"timestep_embedding"> {
  let summary = "sinusoidal embedding of diffusion timesteps";
  let description = [{
    As diffusers' get_timestep_embedding: half = dim / 2,
    freq_i = exp(-ln(max_period) · i / (half - shift)), e = scale · t · freq,
    result [sin e, cos e] (or [cos e, sin e] with `flip_sin_to_cos`), one zero
    column appended when dim is odd.
  }];
  let arguments = (ins Avila_FloatTensor:$input, I64Attr:$dim,
      UnitAttr:$flip_sin_to_cos,
      DefaultValuedAttr<F64Attr, "1.0">:$shift,
      DefaultValuedAttr<F64Attr, "10000.0">:$max_period,
      DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let results = (outs Avila_FloatTensor:$result);
  let assemblyFormat = [{
    $input `dim` $dim (`flip_sin_to_cos` $flip_sin_to_cos^)?
    (`shift` $shift^)? (`max_period` $max_period^)? (`scale` $scale^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Code generation
//===----------------------------------------------------------------------===//

def Avila_ContractionOp : Avila_Op<"contraction", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "a recognized multiply-accumulate, for a target to run whole";
  let description = [{
    `init + lhs · rhs`, summed over the reduction loops, in the loop space
    of `indexing_maps` (one map each for lhs, rhs and init), recognized once
    so that every target backend picks its own kernel for it (the CPU's
    ukernels, a GPU's cooperative matrices) without matching loops again.
    `kind` names the form:
    - `matmul`: projected-permutation maps; `k_dim` is the one reduction
      loop, `m_dim` and `n_dim` (-1: absent) the loops only lhs and only rhs
      index, `batch_dims` the other (at most 3) parallel loops, each of
      which init indexes (a batch that lhs or rhs lacks reads it broadcast).
    - `conv2d`: loops (n, o, y, x, c, ky, kx) reading
      lhs[n, c, y·sh + ky, x·sw + kx] and rhs[o, c, ky, kx] into
      init[n, o, y, x]; `window_strides` is [sh, sw].
    On tensors the result is the updated init; after bufferization the op
    works on buffers in place and has no result.
  }];
  let arguments = (ins AnyShaped:$lhs, AnyShaped:$rhs, AnyShaped:$init,
      StrAttr:$kind, AffineMapArrayAttr:$indexing_maps,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$batch_dims,
      DefaultValuedAttr<I64Attr, "-1">:$m_dim,
      DefaultValuedAttr<I64Attr, "-1">:$n_dim,
      DefaultValuedAttr<I64Attr, "-1">:$k_dim,
      DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$window_strides);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $kind `ins` `(` $lhs `,` $rhs `:` type($lhs) `,` type($rhs) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
    ::llvm::SmallVector<::mlir::AffineMap> getMaps() {
      return ::llvm::to_vector(
          getIndexingMaps().getAsValueRange<::mlir::AffineMapAttr>());
    }
  }];
  let hasVerifier = 1;
}

def Avila_FusedAttentionOp : Avila_Op<"fused_attention", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "attention a target runs as one kernel, destination style";
  let description = [{
    `avila.attention` without mask or causal flag, written into `init`:
    query [B, Lq, E], key [B, Lk, E], value [B, Lk, Ev], init [B, Lq, Ev],
    each split into `num_heads` heads along the last dimension;
    init = softmax(scale · q kᵀ) v per head. E and Ev are static, `scale`
    is the effective one. Every target runs it with a kernel of its own
    (the CPU's ukernel, a GPU's flash attention) that never materializes
    the scores. On tensors the result is the new init; after bufferization
    the op works on buffers in place and has no result.
  }];
  let arguments = (ins AnyShaped:$query, AnyShaped:$key, AnyShaped:$value,
      AnyShaped:$init, I64Attr:$num_heads, F64Attr:$scale);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    `heads` $num_heads `scale` $scale
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,`
    type($value) `)` `outs` `(` $init `:` type($init) `)` attr-dict
    (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
  }];
  let hasVerifier = 1;
}

def Avila_FusedGroupNormOp : Avila_Op<"fused_group_norm", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "a normalization a target runs as one kernel, destination "
                "style";
  let description = [{
    Group normalization of input [outer..., C, inner...] (C at `axis`) into
    init of the same shape: each index of the outer dimensions and group of
    C / `num_groups` channels is one group of (C / num_groups) · Π inner
    values, normalized by its mean and biased variance with `epsilon`, then
    scaled by gamma[c] and shifted by beta[c] (both [C]), then passed
    through SiLU when `silu` is set. `avila.group_norm` over
    [N, C, spatial...] is this with axis 1; `avila.layer_norm` over
    [rows..., D] is this with one group and D as the last axis. C is static.
    A target computes the statistics and the output in one kernel. On
    tensors the result is the new init; after bufferization the op works on
    buffers in place and has no result.
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$gamma, AnyShaped:$beta,
      AnyShaped:$init, I64Attr:$axis, I64Attr:$num_groups, F64Attr:$epsilon,
      UnitAttr:$silu);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    `axis` $axis `groups` $num_groups `eps` $epsilon (`silu` $silu^)?
    `ins` `(` $input `,` $gamma `,` $beta `:` type($input) `,` type($gamma)
    `,` type($beta) `)` `outs` `(` $init `:` type($init) `)` attr-dict
    (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
  }];
  let hasVerifier = 1;
}

#endif // AVILA_OPS_TD
