//===- LinearizeBuffers.cpp - Every access on a flat root buffer ----------===//
//
// A SPIR-V storage buffer is a runtime array: its sizes and strides are gone
// once bound, and views (subview, expand_shape, collapse_shape, reshape)
// have no SPIR-V form. So each load and store of a kernel's loops is
// rewritten to address the one-dimensional form of the buffer the view
// comes from (an argument of the kernel or a scratch allocation), at
// offset + Σ index·stride, with offsets and strides computed on the host
// side of the kernel, where the sizes are known: they become the kernel's
// scalar arguments once its loops are outlined.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"

namespace avila::spirv {
#define GEN_PASS_DEF_LINEARIZEBUFFERS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;

namespace {

// Where a view's elements lie: root[offset + Σ index_i · strides_i].
struct StridedView {
  Value root;
  Value offset;
  SmallVector<Value> strides;
};

class Linearizer {
public:
  explicit Linearizer(func::FuncOp function) : function(function) {}

  LogicalResult run() {
    forwardViewSizes();
    SmallVector<Operation *> accesses;
    function.walk([&](Operation *op) {
      if (isa<memref::LoadOp, memref::StoreOp, vector::LoadOp>(op) &&
          op->getParentOp() != function)
        accesses.push_back(op);
    });
    for (Operation *access : accesses)
      if (failed(rewrite(access)))
        return failure();
    eraseHostOnlyBuffers();
    return success();
  }

private:
  // The sizes a reshape's shape buffer was given by stores of constant
  // indices, or failure.
  FailureOr<SmallVector<Value>> storedShape(memref::ReshapeOp reshape) {
    auto shape = reshape.getShape();
    auto type = cast<MemRefType>(shape.getType());
    SmallVector<Value> sizes(type.getDimSize(0));
    for (Operation *user : shape.getUsers()) {
      auto store = dyn_cast<memref::StoreOp>(user);
      if (!store)
        continue;
      std::optional<int64_t> at =
          getConstantIntValue(store.getIndices().front());
      if (!at || *at < 0 || *at >= (int64_t)sizes.size())
        return failure();
      sizes[*at] = store.getValueToStore();
    }
    if (llvm::is_contained(sizes, Value()))
      return failure();
    return sizes;
  }

  // A size of a view, from the sizes it was made with, so that only the
  // sizes of root buffers are ever asked of a buffer; null where the view
  // does not say.
  Value viewSize(OpBuilder &b, Value view, int64_t axis) {
    Location loc = view.getLoc();
    Operation *definition = view.getDefiningOp();
    if (auto reshape = dyn_cast_or_null<memref::ReshapeOp>(definition)) {
      auto sizes = storedShape(reshape);
      return succeeded(sizes) ? (*sizes)[axis] : Value();
    }
    if (auto expand = dyn_cast_or_null<memref::ExpandShapeOp>(definition))
      return getValueOrCreateConstantIndexOp(
          b, loc, expand.getMixedOutputShape()[axis]);
    if (auto subview = dyn_cast_or_null<memref::SubViewOp>(definition)) {
      llvm::SmallBitVector dropped = subview.getDroppedDims();
      int64_t kept = -1;
      for (auto [source, size] : llvm::enumerate(subview.getMixedSizes()))
        if (!dropped.test(source) && ++kept == axis)
          return getValueOrCreateConstantIndexOp(b, loc, size);
      return Value();
    }
    if (auto collapse = dyn_cast_or_null<memref::CollapseShapeOp>(definition)) {
      Value product = index(b, 1);
      for (int64_t source : collapse.getReassociationIndices()[axis])
        product = arith::MulIOp::create(
            b, loc, product, dimension(b, collapse.getSrc(), source));
      return product;
    }
    if (auto cast = dyn_cast_or_null<memref::CastOp>(definition))
      return dimension(b, cast.getSource(), axis);
    return Value();
  }

  void forwardViewSizes() {
    // Folding may already have read a reshape's size from its shape buffer.
    for (auto load : llvm::make_early_inc_range(
             function.getBody().front().getOps<memref::LoadOp>())) {
      auto reshapes = llvm::make_filter_range(
          load.getMemRef().getUsers(),
          [](Operation *user) { return isa<memref::ReshapeOp>(user); });
      std::optional<int64_t> at =
          load.getIndices().size() == 1
              ? getConstantIntValue(load.getIndices().front())
              : std::nullopt;
      if (reshapes.empty() || !at)
        continue;
      auto sizes = storedShape(cast<memref::ReshapeOp>(*reshapes.begin()));
      if (succeeded(sizes) && *at >= 0 && *at < (int64_t)sizes->size()) {
        load.replaceAllUsesWith((*sizes)[*at]);
        load.erase();
      }
    }
    SmallVector<memref::DimOp> dims;
    function.walk([&](memref::DimOp dim) { dims.push_back(dim); });
    for (memref::DimOp dim : dims) {
      std::optional<int64_t> axis = dim.getConstantIndex();
      if (!axis || isRoot(dim.getSource()))
        continue;
      OpBuilder b(dim);
      if (Value size = viewSize(b, dim.getSource(), *axis))
        dim.replaceAllUsesWith(size);
    }
  }

  Value index(OpBuilder &b, int64_t value) {
    return arith::ConstantIndexOp::create(b, function.getLoc(), value);
  }

  Value dimension(OpBuilder &b, Value memref, int64_t axis) {
    auto type = cast<MemRefType>(memref.getType());
    if (!type.isDynamicDim(axis))
      return index(b, type.getDimSize(axis));
    if (!isRoot(memref))
      if (Value size = viewSize(b, memref, axis))
        return size;
    return memref::DimOp::create(b, function.getLoc(), memref, axis);
  }

  SmallVector<Value> rowMajorStrides(OpBuilder &b, ArrayRef<Value> sizes) {
    SmallVector<Value> strides(sizes.size());
    Value stride = index(b, 1);
    for (int64_t i = sizes.size() - 1; i >= 0; --i) {
      strides[i] = stride;
      stride = arith::MulIOp::create(b, function.getLoc(), stride, sizes[i]);
    }
    return strides;
  }

  SmallVector<Value> sizesOf(OpBuilder &b, Value memref) {
    SmallVector<Value> sizes;
    for (int64_t axis = 0; axis < cast<MemRefType>(memref.getType()).getRank();
         ++axis)
      sizes.push_back(dimension(b, memref, axis));
    return sizes;
  }

  static bool isWorkgroupMemory(Value memref) {
    auto space = dyn_cast_or_null<::mlir::spirv::StorageClassAttr>(
        cast<MemRefType>(memref.getType()).getMemorySpace());
    return space && space.getValue() == ::mlir::spirv::StorageClass::Workgroup;
  }

  bool isRoot(Value memref) {
    if (auto argument = dyn_cast<BlockArgument>(memref))
      return argument.getOwner()->getParentOp() == function;
    return isa_and_nonnull<memref::AllocOp>(memref.getDefiningOp());
  }

  // The host computations of a view go right after its definition, so that
  // they dominate every loop that uses it.
  OpBuilder hostBuilderAfter(Value value) {
    OpBuilder b(function.getContext());
    if (auto argument = dyn_cast<BlockArgument>(value))
      b.setInsertionPointToStart(argument.getOwner());
    else
      b.setInsertionPointAfter(value.getDefiningOp());
    return b;
  }

  FailureOr<StridedView> resolve(Value view) {
    if (auto known = views.find(view); known != views.end())
      return known->second;
    FailureOr<StridedView> resolved = resolveUncached(view);
    if (succeeded(resolved))
      views[view] = *resolved;
    return resolved;
  }

  FailureOr<StridedView> resolveUncached(Value view) {
    Operation *definition = view.getDefiningOp();
    if (definition && definition->getParentOp() != function)
      return emitError(view.getLoc(), "a view made inside a loop");
    OpBuilder b = hostBuilderAfter(view);
    Location loc = view.getLoc();
    if (isRoot(view)) {
      if (!cast<MemRefType>(view.getType()).getLayout().isIdentity())
        return emitError(loc, "a kernel buffer with a non-identity layout");
      return StridedView{view, index(b, 0),
                         rowMajorStrides(b, sizesOf(b, view))};
    }
    if (auto cast = dyn_cast<memref::CastOp>(definition))
      return resolve(cast.getSource());
    if (auto subview = dyn_cast<memref::SubViewOp>(definition)) {
      auto base = resolve(subview.getSource());
      if (failed(base))
        return failure();
      b = hostBuilderAfter(view);
      StridedView result{base->root, base->offset, {}};
      llvm::SmallBitVector dropped = subview.getDroppedDims();
      for (auto [axis, offset, step] : llvm::enumerate(
               subview.getMixedOffsets(), subview.getMixedStrides())) {
        Value at = getValueOrCreateConstantIndexOp(b, loc, offset);
        result.offset = arith::AddIOp::create(
            b, loc, result.offset,
            arith::MulIOp::create(b, loc, at, base->strides[axis]));
        if (!dropped.test(axis))
          result.strides.push_back(arith::MulIOp::create(
              b, loc, base->strides[axis],
              getValueOrCreateConstantIndexOp(b, loc, step)));
      }
      return result;
    }
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(definition)) {
      auto base = resolve(expand.getSrc());
      if (failed(base))
        return failure();
      b = hostBuilderAfter(view);
      SmallVector<OpFoldResult> sizes = expand.getMixedOutputShape();
      StridedView result{base->root, base->offset,
                         SmallVector<Value>(sizes.size())};
      for (auto [source, group] :
           llvm::enumerate(expand.getReassociationIndices())) {
        Value stride = base->strides[source];
        for (int64_t axis : llvm::reverse(group)) {
          result.strides[axis] = stride;
          stride = arith::MulIOp::create(
              b, loc, stride,
              getValueOrCreateConstantIndexOp(b, loc, sizes[axis]));
        }
      }
      return result;
    }
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(definition)) {
      auto base = resolve(collapse.getSrc());
      if (failed(base))
        return failure();
      StridedView result{base->root, base->offset, {}};
      for (const ReassociationIndices &group :
           collapse.getReassociationIndices())
        result.strides.push_back(base->strides[group.back()]);
      return result;
    }
    if (auto reshape = dyn_cast<memref::ReshapeOp>(definition)) {
      // The source of a reshape has the identity layout: contiguous.
      auto base = resolve(reshape.getSource());
      auto sizes = storedShape(reshape);
      if (failed(base) || failed(sizes))
        return emitError(loc, "a reshape whose shape is not stored by "
                              "constant indices");
      b = hostBuilderAfter(view);
      return StridedView{base->root, base->offset, rowMajorStrides(b, *sizes)};
    }
    return emitError(loc, "a kernel buffer made by an op the GPU lowering "
                          "does not know: ")
           << definition->getName();
  }

  Value flat(Value root) {
    if (Value known = flatRoots.lookup(root))
      return known;
    OpBuilder b = hostBuilderAfter(root);
    auto type = cast<MemRefType>(root.getType());
    Value total = index(b, 1);
    for (Value size : sizesOf(b, root))
      total = arith::MulIOp::create(b, root.getLoc(), total, size);
    const int64_t length =
        type.hasStaticShape() ? type.getNumElements() : ShapedType::kDynamic;
    OpFoldResult size = type.hasStaticShape()
                            ? OpFoldResult(b.getIndexAttr(length))
                            : OpFoldResult(total);
    Value result = memref::ReinterpretCastOp::create(
        b, root.getLoc(),
        MemRefType::get({length}, type.getElementType(),
                        MemRefLayoutAttrInterface(), type.getMemorySpace()),
        root, OpFoldResult(b.getIndexAttr(0)), ArrayRef<OpFoldResult>{size},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    flatRoots[root] = result;
    flatValues.insert(result);
    return result;
  }

  // The buffer and indices of a load (of one value or of a vector along the
  // innermost axis) or a store.
  static std::pair<Value, ValueRange> addressOf(Operation *access) {
    if (auto load = dyn_cast<memref::LoadOp>(access))
      return {load.getMemRef(), load.getIndices()};
    if (auto load = dyn_cast<vector::LoadOp>(access))
      return {load.getBase(), load.getIndices()};
    auto store = cast<memref::StoreOp>(access);
    return {store.getMemRef(), store.getIndices()};
  }

  LogicalResult rewrite(Operation *access) {
    auto [memref, indices] = addressOf(access);
    // Private arrays of one invocation, a workgroup's shared arrays (static,
    // made inside its launch, which SPIR-V addresses as they are), constant
    // tables (each invocation gets its own copy), and buffers already flat.
    if (flatValues.contains(memref) || isWorkgroupMemory(memref) ||
        isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(
            memref.getDefiningOp()))
      return success();
    auto view = resolve(memref);
    if (failed(view))
      return failure();
    OpBuilder b(access);
    Location loc = access->getLoc();
    Value linear = view->offset;
    for (auto [at, stride] : llvm::zip_equal(indices, view->strides))
      linear = arith::AddIOp::create(b, loc, linear,
                                     arith::MulIOp::create(b, loc, at, stride));
    Value buffer = flat(view->root);
    if (isa<memref::LoadOp>(access))
      access->replaceAllUsesWith(
          memref::LoadOp::create(b, loc, buffer, ValueRange{linear}));
    else if (auto vectorLoad = dyn_cast<vector::LoadOp>(access))
      access->replaceAllUsesWith(vector::LoadOp::create(
          b, loc, vectorLoad.getVectorType(), buffer, ValueRange{linear}));
    else
      memref::StoreOp::create(b, loc,
                              cast<memref::StoreOp>(access).getValueToStore(),
                              buffer, ValueRange{linear});
    access->erase();
    return success();
  }

  // Deallocations (the runtime owns scratch memory), reshapes no access
  // reads any more, and the shape buffers only they read.
  void eraseHostOnlyBuffers() {
    function.walk([](memref::DeallocOp op) { op.erase(); });
    SmallVector<memref::ReshapeOp> reshapes;
    function.walk([&](memref::ReshapeOp op) { reshapes.push_back(op); });
    for (memref::ReshapeOp reshape : reshapes) {
      if (!reshape.getResult().use_empty())
        continue;
      Value shape = reshape.getShape();
      reshape.erase();
      if (!llvm::all_of(shape.getUsers(), [](Operation *user) {
            return isa<memref::StoreOp>(user);
          }))
        continue;
      for (Operation *user : llvm::make_early_inc_range(shape.getUsers()))
        user->erase();
      if (Operation *alloc = shape.getDefiningOp())
        alloc->erase();
    }
  }

  func::FuncOp function;
  DenseMap<Value, StridedView> views;
  DenseMap<Value, Value> flatRoots;
  DenseSet<Value> flatValues;
};

struct LinearizeBuffers
    : avila::spirv::impl::LinearizeBuffersBase<LinearizeBuffers> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (function->hasAttr("avila.dispatch") &&
          failed(Linearizer(function).run()))
        return signalPassFailure();
  }
};

} // namespace
