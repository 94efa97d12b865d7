//===- FormDispatches.cpp - Group avila ops into kernels ------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace avila {
#define GEN_PASS_DEF_FORMDISPATCHES
#include "compiler/transforms/Passes.h.inc"
} // namespace avila

using namespace mlir;
using namespace avila;

namespace {

// Ops that stay in the calling function: they bind values or compute sizes.
bool staysOutside(Operation *op) {
  return isa<WeightOp, DimOp, ConstantOp, func::ReturnOp>(op) ||
         llvm::all_of(op->getResultTypes(),
                      [](Type type) { return type.isIndex(); });
}

// Elementwise ops fuse into the dispatch that computes one of their operands.
bool isElementwise(Operation *op) {
  return isa<SiluOp, GeluOp, QuickGeluOp, SigmoidOp, TanhOp, ExpOp, SqrtOp,
             RsqrtOp, AddScalarOp, MulScalarOp, ClampOp, CastOp, AddOp, SubOp,
             MulOp, DivOp>(op);
}

struct Group {
  SmallVector<Operation *> ops;
  llvm::SmallPtrSet<Operation *, 16> members;
};

SmallVector<Group> formGroups(func::FuncOp function) {
  SmallVector<Group> groups;
  for (Operation &op : function.getBody().front()) {
    if (staysOutside(&op))
      continue;
    bool joins = !groups.empty() && isElementwise(&op) &&
                 llvm::any_of(op.getOperands(), [&](Value operand) {
                   Operation *producer = operand.getDefiningOp();
                   return producer && groups.back().members.contains(producer);
                 });
    if (!joins)
      groups.emplace_back();
    groups.back().ops.push_back(&op);
    groups.back().members.insert(&op);
  }
  return groups;
}

void outline(func::FuncOp function, const Group &group, unsigned index,
             SymbolTable &symbols) {
  // Inputs: values from outside, except constants, which are cloned in.
  // Tensors first, then sizes, so that the kernel ABI reads buffers, then
  // scalars, then results.
  llvm::SetVector<Value> tensors, sizes;
  llvm::SetVector<Operation *> constants;
  for (Operation *op : group.ops)
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (producer && group.members.contains(producer))
        continue;
      if (producer && isa<ConstantOp>(producer))
        constants.insert(producer);
      else if (operand.getType().isIndex())
        sizes.insert(operand);
      else
        tensors.insert(operand);
    }
  SmallVector<Value> outputs;
  for (Operation *op : group.ops)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !group.members.contains(user);
          }))
        outputs.push_back(result);

  SmallVector<Value> arguments(tensors.begin(), tensors.end());
  arguments.append(sizes.begin(), sizes.end());
  OpBuilder builder(function);
  const std::string name =
      (function.getSymName() + "_dispatch_" + Twine(index) + "_" +
       group.ops.front()->getName().stripDialect())
          .str();
  auto kernel = func::FuncOp::create(
      builder, group.ops.front()->getLoc(), name,
      builder.getFunctionType(ValueRange(arguments).getTypes(),
                              ValueRange(outputs).getTypes()));
  kernel->setAttr("avila.dispatch", builder.getUnitAttr());
  symbols.insert(kernel);
  Block *body = kernel.addEntryBlock();
  IRMapping mapping;
  mapping.map(arguments, body->getArguments());
  builder.setInsertionPointToStart(body);
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  for (Operation *op : group.ops)
    builder.clone(*op, mapping);
  SmallVector<Value> returned;
  for (Value output : outputs)
    returned.push_back(mapping.lookup(output));
  func::ReturnOp::create(builder, kernel.getLoc(), returned);

  builder.setInsertionPoint(group.ops.back());
  auto call = func::CallOp::create(builder, group.ops.back()->getLoc(), kernel,
                                   arguments);
  for (auto [output, replacement] : llvm::zip(outputs, call.getResults()))
    output.replaceAllUsesWith(replacement);
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
  for (Operation *constant : constants)
    if (constant->use_empty())
      constant->erase();
}

struct FormDispatchesPass
    : avila::impl::FormDispatchesBase<FormDispatchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions;
    for (auto function : module.getOps<func::FuncOp>())
      if (!function->hasAttr("avila.dispatch") && !function.isExternal())
        functions.push_back(function);
    for (func::FuncOp function : functions) {
      if (!function.getBody().hasOneBlock()) {
        function.emitError("dispatch formation needs a single-block function");
        return signalPassFailure();
      }
      for (auto [index, group] : llvm::enumerate(formGroups(function)))
        outline(function, group, index, symbols);
    }
  }
};

} // namespace
