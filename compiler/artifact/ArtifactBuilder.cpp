//===- ArtifactBuilder.cpp - Compile model graphs into an artifact --------===//

#include "compiler/artifact/ArtifactBuilder.h"
#include "compiler/dialect/AvilaOps.h"
#include "compiler/phases/Phases.h"
#include "runtime/artifact/Artifact.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>
#include <tuple>

using namespace mlir;
namespace fb = avila::artifact;

namespace avila {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

// The size expressions of one entry point, hash-consed, constants folded.
class ExprTable {
public:
  uint32_t constant(int64_t value) {
    fb::ExprT expr;
    expr.op = fb::ExprOp::Constant;
    expr.value = value;
    return add(expr);
  }
  uint32_t inputDim(uint32_t input, uint32_t axis) {
    fb::ExprT expr;
    expr.op = fb::ExprOp::InputDim;
    expr.input = input;
    expr.axis = axis;
    return add(expr);
  }
  uint32_t binary(fb::ExprOp op, uint32_t lhs, uint32_t rhs) {
    std::optional<int64_t> a = constantValue(lhs), b = constantValue(rhs);
    if (a && b) {
      switch (op) {
      case fb::ExprOp::Add:
        return constant(*a + *b);
      case fb::ExprOp::Sub:
        return constant(*a - *b);
      case fb::ExprOp::Mul:
        return constant(*a * *b);
      case fb::ExprOp::FloorDiv:
        if (*b > 0)
          return constant(*a / *b - (*a % *b != 0 && *a < 0));
        break;
      case fb::ExprOp::CeilDiv:
        if (*b > 0)
          return constant(*a / *b + (*a % *b != 0 && *a > 0));
        break;
      case fb::ExprOp::Max:
        return constant(std::max(*a, *b));
      default:
        break;
      }
    }
    // x - c is x + (-c); sums of constants gather in one term; 0 and 1
    // vanish. Sizes then read as in0[2] - 2 rather than ((in0[2] + 2) - 3) + 1.
    if (op == fb::ExprOp::Sub && b)
      return binary(fb::ExprOp::Add, lhs, constant(-*b));
    if (op == fb::ExprOp::Add) {
      if (a == 0)
        return rhs;
      if (b == 0)
        return lhs;
      if (b && exprs[lhs].op == fb::ExprOp::Add)
        if (std::optional<int64_t> inner = constantValue(exprs[lhs].rhs))
          return binary(fb::ExprOp::Add, exprs[lhs].lhs, constant(*inner + *b));
    }
    if (op == fb::ExprOp::Mul && a == 1)
      return rhs;
    if ((op == fb::ExprOp::Mul || op == fb::ExprOp::FloorDiv) && b == 1)
      return lhs;
    fb::ExprT expr;
    expr.op = op;
    expr.lhs = lhs;
    expr.rhs = rhs;
    return add(expr);
  }
  uint32_t product(ArrayRef<uint32_t> factors) {
    uint32_t result = constant(1);
    for (uint32_t factor : factors)
      result = binary(fb::ExprOp::Mul, result, factor);
    return result;
  }

  /// The value of `index` when every input dimension is `dim` (overflow
  /// wraps; only used to rank sizes).
  int64_t estimate(uint32_t index, int64_t dim) const {
    const fb::ExprT &expr = exprs[index];
    auto operand = [&](uint32_t i) { return estimate(i, dim); };
    switch (expr.op) {
    case fb::ExprOp::Constant:
      return expr.value;
    case fb::ExprOp::InputDim:
      return dim;
    case fb::ExprOp::Add:
      return operand(expr.lhs) + operand(expr.rhs);
    case fb::ExprOp::Sub:
      return operand(expr.lhs) - operand(expr.rhs);
    case fb::ExprOp::Mul:
      return operand(expr.lhs) * operand(expr.rhs);
    case fb::ExprOp::FloorDiv:
    case fb::ExprOp::CeilDiv: {
      const int64_t divisor = std::max<int64_t>(1, operand(expr.rhs));
      return (operand(expr.lhs) +
              (expr.op == fb::ExprOp::CeilDiv ? divisor - 1 : 0)) /
             divisor;
    }
    case fb::ExprOp::Max:
      return std::max(operand(expr.lhs), operand(expr.rhs));
    }
    return 0;
  }

  std::vector<std::unique_ptr<fb::ExprT>> take() {
    std::vector<std::unique_ptr<fb::ExprT>> result;
    for (const fb::ExprT &expr : exprs)
      result.push_back(std::make_unique<fb::ExprT>(expr));
    return result;
  }

private:
  std::optional<int64_t> constantValue(uint32_t index) const {
    if (exprs[index].op == fb::ExprOp::Constant)
      return exprs[index].value;
    return std::nullopt;
  }
  uint32_t add(const fb::ExprT &expr) {
    auto key = std::make_tuple(static_cast<int>(expr.op), expr.value,
                               expr.input, expr.axis, expr.lhs, expr.rhs);
    auto [it, inserted] = cache.try_emplace(key, exprs.size());
    if (inserted)
      exprs.push_back(expr);
    return it->second;
  }

  std::vector<fb::ExprT> exprs;
  std::map<std::tuple<int, int64_t, uint32_t, uint32_t, uint32_t, uint32_t>,
           uint32_t>
      cache;
};

using Dims = SmallVector<uint32_t>;

// The activation arena as slots: a tensor takes a free slot when its
// dispatch runs and frees it after its last reader, so tensors whose
// lifetimes do not overlap share memory. Sizes depend on the request, so a
// slot's size is the Max expression of its tenants' sizes and its offset the
// sum of the slots before it; the runtime evaluates both per request. Slots
// are matched by their size when every input dimension is 64 (a typical
// latent): the smallest free slot that fits, else the largest free one
// (grown), else a new one.
class ArenaPlanner {
public:
  explicit ArenaPlanner(ExprTable &exprs) : exprs(exprs) {}

  unsigned allocate(uint32_t bytes) {
    const int64_t need = exprs.estimate(bytes, kTypicalDim);
    std::optional<unsigned> fit, largest;
    for (auto [index, slot] : llvm::enumerate(slots)) {
      if (!slot.free)
        continue;
      if (slot.estimate >= need &&
          (!fit || slot.estimate < slots[*fit].estimate))
        fit = index;
      if (!largest || slot.estimate > slots[*largest].estimate)
        largest = index;
    }
    const unsigned chosen = fit ? *fit : largest ? *largest : slots.size();
    if (chosen == slots.size())
      slots.push_back({bytes, need, false});
    Slot &slot = slots[chosen];
    slot.free = false;
    if (slot.size != bytes) {
      slot.size = exprs.binary(fb::ExprOp::Max, slot.size, bytes);
      slot.estimate = std::max(slot.estimate, need);
    }
    return chosen;
  }

  void release(unsigned slot) { slots[slot].free = true; }

  /// Byte offset expression of every slot, each a multiple of `alignment`,
  /// and the arena size.
  std::pair<std::vector<uint32_t>, uint32_t> layout(int64_t alignment) {
    std::vector<uint32_t> offsets;
    uint32_t end = exprs.constant(0);
    for (const Slot &slot : slots) {
      offsets.push_back(end);
      uint32_t aligned =
          exprs.binary(fb::ExprOp::Mul,
                       exprs.binary(fb::ExprOp::CeilDiv, slot.size,
                                    exprs.constant(alignment)),
                       exprs.constant(alignment));
      end = exprs.binary(fb::ExprOp::Add, end, aligned);
    }
    return {offsets, end};
  }

private:
  static constexpr int64_t kTypicalDim = 64;
  struct Slot {
    uint32_t size;
    int64_t estimate;
    bool free;
  };
  ExprTable &exprs;
  std::vector<Slot> slots;
};

// Sizes of every tensor and index value of an entry function and of the
// dispatches it calls, as expressions over the entry's input dimensions.
class ShapeEvaluator {
public:
  explicit ShapeEvaluator(ExprTable &table) : table(table) {}

  llvm::Error evaluate(func::FuncOp function) {
    for (auto [position, argument] : llvm::enumerate(function.getArguments())) {
      auto type = cast<RankedTensorType>(argument.getType());
      Dims dims;
      for (int64_t axis = 0; axis < type.getRank(); ++axis)
        dims.push_back(type.isDynamicDim(axis)
                           ? table.inputDim(position, axis)
                           : table.constant(type.getDimSize(axis)));
      tensors[argument] = dims;
    }
    return evaluateBody(function);
  }

  const Dims &dims(Value value) const { return tensors.find(value)->second; }
  uint32_t index(Value value) const { return indices.find(value)->second; }
  /// Pairs of sizes the ops require to be equal, for the runtime to check.
  const std::vector<std::pair<uint32_t, uint32_t>> &equalities() const {
    return equal;
  }

private:
  llvm::Error evaluateBody(func::FuncOp function) {
    for (Operation &op : function.getBody().front()) {
      if (isa<func::ReturnOp>(op))
        continue;
      if (auto call = dyn_cast<func::CallOp>(op)) {
        auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
            call, call.getCalleeAttr());
        for (auto [argument, operand] :
             llvm::zip(callee.getArguments(), call.getOperands()))
          bind(argument, operand);
        if (auto error = evaluateBody(callee))
          return error;
        auto returned = callee.getBody().front().getTerminator()->getOperands();
        for (auto [result, value] : llvm::zip(call.getResults(), returned))
          bind(result, value);
        continue;
      }
      if (auto error = evaluateOp(&op))
        return error;
    }
    return llvm::Error::success();
  }

  // (Copies before inserting: an insertion may move the map's storage.)
  void bind(Value to, Value from) {
    if (from.getType().isIndex()) {
      uint32_t value = indices.lookup(from);
      indices[to] = value;
    } else {
      Dims value = tensors.lookup(from);
      tensors[to] = std::move(value);
    }
  }

  uint32_t staticOr(RankedTensorType type, int64_t axis, uint32_t expr) {
    return type.isDynamicDim(axis) ? expr
                                   : table.constant(type.getDimSize(axis));
  }

  llvm::Error evaluateOp(Operation *op);

  void requireEqual(uint32_t a, uint32_t b) {
    if (a != b)
      equal.emplace_back(a, b);
  }

  ExprTable &table;
  DenseMap<Value, Dims> tensors;
  DenseMap<Value, uint32_t> indices;
  std::vector<std::pair<uint32_t, uint32_t>> equal;
};

llvm::Error ShapeEvaluator::evaluateOp(Operation *op) {
  using fb::ExprOp;
  auto in = [&](unsigned i) { return tensors.lookup(op->getOperand(i)); };
  auto idx = [&](unsigned i) { return indices.lookup(op->getOperand(i)); };
  if (op->getNumResults() == 1 && op->getResult(0).getType().isIndex()) {
    std::optional<uint32_t> value =
        llvm::TypeSwitch<Operation *, std::optional<uint32_t>>(op)
            .Case([&](DimOp dim) { return in(0)[dim.getAxis()]; })
            .Case([&](arith::ConstantIndexOp c) {
              return table.constant(c.value());
            })
            .Case([&](arith::AddIOp) {
              return table.binary(ExprOp::Add, idx(0), idx(1));
            })
            .Case([&](arith::SubIOp) {
              return table.binary(ExprOp::Sub, idx(0), idx(1));
            })
            .Case([&](arith::MulIOp) {
              return table.binary(ExprOp::Mul, idx(0), idx(1));
            })
            .Case([&](arith::FloorDivSIOp) {
              return table.binary(ExprOp::FloorDiv, idx(0), idx(1));
            })
            .Case([&](arith::CeilDivSIOp) {
              return table.binary(ExprOp::CeilDiv, idx(0), idx(1));
            })
            .Default([](Operation *) { return std::nullopt; });
    if (!value)
      return fail("no size rule for '" + op->getName().getStringRef() + "'");
    indices[op->getResult(0)] = *value;
    return llvm::Error::success();
  }

  auto resultType = [&](unsigned i) {
    return cast<RankedTensorType>(op->getResult(i).getType());
  };
  // Dims of every result, from the rule for `op`; static sizes of the
  // declared type win.
  SmallVector<Dims> results;
  auto windowed = [&](uint32_t extent, int64_t kernel, int64_t stride) {
    uint32_t span = table.binary(ExprOp::Sub, extent, table.constant(kernel));
    return table.binary(
        ExprOp::Add,
        table.binary(ExprOp::FloorDiv, span, table.constant(stride)),
        table.constant(1));
  };
  bool known = true;
  llvm::TypeSwitch<Operation *>(op)
      .Case<WeightOp, ConstantOp>([&](Operation *) { results.push_back({}); })
      .Case<SiluOp, GeluOp, QuickGeluOp, SigmoidOp, TanhOp, ExpOp, SqrtOp,
            RsqrtOp, AddScalarOp, MulScalarOp, ClampOp, CastOp, GroupNormOp,
            LayerNormOp, SoftmaxOp>(
          [&](Operation *) { results.push_back(in(0)); })
      .Case<AddOp, SubOp, MulOp, DivOp>([&](Operation *) {
        auto type = resultType(0);
        const Dims a = in(0), b = in(1);
        auto aType = cast<RankedTensorType>(op->getOperand(0).getType());
        auto bType = cast<RankedTensorType>(op->getOperand(1).getType());
        Dims dims;
        for (int64_t i = 0; i < type.getRank(); ++i) {
          int64_t ai = i - (type.getRank() - aType.getRank());
          int64_t bi = i - (type.getRank() - bType.getRank());
          const bool fromA = ai >= 0 && aType.getDimSize(ai) != 1;
          const bool fromB = bi >= 0 && bType.getDimSize(bi) != 1;
          if (fromA && fromB)
            requireEqual(a[ai], b[bi]);
          dims.push_back(fromA ? a[ai] : fromB ? b[bi] : table.constant(1));
        }
        results.push_back(dims);
      })
      .Case([&](Conv2DOp conv) {
        const Dims x = in(0);
        ArrayRef<int64_t> pad = conv.getPadding(), stride = conv.getStride();
        auto weight = conv.getWeight().getType();
        auto padded = [&](uint32_t size, int64_t lo, int64_t hi) {
          return table.binary(ExprOp::Add, size, table.constant(lo + hi));
        };
        results.push_back({x[0], table.constant(weight.getDimSize(0)),
                           windowed(padded(x[2], pad[0], pad[1]),
                                    weight.getDimSize(2), stride[0]),
                           windowed(padded(x[3], pad[2], pad[3]),
                                    weight.getDimSize(3), stride[1])});
      })
      .Case([&](LinearOp linear) {
        Dims dims = in(0);
        dims.back() =
            table.constant(linear.getWeight().getType().getDimSize(0));
        results.push_back(dims);
      })
      .Case([&](MatmulOp) {
        // Batch dims pairwise, and lhs K (last) with rhs K (second last).
        Dims lhs = in(0), rhs = in(1);
        for (size_t i = 0; i + 1 < lhs.size(); ++i)
          requireEqual(i + 2 < lhs.size() ? lhs[i] : lhs.back(), rhs[i]);
        lhs.back() = rhs.back();
        results.push_back(lhs);
      })
      .Case([&](AttentionOp attention) {
        Dims q = in(0), k = in(1), v = in(2);
        requireEqual(q[0], k[0]);
        requireEqual(q[0], v[0]);
        requireEqual(k[1], v[1]);
        if (attention.getMask()) {
          Dims mask = in(3);
          requireEqual(mask[mask.size() - 2], q[1]);
          requireEqual(mask.back(), k[1]);
          if (mask.size() == 3)
            requireEqual(mask[0], q[0]);
        }
        results.push_back({q[0], q[1], v[2]});
      })
      .Case([&](GegluOp) {
        Dims dims = in(0);
        dims.back() =
            table.binary(ExprOp::FloorDiv, dims.back(), table.constant(2));
        results.push_back(dims);
      })
      .Case([&](ConcatOp concat) {
        Dims dims = in(0);
        const int64_t axis = concat.getAxis();
        for (unsigned i = 1; i < op->getNumOperands(); ++i) {
          Dims other = in(i);
          for (size_t d = 0; d < dims.size(); ++d)
            if (static_cast<int64_t>(d) != axis)
              requireEqual(dims[d], other[d]);
          dims[axis] = table.binary(ExprOp::Add, dims[axis], other[axis]);
        }
        results.push_back(dims);
      })
      .Case([&](SliceOp slice) {
        Dims dims = in(0);
        dims[slice.getAxis()] =
            table.constant(slice.getEnd() - slice.getStart());
        results.push_back(dims);
      })
      .Case([&](SplitOp split) {
        Dims dims = in(0);
        const int64_t axis = split.getAxis();
        dims[axis] = table.binary(ExprOp::FloorDiv, dims[axis],
                                  table.constant(split.getNumResults()));
        for (unsigned i = 0; i < split.getNumResults(); ++i)
          results.push_back(dims);
      })
      .Case([&](ReshapeOp reshape) {
        Dims dims;
        auto operands = reshape.getDims().begin();
        for (int64_t size : reshape.getType().getShape())
          dims.push_back(ShapedType::isDynamic(size)
                             ? indices.lookup(*operands++)
                             : table.constant(size));
        results.push_back(dims);
      })
      .Case([&](TransposeOp transpose) {
        Dims dims;
        for (int64_t p : transpose.getPerm())
          dims.push_back(in(0)[p]);
        results.push_back(dims);
      })
      .Case([&](UpsampleNearestOp upsample) {
        Dims dims = in(0);
        if (upsample.getSize().empty()) {
          dims[2] = table.binary(ExprOp::Mul, dims[2], table.constant(2));
          dims[3] = table.binary(ExprOp::Mul, dims[3], table.constant(2));
        } else {
          dims[2] = indices.lookup(upsample.getSize()[0]);
          dims[3] = indices.lookup(upsample.getSize()[1]);
        }
        results.push_back(dims);
      })
      .Case([&](AvgPool2DOp pool) {
        Dims dims = in(0);
        dims[2] = windowed(dims[2], pool.getKernel()[0], pool.getStride()[0]);
        dims[3] = windowed(dims[3], pool.getKernel()[1], pool.getStride()[1]);
        results.push_back(dims);
      })
      .Case([&](GatherOp) {
        Dims dims = in(1);
        dims.append(in(0).begin() + 1, in(0).end());
        results.push_back(dims);
      })
      .Case([&](TimestepEmbeddingOp embedding) {
        results.push_back({in(0)[0], table.constant(embedding.getDim())});
      })
      .Default([&](Operation *) { known = false; });
  if (!known)
    return fail("no size rule for '" + op->getName().getStringRef() + "'");
  for (unsigned i = 0; i < op->getNumResults(); ++i) {
    auto type = resultType(i);
    Dims dims = results[i];
    dims.resize(type.getRank(), 0);
    for (int64_t axis = 0; axis < type.getRank(); ++axis)
      dims[axis] = staticOr(type, axis, dims[axis]);
    tensors[op->getResult(i)] = dims;
  }
  return llvm::Error::success();
}

llvm::Expected<fb::ElementType> elementType(Type type) {
  if (type.isF32())
    return fb::ElementType::F32;
  if (type.isF16())
    return fb::ElementType::F16;
  if (type.isBF16())
    return fb::ElementType::BF16;
  if (type.isSignlessInteger(32))
    return fb::ElementType::I32;
  if (type.isSignlessInteger(64))
    return fb::ElementType::I64;
  return fail("unsupported element type");
}

int64_t elementBytes(Type type) { return type.getIntOrFloatBitWidth() / 8; }

// The rows of the table an entry argument indexes (token ids into the
// embedding), read through the dispatches that take it; 0 when it indexes
// none. The runtime refuses ids beyond it, as the interpreter does, since
// the compiled gather only clamps them.
int64_t idLimit(BlockArgument argument) {
  int64_t limit = 0;
  for (OpOperand &use : argument.getUses()) {
    auto call = dyn_cast<func::CallOp>(use.getOwner());
    if (!call)
      continue;
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (!callee || callee.isExternal())
      continue;
    for (Operation *user :
         callee.getArgument(use.getOperandNumber()).getUsers()) {
      auto gather = dyn_cast<GatherOp>(user);
      if (!gather ||
          gather.getIds() != callee.getArgument(use.getOperandNumber()))
        continue;
      auto table = cast<RankedTensorType>(gather.getTable().getType());
      if (table.isDynamicDim(0))
        continue;
      limit =
          limit ? std::min(limit, table.getDimSize(0)) : table.getDimSize(0);
    }
  }
  return limit;
}

// Everything an entry point's schedule refers to by index.
struct ArtifactTables {
  std::map<std::string, uint32_t> kernels;
  std::map<std::pair<std::string, std::string>, uint32_t> weights;
  fb::ArtifactT artifact;
};

llvm::Expected<std::unique_ptr<fb::EntryPointT>>
scheduleEntry(func::FuncOp function, ArtifactTables &tables,
              const TargetBackend &target, const ArtifactOptions &options) {
  ExprTable exprs;
  ShapeEvaluator shapes(exprs);
  if (auto error = shapes.evaluate(function))
    return std::move(error);
  auto entry = std::make_unique<fb::EntryPointT>();
  entry->name = function.getSymName().str();
  auto componentIt = options.components.find(entry->name);
  const std::string component =
      componentIt == options.components.end() ? "" : componentIt->second;

  auto spec = [&](Value value, std::string name)
      -> llvm::Expected<std::unique_ptr<fb::TensorSpecT>> {
    auto type = cast<RankedTensorType>(value.getType());
    auto tensor = std::make_unique<fb::TensorSpecT>();
    tensor->name = std::move(name);
    auto element = elementType(type.getElementType());
    if (!element)
      return element.takeError();
    tensor->element_type = *element;
    tensor->shape.assign(shapes.dims(value).begin(), shapes.dims(value).end());
    return tensor;
  };

  // Where each tensor lives.
  struct Location {
    fb::BindingKind kind;
    uint32_t index = 0;
  };
  DenseMap<Value, Location> locations;
  for (auto [position, argument] : llvm::enumerate(function.getArguments())) {
    auto input = spec(argument, "input" + std::to_string(position));
    if (!input)
      return input.takeError();
    (*input)->id_limit = idLimit(argument);
    entry->inputs.push_back(std::move(*input));
    locations[argument] = {fb::BindingKind::Input, uint32_t(position)};
  }
  auto returned = function.getBody().front().getTerminator()->getOperands();
  for (auto [position, value] : llvm::enumerate(returned)) {
    auto output = spec(value, "output" + std::to_string(position));
    if (!output)
      return output.takeError();
    entry->outputs.push_back(std::move(*output));
    if (!isa_and_nonnull<func::CallOp>(value.getDefiningOp()) ||
        locations.count(value))
      return fail(entry->name + ": every result must be computed by its own "
                                "dispatch");
    locations[value] = {fb::BindingKind::Output, uint32_t(position)};
  }

  // The last dispatch that reads each tensor.
  DenseMap<Value, Operation *> lastReader;
  for (Operation &op : function.getBody().front())
    if (isa<func::CallOp>(op))
      for (Value operand : op.getOperands())
        lastReader[operand] = &op;
  ArenaPlanner arena(exprs);
  DenseMap<Value, unsigned> slots;
  std::vector<std::pair<fb::BindingT *, unsigned>> arenaBindings;
  for (Operation &op : function.getBody().front()) {
    if (auto weight = dyn_cast<WeightOp>(op)) {
      auto key = std::make_pair(component, weight.getName().str());
      auto [it, inserted] =
          tables.weights.try_emplace(key, tables.artifact.weights.size());
      if (inserted) {
        auto manifest = std::make_unique<fb::WeightT>();
        manifest->component = component;
        manifest->name = weight.getName().str();
        if (options.singleFileKey)
          manifest->single_file_key =
              options.singleFileKey(component, manifest->name);
        for (int64_t dim : weight.getType().getShape())
          manifest->shape.push_back(static_cast<uint32_t>(dim));
        auto element = elementType(weight.getType().getElementType());
        if (!element)
          return element.takeError();
        manifest->element_type = *element;
        tables.artifact.weights.push_back(std::move(manifest));
      }
      locations[weight.getResult()] = {fb::BindingKind::Weight, it->second};
      continue;
    }
    auto call = dyn_cast<func::CallOp>(op);
    if (!call)
      continue;
    const std::string kernelName = call.getCallee().str();
    auto [kernelIt, newKernel] =
        tables.kernels.try_emplace(kernelName, tables.artifact.kernels.size());
    auto dispatch = std::make_unique<fb::DispatchT>();
    dispatch->kernel = kernelIt->second;
    auto bindingFor = [&](Value value) -> std::unique_ptr<fb::BindingT> {
      const Location &where = locations[value];
      auto binding = std::make_unique<fb::BindingT>();
      binding->kind = where.kind;
      binding->index = where.index;
      auto type = cast<RankedTensorType>(value.getType());
      binding->element_type = *elementType(type.getElementType());
      binding->shape.assign(shapes.dims(value).begin(),
                            shapes.dims(value).end());
      if (where.kind == fb::BindingKind::Arena)
        arenaBindings.push_back({binding.get(), slots.lookup(value)});
      return binding;
    };
    uint32_t inputs = 0;
    for (Value operand : call.getOperands()) {
      if (operand.getType().isIndex()) {
        dispatch->push_constants.push_back(shapes.index(operand));
        continue;
      }
      if (!locations.count(operand))
        return fail(entry->name + ": a dispatch reads a tensor with no buffer");
      dispatch->bindings.push_back(bindingFor(operand));
      ++inputs;
    }
    for (Value result : call.getResults()) {
      if (!locations.count(result)) {
        auto type = cast<RankedTensorType>(result.getType());
        slots[result] = arena.allocate(
            exprs.binary(fb::ExprOp::Mul, exprs.product(shapes.dims(result)),
                         exprs.constant(elementBytes(type.getElementType()))));
        locations[result] = {fb::BindingKind::Arena, 0};
      }
      dispatch->bindings.push_back(bindingFor(result));
    }
    // Operands read for the last time and results nobody reads die here,
    // after the kernel (which reads its inputs while writing its results).
    llvm::SetVector<Value> dying;
    for (Value value : call->getOperands())
      if (lastReader.lookup(value) == call.getOperation())
        dying.insert(value);
    for (Value value : call->getResults())
      if (!lastReader.count(value))
        dying.insert(value);
    for (Value value : dying)
      if (auto slot = slots.find(value); slot != slots.end())
        arena.release(slot->second);
    dispatch->workgroups = exprs.constant(1);
    if (newKernel) {
      auto kernel = std::make_unique<fb::KernelT>();
      kernel->name = kernelName;
      kernel->bindings = dispatch->bindings.size();
      kernel->input_bindings = inputs;
      kernel->push_constants = dispatch->push_constants.size();
      tables.artifact.kernels.push_back(std::move(kernel));
    }
    entry->dispatches.push_back(std::move(dispatch));
  }
  auto [offsets, arenaSize] = arena.layout(target.arenaAlignment());
  for (auto &[binding, slot] : arenaBindings)
    binding->offset = offsets[slot];
  entry->arena_size = arenaSize;
  for (auto [a, b] : shapes.equalities())
    entry->equal_sizes.insert(entry->equal_sizes.end(), {a, b});
  entry->exprs = exprs.take();
  return entry;
}

// Every kernel the schedules dispatch must be one the code defines: a
// missing one would fail only when the runtime loads the artifact.
llvm::Error checkKernelsDefined(const fb::ArtifactT &artifact,
                                const TargetCode &code,
                                const TargetBackend &target) {
  for (const auto &kernel : artifact.kernels)
    if (!llvm::is_contained(code.kernels, kernel->name))
      return fail("the " + target.name() + " code defines no kernel '" +
                  kernel->name + "'");
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::vector<uint8_t>>
buildArtifact(ModuleOp module, const TargetBackend &target,
              const ArtifactOptions &options) {
  if (auto error = runPhases(module, target, modulePhases(), options.progress))
    return std::move(error);

  ArtifactTables tables;
  tables.artifact.format_version = kArtifactFormatVersion;
  tables.artifact.target = target.artifactTarget();
  tables.artifact.target_features = target.features();
  if (options.progress)
    options.progress({"schedule"});
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function->hasAttr("avila.dispatch"))
      continue;
    auto entry = scheduleEntry(function, tables, target, options);
    if (!entry)
      return entry.takeError();
    tables.artifact.entry_points.push_back(std::move(*entry));
  }

  OwningOpRef<ModuleOp> kernels = cloneKernels(module);
  auto code = compileKernels(*kernels, target, options.progress);
  if (!code)
    return code.takeError();
  if (auto error = checkKernelsDefined(tables.artifact, *code, target))
    return error;
  tables.artifact.code = std::move(code->code);
  tables.artifact.code_size = tables.artifact.code.size();
  tables.artifact.code_crc32 = codeChecksum(tables.artifact.code);

  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::Artifact::Pack(fbb, &tables.artifact),
             fb::ArtifactIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
}

} // namespace avila
