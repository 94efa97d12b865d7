//===- OutlineParallelLoops.cpp - Kernel loops as thread pool tasks -------===//

#include "compiler/targets/x86/X86Passes.h"
#include "runtime/hal/cpu/ukernels/UkernelAbi.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace avila::x86 {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "compiler/targets/x86/X86Passes.h.inc"
} // namespace avila::x86

using namespace mlir;

namespace {

// How many leading dimensions of `loop` are split into items: those (at
// most two) that start at 0 with step 1.
unsigned splitDimensions(scf::ParallelOp loop) {
  unsigned count = 0;
  while (count < std::min<size_t>(2, loop.getNumLoops()) &&
         isConstantIntValue(loop.getLowerBound()[count], 0) &&
         isConstantIntValue(loop.getStep()[count], 1))
    ++count;
  return count;
}

void outline(scf::ParallelOp loop, func::FuncOp kernel, unsigned split,
             unsigned number) {
  MLIRContext *context = loop.getContext();
  Location loc = loop.getLoc();
  auto module = kernel->getParentOfType<ModuleOp>();

  // Everything the loop reads from outside, constants aside.
  llvm::SetVector<Value> used;
  getUsedValuesDefinedAbove(loop->getRegions(), used);
  for (Value operand : loop->getOperands())
    used.insert(operand);
  SmallVector<Value> captured;
  SmallVector<Operation *> constants;
  for (Value value : used) {
    Operation *producer = value.getDefiningOp();
    if (producer && producer->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(producer);
    else
      captured.push_back(value);
  }

  // task(begin, end, captured...): items [begin, end) of the split
  // dimensions, the other dimensions whole.
  OpBuilder b(context);
  const std::string name =
      (kernel.getSymName() + "_task" + Twine(number)).str();
  SmallVector<Type> parameters = {b.getIndexType(), b.getIndexType()};
  for (Value value : captured)
    parameters.push_back(value.getType());
  b.setInsertionPoint(kernel);
  auto task = func::FuncOp::create(b, loc, name,
                                   FunctionType::get(context, parameters, {}));
  task.setPrivate();
  Block *entry = task.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (Operation *constant : constants)
    b.clone(*constant, mapping);
  for (auto [value, argument] :
       llvm::zip(captured, entry->getArguments().drop_front(2)))
    mapping.map(value, argument);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto items = scf::ForOp::create(b, loc, entry->getArgument(0),
                                  entry->getArgument(1), one);
  func::ReturnOp::create(b, loc);

  b.setInsertionPointToStart(items.getBody());
  Value item = items.getInductionVar();
  auto bound = [&](unsigned d) {
    return mapping.lookupOrDefault(loop.getUpperBound()[d]);
  };
  if (split == 2) {
    mapping.map(loop.getInductionVars()[0],
                arith::DivUIOp::create(b, loc, item, bound(1)));
    mapping.map(loop.getInductionVars()[1],
                arith::RemUIOp::create(b, loc, item, bound(1)));
  } else {
    mapping.map(loop.getInductionVars()[0], item);
  }
  auto cloneBody = [&](OpBuilder &builder) {
    for (Operation &op : loop.getBody()->without_terminator())
      builder.clone(op, mapping);
  };
  if (split == loop.getNumLoops()) {
    cloneBody(b);
  } else {
    auto remap = [&](ValueRange values) {
      SmallVector<Value> result;
      for (Value value : values.drop_front(split))
        result.push_back(mapping.lookupOrDefault(value));
      return result;
    };
    scf::ParallelOp::create(
        b, loc, remap(loop.getLowerBound()), remap(loop.getUpperBound()),
        remap(loop.getStep()),
        [&](OpBuilder &nested, Location, ValueRange ivs) {
          for (auto [old, fresh] : llvm::zip(
                   ArrayRef<Value>(loop.getInductionVars()).drop_front(split),
                   ivs))
            mapping.map(old, fresh);
          cloneBody(nested);
        });
  }

  // The loop becomes avila_parallel.<task>(items, captured...).
  b.setInsertionPoint(loop);
  Value count = loop.getUpperBound()[0];
  if (split == 2)
    count = arith::MulIOp::create(b, loc, count, loop.getUpperBound()[1]);
  SmallVector<Value> arguments = {count};
  arguments.append(captured);
  SmallVector<Type> callParameters = {b.getIndexType()};
  callParameters.append(parameters.begin() + 2, parameters.end());
  const std::string launcher = avila::cpu::kParallelPrefix + name;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    func::FuncOp::create(b, loc, launcher,
                         FunctionType::get(context, callParameters, {}))
        .setPrivate();
  }
  func::CallOp::create(b, loc, launcher, TypeRange{}, arguments);
  loop.erase();
}

struct OutlineParallelLoops
    : avila::x86::impl::OutlineParallelLoopsBase<OutlineParallelLoops> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> kernels(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp kernel : kernels) {
      if (kernel.isExternal())
        continue;
      SmallVector<scf::ParallelOp> loops(
          kernel.getBody().front().getOps<scf::ParallelOp>());
      for (auto [number, loop] : llvm::enumerate(loops))
        if (loop.getNumReductions() == 0)
          if (unsigned split = splitDimensions(loop))
            outline(loop, kernel, split, number);
    }
  }
};

} // namespace
