//===- SizeRules.h - One result-size rule per avila op -----------*- C++
//-*-===//
//
// Every avila op's result sizes are stated once, here, generic over the
// domain the sizes are computed in, so that one rule serves
//  - type inference and the verifiers (StaticSizes: int64_t, kDynamic when
//    not known at compile time),
//  - the artifact's size expressions over an entry point's inputs
//    (compiler/artifact/SizeExpressions),
//  - the index values a lowering computes at run time (IndexSizes in
//    MixedSizes.h),
// and any target added later. A domain D provides
//
//   using Size = ...;
//   Size dim(Value tensor, int64_t axis);  // a dimension of an operand
//   Size index(Value size);                 // an index operand's value
//   Size constant(int64_t value);
//   Size add(Size, Size); Size sub(Size, Size); Size mul(Size, Size);
//   Size floorDiv(Size, Size);              // by a positive divisor
//   Size same(Size a, Size b);              // a and b must agree: their size
//
// The rules check nothing: the verifiers reject ops whose operands break
// them, with a message each, before any rule runs. Rules build their sizes
// in a fixed order (one statement per step) because domains that create
// expressions or IR number and place them in creation order.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_DIALECT_SIZERULES_H
#define AVILA_COMPILER_DIALECT_SIZERULES_H

#include "compiler/dialect/AvilaOps.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

namespace avila {

template <typename D> using SizeOf = typename D::Size;
template <typename D> using SizesOf = llvm::SmallVector<SizeOf<D>>;

/// Sizes known at compile time; kDynamic stands for any other and absorbs
/// every operation it takes part in.
class StaticSizes {
public:
  using Size = int64_t;

  Size dim(mlir::Value tensor, int64_t axis) const {
    return llvm::cast<mlir::RankedTensorType>(tensor.getType())
        .getDimSize(axis);
  }
  Size index(mlir::Value size) const {
    llvm::APInt value;
    if (mlir::matchPattern(size, mlir::m_ConstantInt(&value)))
      return value.getSExtValue();
    return mlir::ShapedType::kDynamic;
  }
  Size constant(int64_t value) const { return value; }
  Size add(Size a, Size b) const {
    return known(a, b) ? a + b : mlir::ShapedType::kDynamic;
  }
  Size sub(Size a, Size b) const {
    return known(a, b) ? a - b : mlir::ShapedType::kDynamic;
  }
  Size mul(Size a, Size b) const {
    return known(a, b) ? a * b : mlir::ShapedType::kDynamic;
  }
  Size floorDiv(Size a, Size b) const {
    return known(a, b) ? llvm::divideFloorSigned(a, b)
                       : mlir::ShapedType::kDynamic;
  }
  Size same(Size a, Size b) const {
    return mlir::ShapedType::isDynamic(a) ? b : a;
  }

private:
  static bool known(Size a, Size b) {
    return !mlir::ShapedType::isDynamic(a) && !mlir::ShapedType::isDynamic(b);
  }
};

namespace size_rules {

template <typename D> SizesOf<D> dims(D &d, mlir::Value tensor) {
  SizesOf<D> sizes;
  const int64_t rank =
      llvm::cast<mlir::RankedTensorType>(tensor.getType()).getRank();
  for (int64_t axis = 0; axis < rank; ++axis)
    sizes.push_back(d.dim(tensor, axis));
  return sizes;
}

// The positions of a window of `kernel` sliding with `stride` over `extent`:
// (extent - kernel) / stride + 1.
template <typename D>
SizeOf<D> windowed(D &d, SizeOf<D> extent, SizeOf<D> kernel, int64_t stride) {
  SizeOf<D> span = d.sub(extent, kernel);
  SizeOf<D> steps = d.floorDiv(span, d.constant(stride));
  return d.add(steps, d.constant(1));
}

} // namespace size_rules

/// NumPy broadcasting, right-aligned; only a static size 1 stretches (a
/// dynamic size is taken not to broadcast).
template <typename D>
SizesOf<D> broadcastSizes(D &d, mlir::Value lhs, mlir::Value rhs) {
  auto lhsType = llvm::cast<mlir::RankedTensorType>(lhs.getType());
  auto rhsType = llvm::cast<mlir::RankedTensorType>(rhs.getType());
  const int64_t rank = std::max(lhsType.getRank(), rhsType.getRank());
  SizesOf<D> sizes;
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t l = i - (rank - lhsType.getRank());
    const int64_t r = i - (rank - rhsType.getRank());
    const bool fromLhs = l >= 0 && lhsType.getDimSize(l) != 1;
    const bool fromRhs = r >= 0 && rhsType.getDimSize(r) != 1;
    if (fromLhs && fromRhs)
      sizes.push_back(d.same(d.dim(lhs, l), d.dim(rhs, r)));
    else if (fromLhs)
      sizes.push_back(d.dim(lhs, l));
    else if (fromRhs)
      sizes.push_back(d.dim(rhs, r));
    else
      sizes.push_back(d.constant(1));
  }
  return sizes;
}

/// [N, O, (H + top + bottom - kh) / sh + 1, (W + left + right - kw) / sw + 1]
template <typename D> SizesOf<D> resultSizes(D &d, Conv2DOp::Adaptor conv) {
  llvm::ArrayRef<int64_t> padding = conv.getPadding();
  llvm::ArrayRef<int64_t> stride = conv.getStride();
  SizesOf<D> sizes = {d.dim(conv.getInput(), 0), d.dim(conv.getWeight(), 0)};
  for (int64_t axis : {2, 3}) {
    const int64_t lo = padding[2 * (axis - 2)],
                  hi = padding[2 * (axis - 2) + 1];
    SizeOf<D> padded = d.add(d.dim(conv.getInput(), axis), d.constant(lo + hi));
    sizes.push_back(size_rules::windowed(
        d, padded, d.dim(conv.getWeight(), axis), stride[axis - 2]));
  }
  return sizes;
}

/// The input's sizes, the last one the weight's out-features.
template <typename D> SizesOf<D> resultSizes(D &d, LinearOp::Adaptor linear) {
  SizesOf<D> sizes = size_rules::dims(d, linear.getInput());
  sizes.back() = d.dim(linear.getWeight(), 0);
  return sizes;
}

/// [batch..., M, N]; the batch sizes and K of both sides agree.
template <typename D> SizesOf<D> resultSizes(D &d, MatmulOp::Adaptor matmul) {
  mlir::Value lhs = matmul.getLhs(), rhs = matmul.getRhs();
  const int64_t rank =
      llvm::cast<mlir::RankedTensorType>(lhs.getType()).getRank();
  SizesOf<D> sizes;
  for (int64_t i = 0; i < rank - 2; ++i)
    sizes.push_back(d.same(d.dim(lhs, i), d.dim(rhs, i)));
  d.same(d.dim(lhs, rank - 1), d.dim(rhs, rank - 2));
  sizes.push_back(d.dim(lhs, rank - 2));
  sizes.push_back(d.dim(rhs, rank - 1));
  return sizes;
}

/// [B, Lq, Ev]; batches, key and value lengths and the mask agree.
template <typename D>
SizesOf<D> resultSizes(D &d, AttentionOp::Adaptor attention) {
  mlir::Value query = attention.getQuery(), key = attention.getKey(),
              value = attention.getValue();
  SizeOf<D> batch = d.same(d.dim(query, 0), d.dim(key, 0));
  batch = d.same(batch, d.dim(value, 0));
  d.same(d.dim(key, 1), d.dim(value, 1));
  if (mlir::Value mask = attention.getMask()) {
    const int64_t rank =
        llvm::cast<mlir::RankedTensorType>(mask.getType()).getRank();
    d.same(d.dim(mask, rank - 2), d.dim(query, 1));
    d.same(d.dim(mask, rank - 1), d.dim(key, 1));
    if (rank == 3)
      batch = d.same(d.dim(mask, 0), batch);
  }
  return {batch, d.dim(query, 1), d.dim(value, 2)};
}

/// The input's sizes, the last one halved.
template <typename D> SizesOf<D> resultSizes(D &d, GegluOp::Adaptor geglu) {
  SizesOf<D> sizes = size_rules::dims(d, geglu.getInput());
  sizes.back() = d.floorDiv(sizes.back(), d.constant(2));
  return sizes;
}

/// The first input's sizes, the axis the sum of all inputs' sizes along it.
template <typename D> SizesOf<D> resultSizes(D &d, ConcatOp::Adaptor concat) {
  mlir::ValueRange inputs = concat.getInputs();
  const int64_t axis = concat.getAxis();
  SizesOf<D> sizes = size_rules::dims(d, inputs.front());
  for (mlir::Value input : inputs.drop_front())
    for (auto [i, size] : llvm::enumerate(sizes))
      size = static_cast<int64_t>(i) == axis ? d.add(size, d.dim(input, i))
                                             : d.same(size, d.dim(input, i));
  return sizes;
}

/// The input's sizes, the axis end - start.
template <typename D> SizesOf<D> resultSizes(D &d, SliceOp::Adaptor slice) {
  SizesOf<D> sizes = size_rules::dims(d, slice.getInput());
  sizes[slice.getAxis()] = d.constant(slice.getEnd() - slice.getStart());
  return sizes;
}

/// The sizes of each of `parts` results: the input's, the axis divided.
template <typename D>
SizesOf<D> resultSizes(D &d, SplitOp::Adaptor split, int64_t parts) {
  SizesOf<D> sizes = size_rules::dims(d, split.getInput());
  const int64_t axis = split.getAxis();
  sizes[axis] = d.floorDiv(sizes[axis], d.constant(parts));
  return sizes;
}

/// The declared result type's static sizes, the dims operands for the others.
template <typename D>
SizesOf<D> resultSizes(D &d, ReshapeOp::Adaptor reshape,
                       mlir::RankedTensorType resultType) {
  SizesOf<D> sizes;
  auto dims = reshape.getDims().begin();
  for (int64_t size : resultType.getShape())
    sizes.push_back(mlir::ShapedType::isDynamic(size) ? d.index(*dims++)
                                                      : d.constant(size));
  return sizes;
}

/// Result dimension i is input dimension perm[i].
template <typename D>
SizesOf<D> resultSizes(D &d, TransposeOp::Adaptor transpose) {
  SizesOf<D> sizes;
  for (int64_t p : transpose.getPerm())
    sizes.push_back(d.dim(transpose.getInput(), p));
  return sizes;
}

/// [N, C, 2H, 2W], or [N, C, size...] when sizes are given.
template <typename D>
SizesOf<D> resultSizes(D &d, UpsampleNearestOp::Adaptor upsample) {
  SizesOf<D> sizes = size_rules::dims(d, upsample.getInput());
  mlir::ValueRange size = upsample.getSize();
  for (int64_t axis : {2, 3})
    sizes[axis] = size.empty() ? d.mul(sizes[axis], d.constant(2))
                               : d.index(size[axis - 2]);
  return sizes;
}

/// [N, C, (H - kh) / sh + 1, (W - kw) / sw + 1]
template <typename D> SizesOf<D> resultSizes(D &d, AvgPool2DOp::Adaptor pool) {
  SizesOf<D> sizes = size_rules::dims(d, pool.getInput());
  for (int64_t axis : {2, 3}) {
    SizeOf<D> kernel = d.constant(pool.getKernel()[axis - 2]);
    sizes[axis] = size_rules::windowed(d, sizes[axis], kernel,
                                       pool.getStride()[axis - 2]);
  }
  return sizes;
}

/// The ids' sizes, then the table's after its first.
template <typename D> SizesOf<D> resultSizes(D &d, GatherOp::Adaptor gather) {
  SizesOf<D> sizes = size_rules::dims(d, gather.getIds());
  SizesOf<D> table = size_rules::dims(d, gather.getTable());
  sizes.append(table.begin() + 1, table.end());
  return sizes;
}

/// [N, dim]
template <typename D>
SizesOf<D> resultSizes(D &d, TimestepEmbeddingOp::Adaptor embedding) {
  return {d.dim(embedding.getInput(), 0),
          d.constant(static_cast<int64_t>(embedding.getDim()))};
}

/// The sizes of every result of `op` by its rule, or nothing for an op
/// without one.
template <typename D>
std::optional<llvm::SmallVector<SizesOf<D>>> resultSizes(D &d,
                                                         mlir::Operation *op) {
  using Results = llvm::SmallVector<SizesOf<D>>;
  auto one = [](SizesOf<D> sizes) { return Results{std::move(sizes)}; };
  return llvm::TypeSwitch<mlir::Operation *, std::optional<Results>>(op)
      .template Case<WeightOp, ConstantOp>([&](mlir::Operation *) {
        SizesOf<D> sizes;
        for (int64_t size :
             llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType())
                 .getShape())
          sizes.push_back(d.constant(size));
        return one(sizes);
      })
      .template Case<SiluOp, GeluOp, QuickGeluOp, SigmoidOp, TanhOp, ExpOp,
                     SqrtOp, RsqrtOp, AddScalarOp, MulScalarOp, ClampOp, CastOp,
                     GroupNormOp, LayerNormOp, SoftmaxOp>(
          [&](mlir::Operation *) {
            return one(size_rules::dims(d, op->getOperand(0)));
          })
      .template Case<AddOp, SubOp, MulOp, DivOp>([&](mlir::Operation *) {
        return one(broadcastSizes(d, op->getOperand(0), op->getOperand(1)));
      })
      .Case([&](SplitOp split) {
        return Results(
            split.getNumResults(),
            resultSizes(d, SplitOp::Adaptor(split), split.getNumResults()));
      })
      .Case([&](ReshapeOp reshape) {
        return one(
            resultSizes(d, ReshapeOp::Adaptor(reshape), reshape.getType()));
      })
      .template Case<Conv2DOp, LinearOp, MatmulOp, AttentionOp, GegluOp,
                     ConcatOp, SliceOp, TransposeOp, UpsampleNearestOp,
                     AvgPool2DOp, GatherOp, TimestepEmbeddingOp>(
          [&](auto typed) {
            using Adaptor = typename decltype(typed)::Adaptor;
            return one(resultSizes(d, Adaptor(typed)));
          })
      .Default([](mlir::Operation *) { return std::nullopt; });
}

} // namespace avila

#endif // AVILA_COMPILER_DIALECT_SIZERULES_H
