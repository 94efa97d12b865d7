//===- AvilaOps.cpp - Shape rules, verifiers and folders of avila ops -----===//
//
// Each inferred op states its shape rules once, in inferReturnTypes; the
// InferTypeOpInterface verifier runs them on every op with the op's location,
// so a rule violated in text or in a builder gets the same precise message.
// Once the operands pass, the result sizes come from the op's size rule
// (SizeRules.h), which the artifact builder and the lowering share.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/SizeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace avila;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

bool isStatic(int64_t dim) { return !ShapedType::isDynamic(dim); }

// Emits "'avila.<op>' op <message>" where a location is known (verification,
// parsing) and stays silent where it is not (speculative inference).
class RuleChecker {
public:
  RuleChecker(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args> LogicalResult fail(Args &&...args) const {
    return emitOptionalError(loc, "'", opName, "' op ",
                             std::forward<Args>(args)...);
  }

  RankedTensorType tensor(Value value, StringRef what) const {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      (void)fail(what, " must be a ranked tensor, got ", value.getType());
    return type;
  }

  // Two sizes of the same dimension agree when equal or when either is
  // dynamic; the merged size is the static one where there is one.
  FailureOr<int64_t> sameDim(int64_t a, int64_t b, const Twine &what) const {
    if (isStatic(a) && isStatic(b) && a != b) {
      (void)fail(what, " must match (", a, " vs ", b, ")");
      return failure();
    }
    return isStatic(a) ? a : b;
  }

  LogicalResult sameElementType(ArrayRef<RankedTensorType> types) const {
    for (RankedTensorType type : types.drop_front())
      if (type.getElementType() != types.front().getElementType())
        return fail("operand element types must match (",
                    types.front().getElementType(), " vs ",
                    type.getElementType(), ")");
    return success();
  }

  LogicalResult rank(RankedTensorType type, int64_t rank,
                     StringRef what) const {
    if (type.getRank() != rank)
      return fail(what, " must have rank ", rank, ", got ", type);
    return success();
  }

  LogicalResult minRank(RankedTensorType type, int64_t rank,
                        StringRef what) const {
    if (type.getRank() < rank)
      return fail(what, " must have rank >= ", rank, ", got ", type);
    return success();
  }

  LogicalResult axis(int64_t axis, int64_t rank) const {
    if (axis < 0 || axis >= rank)
      return fail("axis ", axis, " is out of range [0, ", rank, ")");
    return success();
  }

  LogicalResult positive(ArrayRef<int64_t> values, size_t count,
                         StringRef what) const {
    if (values.size() != count ||
        llvm::any_of(values, [](int64_t v) { return v <= 0; }))
      return fail(what, " must have ", count, " positive entries");
    return success();
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

// The number of elements of a static shape, if it fits in int64.
std::optional<int64_t> elementCount(ArrayRef<int64_t> shape) {
  std::optional<int64_t> count = 1;
  for (int64_t dim : shape)
    if (count)
      count = llvm::checkedMul(*count, dim);
  return count;
}

// The vector of a rank-1 parameter such as a bias, gamma or beta must have as
// many entries as the channel dimension it applies to.
LogicalResult checkVector(const RuleChecker &rules, Value vector,
                          int64_t channels, StringRef what) {
  RankedTensorType type = rules.tensor(vector, what);
  if (!type || failed(rules.rank(type, 1, what)))
    return failure();
  return rules.sameDim(type.getDimSize(0), channels, what + Twine(" size"));
}

// group_norm and layer_norm: a positive epsilon, and gamma and beta vectors
// of the normalized channels, in the input's element type.
template <typename Adaptor>
LogicalResult checkNormAffine(const RuleChecker &rules, Adaptor adaptor,
                              RankedTensorType input, int64_t channels) {
  if (!(adaptor.getEpsilon().convertToDouble() > 0.0))
    return rules.fail("epsilon must be positive");
  if (failed(checkVector(rules, adaptor.getGamma(), channels, "gamma")) ||
      failed(checkVector(rules, adaptor.getBeta(), channels, "beta")))
    return failure();
  return rules.sameElementType(
      {input, cast<RankedTensorType>(adaptor.getGamma().getType()),
       cast<RankedTensorType>(adaptor.getBeta().getType())});
}

// A window of `kernel` must fit into the `extent` it slides over.
LogicalResult checkWindow(const RuleChecker &rules, int64_t extent,
                          int64_t kernel, StringRef what) {
  if (isStatic(extent) && isStatic(kernel) && extent < kernel)
    return rules.fail(what, " (", extent, ") is smaller than the kernel (",
                      kernel, ")");
  return success();
}

// The result type by the op's size rule (SizeRules.h), once the operands
// have passed the op's checks.
template <typename... RuleArgs>
LogicalResult inferByRule(Type elementType, SmallVectorImpl<Type> &inferred,
                          RuleArgs &&...ruleArgs) {
  StaticSizes sizes;
  inferred.push_back(RankedTensorType::get(
      resultSizes(sizes, std::forward<RuleArgs>(ruleArgs)...), elementType));
  return success();
}

template <typename Adaptor>
LogicalResult inferBroadcast(StringRef opName, std::optional<Location> loc,
                             Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, opName);
  auto lhs = rules.tensor(adaptor.getLhs(), "lhs");
  auto rhs = rules.tensor(adaptor.getRhs(), "rhs");
  if (!lhs || !rhs || failed(rules.sameElementType({lhs, rhs})))
    return failure();
  int64_t rank = std::max(lhs.getRank(), rhs.getRank());
  for (int64_t i = 0; i < rank; ++i) {
    int64_t li = i - (rank - lhs.getRank()), ri = i - (rank - rhs.getRank());
    int64_t a = li >= 0 ? lhs.getDimSize(li) : 1;
    int64_t b = ri >= 0 ? rhs.getDimSize(ri) : 1;
    if (a != 1 && b != 1 && isStatic(a) && isStatic(b) && a != b)
      return rules.fail("operands are not broadcastable: ", lhs, " and ", rhs,
                        " differ in dimension ", i, " of the result");
  }
  StaticSizes sizes;
  inferred.push_back(RankedTensorType::get(
      broadcastSizes(sizes, adaptor.getLhs(), adaptor.getRhs()),
      lhs.getElementType()));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// weight, constant, dim
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  if (getName().empty())
    return emitOpError("name must not be empty");
  if (!getType().hasStaticShape())
    return emitOpError("weight shape must be static, got ") << getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult DimOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ")
           << axis << " is out of range [0, " << rank << ")";
  return success();
}

OpFoldResult DimOp::fold(FoldAdaptor) {
  int64_t size = getInput().getType().getDimSize(getAxis());
  if (!isStatic(size))
    return {};
  return IntegerAttr::get(IndexType::get(getContext()), size);
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  auto weight = rules.tensor(adaptor.getWeight(), "weight");
  if (!input || !weight || failed(rules.rank(input, 4, "input (NCHW)")) ||
      failed(rules.rank(weight, 4, "weight (OIHW)")) ||
      failed(rules.sameElementType({input, weight})) ||
      failed(rules.positive(adaptor.getStride(), 2, "stride")))
    return failure();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  if (padding.size() != 4 ||
      llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return rules.fail("padding must have 4 non-negative entries "
                      "[top, bottom, left, right]");
  int64_t groups = static_cast<int64_t>(adaptor.getGroups());
  if (groups < 1)
    return rules.fail("groups must be positive, got ", groups);

  int64_t outChannels = weight.getDimSize(0);
  if (isStatic(outChannels) && outChannels % groups != 0)
    return rules.fail("output channels (", outChannels,
                      ") must be divisible by groups (", groups, ")");
  int64_t inChannels = input.getDimSize(1), perGroup = weight.getDimSize(1);
  if (isStatic(inChannels) && isStatic(perGroup) &&
      inChannels != perGroup * groups)
    return rules.fail("input has ", inChannels,
                      " channels but the weight "
                      "expects ",
                      perGroup, " per group x ", groups, " groups");
  if (Value bias = adaptor.getBias()) {
    if (failed(checkVector(rules, bias, outChannels, "bias")) ||
        failed(rules.sameElementType(
            {input, cast<RankedTensorType>(bias.getType())})))
      return failure();
  }
  auto paddedSize = [&](int64_t size, int64_t lo,
                        int64_t hi) -> FailureOr<int64_t> {
    if (!isStatic(size))
      return kDynamic;
    std::optional<int64_t> padded = llvm::checkedAdd(size, lo);
    if (padded)
      padded = llvm::checkedAdd(*padded, hi);
    if (!padded || !isStatic(*padded))
      return rules.fail("padded size overflows");
    return *padded;
  };
  FailureOr<int64_t> paddedHeight =
      paddedSize(input.getDimSize(2), padding[0], padding[1]);
  FailureOr<int64_t> paddedWidth =
      paddedSize(input.getDimSize(3), padding[2], padding[3]);
  if (failed(paddedHeight) || failed(paddedWidth))
    return failure();
  if (failed(checkWindow(rules, *paddedHeight, weight.getDimSize(2),
                         "padded input height")) ||
      failed(checkWindow(rules, *paddedWidth, weight.getDimSize(3),
                         "padded input width")))
    return failure();
  return inferByRule(input.getElementType(), inferred, adaptor);
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  auto weight = rules.tensor(adaptor.getWeight(), "weight");
  if (!input || !weight || failed(rules.minRank(input, 1, "input")) ||
      failed(rules.rank(weight, 2, "weight ([out, in])")) ||
      failed(rules.sameElementType({input, weight})) ||
      failed(rules.sameDim(input.getShape().back(), weight.getDimSize(1),
                           "input features and weight in-features")))
    return failure();
  int64_t outFeatures = weight.getDimSize(0);
  if (Value bias = adaptor.getBias()) {
    if (failed(checkVector(rules, bias, outFeatures, "bias")) ||
        failed(rules.sameElementType(
            {input, cast<RankedTensorType>(bias.getType())})))
      return failure();
  }
  return inferByRule(input.getElementType(), inferred, adaptor);
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto lhs = rules.tensor(adaptor.getLhs(), "lhs");
  auto rhs = rules.tensor(adaptor.getRhs(), "rhs");
  if (!lhs || !rhs || failed(rules.minRank(lhs, 2, "lhs")) ||
      failed(rules.sameElementType({lhs, rhs})))
    return failure();
  int64_t rank = lhs.getRank();
  if (rhs.getRank() != rank)
    return rules.fail("lhs and rhs must have the same rank (", rank, " vs ",
                      rhs.getRank(), ")");
  for (int64_t i = 0; i < rank - 2; ++i)
    if (failed(rules.sameDim(lhs.getDimSize(i), rhs.getDimSize(i),
                             "batch dimension " + Twine(i))))
      return failure();
  if (failed(rules.sameDim(lhs.getDimSize(rank - 1), rhs.getDimSize(rank - 2),
                           "contraction dimension (lhs K and rhs K)")))
    return failure();
  return inferByRule(lhs.getElementType(), inferred, adaptor);
  return success();
}

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto query = rules.tensor(adaptor.getQuery(), "query");
  auto key = rules.tensor(adaptor.getKey(), "key");
  auto value = rules.tensor(adaptor.getValue(), "value");
  if (!query || !key || !value ||
      failed(rules.rank(query, 3, "query ([B, Lq, E])")) ||
      failed(rules.rank(key, 3, "key ([B, Lk, E])")) ||
      failed(rules.rank(value, 3, "value ([B, Lk, Ev])")) ||
      failed(rules.sameElementType({query, key, value})))
    return failure();
  int64_t heads = static_cast<int64_t>(adaptor.getNumHeads());
  if (heads < 1)
    return rules.fail("num_heads must be positive, got ", heads);
  FailureOr<int64_t> batch = rules.sameDim(
      query.getDimSize(0), key.getDimSize(0), "query and key batch");
  if (failed(batch) ||
      failed(batch = rules.sameDim(*batch, value.getDimSize(0),
                                   "query and value batch")) ||
      failed(rules.sameDim(key.getDimSize(1), value.getDimSize(1),
                           "key and value lengths")) ||
      failed(rules.sameDim(query.getDimSize(2), key.getDimSize(2),
                           "query and key embedding sizes")))
    return failure();
  for (auto [type, what] : {std::pair{query, "query"}, {value, "value"}}) {
    int64_t embed = type.getDimSize(2);
    if (isStatic(embed) && embed % heads != 0)
      return rules.fail(what, " embedding size (", embed,
                        ") must be divisible by num_heads (", heads, ")");
  }
  if (Value maskValue = adaptor.getMask()) {
    auto mask = rules.tensor(maskValue, "mask");
    if (!mask || failed(rules.sameElementType({query, mask})))
      return failure();
    if (mask.getRank() != 2 && mask.getRank() != 3)
      return rules.fail("mask must be [Lq, Lk] or [B, Lq, Lk], got ", mask);
    int64_t r = mask.getRank();
    if ((r == 3 && failed(rules.sameDim(mask.getDimSize(0), *batch,
                                        "mask batch and query batch"))) ||
        failed(rules.sameDim(mask.getDimSize(r - 2), query.getDimSize(1),
                             "mask rows and query length")) ||
        failed(rules.sameDim(mask.getDimSize(r - 1), key.getDimSize(1),
                             "mask columns and key length")))
      return failure();
  }
  if (std::optional<APFloat> scale = adaptor.getScale();
      scale && !(scale->convertToDouble() > 0.0))
    return rules.fail("scale must be positive");
  return inferByRule(query.getElementType(), inferred, adaptor);
}

//===----------------------------------------------------------------------===//
// Normalizations and activations
//===----------------------------------------------------------------------===//

LogicalResult GroupNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  if (!input || failed(rules.minRank(input, 2, "input ([N, C, ...])")))
    return failure();
  int64_t groups = static_cast<int64_t>(adaptor.getNumGroups());
  int64_t channels = input.getDimSize(1);
  if (groups < 1)
    return rules.fail("num_groups must be positive, got ", groups);
  if (isStatic(channels) && channels % groups != 0)
    return rules.fail("channels (", channels,
                      ") must be divisible by num_groups (", groups, ")");
  if (failed(checkNormAffine(rules, adaptor, input, channels)))
    return failure();
  inferred.push_back(input);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  if (!input || failed(rules.minRank(input, 1, "input")))
    return failure();
  if (failed(checkNormAffine(rules, adaptor, input, input.getShape().back())))
    return failure();
  inferred.push_back(input);
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  if (!input || failed(rules.axis(static_cast<int64_t>(adaptor.getAxis()),
                                  input.getRank())))
    return failure();
  inferred.push_back(input);
  return success();
}

LogicalResult GegluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  if (!input || failed(rules.minRank(input, 1, "input")))
    return failure();
  int64_t features = input.getShape().back();
  if (isStatic(features) && features % 2 != 0)
    return rules.fail("last dimension (", features, ") must be even");
  return inferByRule(input.getElementType(), inferred, adaptor);
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

// add, sub, mul and div infer through inferBroadcast (see AvilaOps.td).

OpFoldResult AddScalarOp::fold(FoldAdaptor) {
  return getScalar().isZero() ? getInput() : Value();
}

OpFoldResult MulScalarOp::fold(FoldAdaptor) {
  return getScalar().isExactlyValue(1.0) ? getInput() : Value();
}

LogicalResult ClampOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("min (")
           << getMin().convertToDouble() << ") must not exceed max ("
           << getMax().convertToDouble() << ")";
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : Value();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  SmallVector<RankedTensorType> inputs;
  for (Value input : adaptor.getInputs()) {
    inputs.push_back(rules.tensor(input, "input"));
    if (!inputs.back())
      return failure();
  }
  if (inputs.empty())
    return rules.fail("needs at least one input");
  int64_t rank = inputs.front().getRank();
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (failed(rules.sameElementType(inputs)) || failed(rules.axis(axis, rank)))
    return failure();
  // The sizes so far, merged and summed as the rule does, to check each
  // input against and to catch a sum that overflows.
  SmallVector<int64_t> shape(inputs.front().getShape());
  for (auto [index, input] : llvm::enumerate(ArrayRef(inputs).drop_front())) {
    if (input.getRank() != rank)
      return rules.fail("inputs must have the same rank (", inputs.front(),
                        " vs ", input, ")");
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        int64_t size = input.getDimSize(d);
        std::optional<int64_t> sum = isStatic(shape[d]) && isStatic(size)
                                         ? llvm::checkedAdd(shape[d], size)
                                         : kDynamic;
        if (!sum || (isStatic(shape[d]) && isStatic(size) && !isStatic(*sum)))
          return rules.fail("concatenated size overflows");
        shape[d] = *sum;
        continue;
      }
      FailureOr<int64_t> dim = rules.sameDim(
          shape[d], input.getDimSize(d),
          "dimension " + Twine(d) + " of input " + Twine(index + 1));
      if (failed(dim))
        return failure();
      shape[d] = *dim;
    }
  }
  return inferByRule(inputs.front().getElementType(), inferred, adaptor);
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (!input || failed(rules.axis(axis, input.getRank())))
    return failure();
  int64_t start = static_cast<int64_t>(adaptor.getStart());
  int64_t end = static_cast<int64_t>(adaptor.getEnd());
  int64_t size = input.getDimSize(axis);
  if (start < 0 || end <= start)
    return rules.fail("slice [", start, ":", end,
                      "] must satisfy 0 <= start < end");
  if (isStatic(size) && end > size)
    return rules.fail("slice end (", end, ") exceeds dimension size (", size,
                      ")");
  return inferByRule(input.getElementType(), inferred, adaptor);
}

LogicalResult SplitOp::verify() {
  RankedTensorType input = getInput().getType();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= input.getRank())
    return emitOpError("axis ")
           << axis << " is out of range [0, " << input.getRank() << ")";
  int64_t parts = getNumResults();
  if (parts == 0)
    return emitOpError("must have at least one result");
  int64_t size = input.getDimSize(axis);
  if (isStatic(size) && size % parts != 0)
    return emitOpError("dimension ")
           << axis << " (" << size << ") is not divisible into " << parts
           << " equal parts";
  StaticSizes sizes;
  SmallVector<int64_t> part = resultSizes(sizes, Adaptor(*this), parts);
  for (Type type : getResultTypes()) {
    auto result = cast<RankedTensorType>(type);
    if (result.getElementType() != input.getElementType() ||
        failed(verifyCompatibleShape(result.getShape(), part)))
      return emitOpError("result type ")
             << result << " does not match the part shape "
             << RankedTensorType::get(part, input.getElementType());
  }
  return success();
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  if (input.getElementType() != result.getElementType())
    return emitOpError("element types must match (")
           << input.getElementType() << " vs " << result.getElementType()
           << ")";
  int64_t dynamicDims = result.getNumDynamicDims();
  if (static_cast<int64_t>(getDims().size()) != dynamicDims)
    return emitOpError("result type ")
           << result << " has " << dynamicDims << " dynamic dimensions but "
           << getDims().size() << " dims operands were given";
  if (input.hasStaticShape() && result.hasStaticShape()) {
    std::optional<int64_t> from = elementCount(input.getShape());
    std::optional<int64_t> to = elementCount(result.getShape());
    if (!from || !to)
      return emitOpError("element count overflows");
    if (*from != *to)
      return emitOpError("element count changes from ")
             << *from << " to " << *to;
  }
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  return {};
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  if (!input)
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = input.getRank();
  SmallVector<bool> seen(rank, false);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    valid = valid && p >= 0 && p < rank && !seen[p];
    if (valid)
      seen[p] = true;
  }
  if (!valid)
    return rules.fail("perm must be a permutation of [0, ", rank, ")");
  return inferByRule(input.getElementType(), inferred, adaptor);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (static_cast<int64_t>(i) != p)
      return {};
  return getInput();
}

LogicalResult UpsampleNearestOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  if (input.getRank() != 4 || result.getRank() != 4)
    return emitOpError("input and result must be NCHW (rank 4)");
  if (input.getElementType() != result.getElementType())
    return emitOpError("element types must match");
  for (int64_t d : {0, 1})
    if (failed(verifyCompatibleShape({input.getDimSize(d)},
                                     {result.getDimSize(d)})))
      return emitOpError("result dimension ")
             << d << " (" << result.getDimSize(d)
             << ") must equal the input's (" << input.getDimSize(d) << ")";
  if (getSize().empty()) {
    StaticSizes sizes;
    SmallVector<int64_t> expected = resultSizes(sizes, Adaptor(*this));
    for (int64_t d : {2, 3}) {
      int64_t out = result.getDimSize(d);
      if (isStatic(expected[d]) && isStatic(out) && out != expected[d])
        return emitOpError("without a size the result dimension ")
               << d << " must be twice the input's (" << expected[d]
               << "), got " << out;
    }
    return success();
  }
  if (getSize().size() != 2)
    return emitOpError("size must give [height, width], got ")
           << getSize().size() << " values";
  return success();
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  if (!input || failed(rules.rank(input, 4, "input (NCHW)")) ||
      failed(rules.positive(adaptor.getKernel(), 2, "kernel")) ||
      failed(rules.positive(adaptor.getStride(), 2, "stride")))
    return failure();
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  if (failed(
          checkWindow(rules, input.getDimSize(2), kernel[0], "input height")) ||
      failed(checkWindow(rules, input.getDimSize(3), kernel[1], "input width")))
    return failure();
  return inferByRule(input.getElementType(), inferred, adaptor);
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto table = rules.tensor(adaptor.getTable(), "table");
  auto ids = rules.tensor(adaptor.getIds(), "ids");
  if (!table || !ids || failed(rules.minRank(table, 1, "table")))
    return failure();
  return inferByRule(table.getElementType(), inferred, adaptor);
}

LogicalResult TimestepEmbeddingOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  RuleChecker rules(loc, getOperationName());
  auto input = rules.tensor(adaptor.getInput(), "input");
  if (!input || failed(rules.rank(input, 1, "input ([N] timesteps)")))
    return failure();
  int64_t dim = static_cast<int64_t>(adaptor.getDim());
  if (dim < 2)
    return rules.fail("dim must be at least 2, got ", dim);
  if (static_cast<double>(dim / 2) == adaptor.getShift().convertToDouble())
    return rules.fail("shift must differ from dim / 2 (it divides by their "
                      "difference)");
  if (!(adaptor.getMaxPeriod().convertToDouble() > 0.0))
    return rules.fail("max_period must be positive");
  return inferByRule(input.getElementType(), inferred, adaptor);
}

#define GET_OP_CLASSES
#include "compiler/dialect/AvilaOps.cpp.inc"

std::optional<double> AttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToDouble();
  const int64_t embed = getQuery().getType().getDimSize(2);
  if (ShapedType::isDynamic(embed))
    return std::nullopt;
  return 1.0 / std::sqrt(static_cast<double>(embed / getNumHeads()));
}
