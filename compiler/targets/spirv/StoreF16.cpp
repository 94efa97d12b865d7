//===- StoreF16.cpp - f16 buffers, f32 arithmetic -------------------------===//
//
// Precision fp16 halves the memory every tensor between dispatches takes,
// and the bytes each kernel moves, while each kernel still computes in f32:
// values are widened as they are loaded and rounded once, when stored for
// another dispatch. Sums a kernel accumulates in its scratch buffers or in
// registers stay f32; a contraction accumulating into its output in place
// is given a loop-carried f32 value first, so that it, too, rounds once.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace avila::spirv {
#define GEN_PASS_DEF_STOREF16
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;

namespace {

bool isF32Buffer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getElementType().isF32();
}

bool isView(Operation *op) {
  return isa<memref::ReinterpretCastOp, memref::CastOp, memref::SubViewOp,
             memref::ExpandShapeOp, memref::CollapseShapeOp, memref::ReshapeOp>(
      op);
}

// Every buffer that addresses the f32 arguments of `function`: the
// arguments and their views.
SetVector<Value> argumentBuffers(func::FuncOp function) {
  SetVector<Value> buffers;
  for (BlockArgument argument : function.getArguments())
    if (isF32Buffer(argument.getType()))
      buffers.insert(argument);
  for (size_t i = 0; i < buffers.size(); ++i)
    for (OpOperand &use : buffers[i].getUses())
      if (isView(use.getOwner()) && use.getOperandNumber() == 0)
        buffers.insert(use.getOwner()->getResult(0));
  return buffers;
}

// In `loop`'s body, a load and a later store of the same element of
// `buffers`, at an address defined outside the loop, with no other access
// to that buffer in the loop: the loop accumulates into that element.
std::optional<std::pair<memref::LoadOp, memref::StoreOp>>
findAccumulator(scf::ForOp loop, const SetVector<Value> &buffers) {
  for (auto store : loop.getBody()->getOps<memref::StoreOp>()) {
    Value buffer = store.getMemRef();
    if (!buffers.contains(buffer) ||
        llvm::any_of(store.getIndices(), [&](Value index) {
          return !loop.isDefinedOutsideOfLoop(index);
        }))
      continue;
    memref::LoadOp load;
    bool onlyThese = true;
    for (Operation *user : buffer.getUsers()) {
      if (user == store || !loop->isAncestor(user))
        continue;
      auto candidate = dyn_cast<memref::LoadOp>(user);
      if (!candidate || load || candidate->getBlock() != loop.getBody() ||
          !llvm::equal(candidate.getIndices(), store.getIndices()) ||
          !candidate->isBeforeInBlock(store)) {
        onlyThese = false;
        break;
      }
      load = candidate;
    }
    if (onlyThese && load)
      return std::make_pair(load, store);
  }
  return std::nullopt;
}

// The element is loaded once before the loop, carried through it and
// stored once after it.
void carryAccumulators(func::FuncOp function, const SetVector<Value> &buffers) {
  SmallVector<scf::ForOp> loops;
  // Inner loops first: what leaves one may leave its parent next.
  function.walk([&](scf::ForOp loop) { loops.push_back(loop); });
  IRRewriter rewriter(function.getContext());
  for (scf::ForOp loop : loops) {
    moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
    while (auto found = findAccumulator(loop, buffers)) {
      auto [load, store] = *found;
      load->moveBefore(loop);
      Value sum = store.getValueToStore();
      rewriter.setInsertionPoint(loop);
      auto carried = cast<scf::ForOp>(*loop.replaceWithAdditionalYields(
          rewriter, ValueRange{load.getResult()},
          /*replaceInitOperandUsesInLoop=*/true,
          [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
            return SmallVector<Value>{sum};
          }));
      store->moveAfter(carried);
      store->setOperand(0, carried.getResults().back());
      loop = carried;
    }
  }
}

// `buffers` (ordered so that a view follows its source) become f16; their
// loads widen and their stores round.
LogicalResult storeAsF16(func::FuncOp function,
                         const SetVector<Value> &buffers) {
  OpBuilder b(function.getContext());
  Type f16 = b.getF16Type(), f32 = b.getF32Type();
  for (Value buffer : buffers) {
    buffer.setType(cast<MemRefType>(buffer.getType()).clone(f16));
    for (Operation *user : llvm::make_early_inc_range(buffer.getUsers())) {
      b.setInsertionPoint(user);
      if (auto load = dyn_cast<memref::LoadOp>(user)) {
        // A load's result type follows its buffer.
        Value narrow = memref::LoadOp::create(b, load.getLoc(), buffer,
                                              ValueRange(load.getIndices()));
        load.replaceAllUsesWith(
            arith::ExtFOp::create(b, load.getLoc(), f32, narrow).getResult());
        load.erase();
      } else if (auto load = dyn_cast<vector::LoadOp>(user)) {
        VectorType wide = load.getVectorType();
        Value narrow =
            vector::LoadOp::create(b, load.getLoc(), wide.clone(f16), buffer,
                                   ValueRange(load.getIndices()));
        load.replaceAllUsesWith(
            arith::ExtFOp::create(b, load.getLoc(), wide, narrow).getResult());
        load.erase();
      } else if (auto store = dyn_cast<memref::StoreOp>(user)) {
        if (store.getMemRef() != buffer)
          return store.emitError("an f32 kernel buffer stored as a value");
        store->setOperand(0, arith::TruncFOp::create(b, store.getLoc(), f16,
                                                     store.getValueToStore()));
      } else if (!isa<memref::DimOp>(user) &&
                 !(isView(user) && buffers.contains(user->getResult(0)))) {
        return user->emitError("an f32 kernel buffer used by an op whose "
                               "f16 form is unknown: ")
               << user->getName();
      }
    }
  }
  function.setFunctionType(
      b.getFunctionType(function.getBody().front().getArgumentTypes(),
                        function.getFunctionType().getResults()));
  return success();
}

struct StoreF16 : avila::spirv::impl::StoreF16Base<StoreF16> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      if (!function->hasAttr("avila.dispatch"))
        continue;
      const SetVector<Value> buffers = argumentBuffers(function);
      carryAccumulators(function, buffers);
      if (failed(storeAsF16(function, buffers)))
        return signalPassFailure();
    }
  }
};

} // namespace
