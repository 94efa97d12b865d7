//===- DescribeLaunches.cpp - A kernel's host side as its launch plan -----===//
//
// After outlining, what is left of a kernel function on the host is the
// sizes it computes, the scratch buffers it allocates and the GPU functions
// it launches, with which buffers and scalars. The runtime has no IR, so
// that becomes data: `avila.launch_plan` on the kernel function, every size
// an affine expression over the kernel's argument sizes, which the artifact
// builder turns into its size expressions. The GPU functions get the
// interface Vulkan binds: storage buffers at descriptor set 0 in the plan's
// order, scalars as 32-bit values of one push-constant block.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/LaunchPlan.h"
#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"

namespace avila::spirv {
#define GEN_PASS_DEF_DESCRIBELAUNCHES
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using namespace avila::spirv;

namespace {

// Sizes of the host side as affine expressions whose symbols are sizes of
// the kernel's arguments (LaunchPlan.h's sources).
class HostSizes {
public:
  explicit HostSizes(func::FuncOp function) : function(function) {}

  FailureOr<AffineExpr> express(Value value) {
    if (auto known = cache.find(value); known != cache.end())
      return known->second;
    FailureOr<AffineExpr> expr = expressUncached(value);
    if (succeeded(expr))
      cache[value] = *expr;
    return expr;
  }

  FailureOr<AffineExpr> express(OpFoldResult size) {
    if (auto attr = dyn_cast<Attribute>(size))
      return getAffineConstantExpr(cast<IntegerAttr>(attr).getInt(),
                                   function.getContext());
    return express(cast<Value>(size));
  }

  ArrayRef<int64_t> sources() const { return sourcePairs; }
  unsigned symbolCount() const { return sourcePairs.size() / 2; }

private:
  AffineExpr source(int64_t argument, int64_t axis) {
    for (size_t i = 0; i < sourcePairs.size(); i += 2)
      if (sourcePairs[i] == argument && sourcePairs[i + 1] == axis)
        return getAffineSymbolExpr(i / 2, function.getContext());
    sourcePairs.append({argument, axis});
    return getAffineSymbolExpr(symbolCount() - 1, function.getContext());
  }

  FailureOr<AffineExpr> expressUncached(Value value) {
    if (std::optional<int64_t> constant = getConstantIntValue(value))
      return getAffineConstantExpr(*constant, function.getContext());
    if (auto argument = dyn_cast<BlockArgument>(value))
      if (argument.getOwner()->getParentOp() == function)
        return source(argument.getArgNumber(), kScalar);
    Operation *op = value.getDefiningOp();
    if (auto dim = dyn_cast_or_null<memref::DimOp>(op))
      return dimension(dim);
    if (op && isa<arith::IndexCastOp, arith::IndexCastUIOp>(op))
      return express(op->getOperand(0));
    if (op && op->getNumOperands() == 2) {
      auto lhs = express(op->getOperand(0));
      auto rhs = express(op->getOperand(1));
      if (failed(lhs) || failed(rhs))
        return failure();
      if (isa<arith::AddIOp>(op))
        return *lhs + *rhs;
      if (isa<arith::SubIOp>(op))
        return *lhs - *rhs;
      if (isa<arith::MulIOp>(op))
        return *lhs * *rhs;
      if (isa<arith::DivUIOp, arith::DivSIOp, arith::FloorDivSIOp>(op))
        return lhs->floorDiv(*rhs);
      if (isa<arith::CeilDivUIOp, arith::CeilDivSIOp>(op))
        return lhs->ceilDiv(*rhs);
      if (isa<arith::RemUIOp, arith::RemSIOp>(op))
        return *lhs % *rhs;
    }
    return emitError(value.getLoc(), "a launch size computed by ")
           << (op ? op->getName().getStringRef()
                  : StringRef("a block argument"))
           << ", which a launch plan cannot express";
  }

  FailureOr<AffineExpr> dimension(memref::DimOp dim) {
    std::optional<int64_t> axis = dim.getConstantIndex();
    Value buffer = dim.getSource();
    if (!axis)
      return emitError(dim.getLoc(), "a size along a computed axis");
    if (auto argument = dyn_cast<BlockArgument>(buffer);
        argument && argument.getOwner()->getParentOp() == function)
      return source(argument.getArgNumber(), *axis);
    if (auto alloc = buffer.getDefiningOp<memref::AllocOp>())
      return express(alloc.getMixedSizes()[*axis]);
    return emitError(dim.getLoc(), "a size of a buffer that is neither an "
                                   "argument nor a scratch allocation");
  }

  func::FuncOp function;
  DenseMap<Value, AffineExpr> cache;
  SmallVector<int64_t> sourcePairs;
};

// The buffer a kernel operand addresses: its flat form's root.
Value rootOf(Value buffer) {
  while (auto cast = buffer.getDefiningOp<memref::ReinterpretCastOp>())
    buffer = cast.getSource();
  return buffer;
}

BindingAccess accessOf(BlockArgument argument) {
  bool reads = false, writes = false;
  for (Operation *user : argument.getUsers()) {
    reads |= isa<memref::LoadOp>(user);
    writes |= isa<memref::StoreOp>(user);
  }
  return writes ? (reads ? BindingAccess::ReadWrite : BindingAccess::Write)
                : BindingAccess::Read;
}

class PlanBuilder {
public:
  PlanBuilder(func::FuncOp function, SymbolTableCollection &symbols)
      : function(function), symbols(symbols), sizes(function),
        b(function.getContext()) {}

  LogicalResult run() {
    SmallVector<gpu::LaunchFuncOp> launches(
        function.getBody().front().getOps<gpu::LaunchFuncOp>());
    SmallVector<Attribute> launchAttrs;
    struct Interface {
      gpu::GPUFuncOp kernel;
      SmallVector<unsigned> bindings;
      SmallVector<int64_t> workgroupSize;
    };
    SmallVector<Interface> kernels;
    for (gpu::LaunchFuncOp launch : launches) {
      auto kernel = symbols.lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel());
      if (!kernel)
        return launch.emitOpError("launches no GPU function");
      auto described = describe(launch, kernel);
      if (failed(described))
        return failure();
      launchAttrs.push_back(described->first);
      auto size = cast<DictionaryAttr>(described->first)
                      .getAs<DenseI64ArrayAttr>(kWorkgroupSize);
      kernels.push_back(
          {kernel, described->second, SmallVector<int64_t>(size.asArrayRef())});
    }
    SmallVector<Attribute> scratchAttrs;
    for (auto &[type, dims] : scratch)
      scratchAttrs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr(kElementType, TypeAttr::get(type)),
           b.getNamedAttr(kSizes, AffineMapAttr::get(map(dims)))}));
    function->setAttr(
        kLaunchPlan,
        b.getDictionaryAttr(
            {b.getNamedAttr(kSources, b.getDenseI64ArrayAttr(sizes.sources())),
             b.getNamedAttr(kScratch, b.getArrayAttr(scratchAttrs)),
             b.getNamedAttr(kLaunches, b.getArrayAttr(launchAttrs))}));
    // The plan replaces the host side; the GPU functions take the interface.
    Block &body = function.getBody().front();
    SmallVector<Operation *> hostOps;
    for (Operation &op : body.without_terminator())
      hostOps.push_back(&op);
    for (Operation *op : llvm::reverse(hostOps))
      op->erase();
    for (Interface &interface : kernels)
      if (failed(giveInterface(interface.kernel, interface.bindings,
                               interface.workgroupSize)))
        return failure();
    return success();
  }

private:
  AffineMap map(ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(0, sizes.symbolCount(), exprs, function.getContext());
  }

  // The launch's description and its buffers' binding numbers, in the
  // kernel's argument order (unsigned(-1) for scalars).
  FailureOr<std::pair<Attribute, SmallVector<unsigned>>>
  describe(gpu::LaunchFuncOp launch, gpu::GPUFuncOp kernel) {
    SmallVector<AffineExpr> counts;
    for (Value count : {launch.getGridSizeX(), launch.getGridSizeY(),
                        launch.getGridSizeZ()}) {
      auto expr = sizes.express(count);
      if (failed(expr))
        return failure();
      counts.push_back(*expr);
    }
    SmallVector<int64_t> workgroupSize;
    for (Value size : {launch.getBlockSizeX(), launch.getBlockSizeY(),
                       launch.getBlockSizeZ()}) {
      std::optional<int64_t> constant = getConstantIntValue(size);
      if (!constant)
        return launch.emitOpError("needs a constant workgroup size");
      workgroupSize.push_back(*constant);
    }
    // Buffers the kernel only reads bind first, as inputs.
    struct Buffer {
      int64_t source;
      BindingAccess access;
      unsigned argument;
    };
    SmallVector<Buffer> buffers;
    SmallVector<AffineExpr> constants;
    SmallVector<unsigned> bindings(kernel.getNumArguments(), ~0u);
    for (auto [position, operand] :
         llvm::enumerate(launch.getKernelOperands())) {
      if (operand.getType().isIndex()) {
        auto expr = sizes.express(operand);
        if (failed(expr))
          return failure();
        constants.push_back(*expr);
        continue;
      }
      if (!isa<MemRefType>(operand.getType()))
        return launch.emitOpError("passes a ")
               << operand.getType()
               << " to its kernel, which takes only buffers and sizes";
      auto source = bufferSource(rootOf(operand));
      if (failed(source))
        return failure();
      buffers.push_back({*source, accessOf(kernel.getArgument(position)),
                         unsigned(position)});
    }
    SmallVector<Buffer> ordered;
    for (bool readOnly : {true, false})
      for (const Buffer &buffer : buffers)
        if ((buffer.access == BindingAccess::Read) == readOnly)
          ordered.push_back(buffer);
    SmallVector<int64_t> sources, accesses;
    for (auto [binding, buffer] : llvm::enumerate(ordered)) {
      sources.push_back(buffer.source);
      accesses.push_back(static_cast<int64_t>(buffer.access));
      bindings[buffer.argument] = binding;
    }
    Attribute attr = b.getDictionaryAttr(
        {b.getNamedAttr(kKernel,
                        b.getStringAttr(launch.getKernelModuleName().str())),
         b.getNamedAttr(kEntryPoint, b.getStringAttr(kernel.getName())),
         b.getNamedAttr(kWorkgroupSize, b.getDenseI64ArrayAttr(workgroupSize)),
         b.getNamedAttr(kWorkgroupCount, AffineMapAttr::get(map(counts))),
         b.getNamedAttr(kBuffers, b.getDenseI64ArrayAttr(sources)),
         b.getNamedAttr(kAccesses, b.getDenseI64ArrayAttr(accesses)),
         b.getNamedAttr(kPushConstants, AffineMapAttr::get(map(constants)))});
    return std::make_pair(attr, bindings);
  }

  FailureOr<int64_t> bufferSource(Value root) {
    if (auto argument = dyn_cast<BlockArgument>(root);
        argument && argument.getOwner()->getParentOp() == function)
      return static_cast<int64_t>(argument.getArgNumber());
    auto alloc = root.getDefiningOp<memref::AllocOp>();
    if (!alloc)
      return emitError(root.getLoc(), "a kernel buffer made by ")
             << (root.getDefiningOp()
                     ? root.getDefiningOp()->getName().getStringRef()
                     : StringRef("a block argument"))
             << ", neither an argument nor a scratch allocation";
    auto [it, inserted] = scratchIndex.try_emplace(alloc, scratch.size());
    if (inserted) {
      SmallVector<AffineExpr> dims;
      for (OpFoldResult size : alloc.getMixedSizes()) {
        auto expr = sizes.express(size);
        if (failed(expr))
          return failure();
        dims.push_back(*expr);
      }
      scratch.push_back({alloc.getType().getElementType(), dims});
    }
    return scratchSource(it->second);
  }

  LogicalResult privatizeTable(gpu::GPUFuncOp kernel, memref::GetGlobalOp get) {
    constexpr int64_t kMaxTable = 4096;
    auto global = symbols.lookupNearestSymbolFrom<memref::GlobalOp>(
        get, get.getNameAttr());
    auto values = global ? dyn_cast_or_null<DenseFPElementsAttr>(
                               global.getConstantInitValue())
                         : DenseFPElementsAttr();
    MemRefType type = get.getType();
    if (!values || !type.hasStaticShape() || type.getRank() != 1 ||
        type.getNumElements() > kMaxTable)
      return get.emitOpError("reads a table a GPU kernel cannot hold (a "
                             "constant 1-D float table of at most ")
             << kMaxTable << " values)";
    OpBuilder kb = OpBuilder::atBlockBegin(&kernel.getBody().front());
    Location loc = get.getLoc();
    Value table = memref::AllocaOp::create(kb, loc, type);
    for (auto [at, value] : llvm::enumerate(values.getValues<APFloat>())) {
      Value element = arith::ConstantOp::create(
          kb, loc, FloatAttr::get(type.getElementType(), value));
      memref::StoreOp::create(
          kb, loc, element, table,
          ValueRange{arith::ConstantIndexOp::create(kb, loc, at)});
    }
    get.replaceAllUsesWith(table);
    get.erase();
    // Outlining copied the global into the kernel's module; nothing reads
    // it there any more.
    Operation *kernelModule = kernel->getParentOp();
    if (global->getParentOp() != kernelModule ||
        !SymbolTable::symbolKnownUseEmpty(global, kernelModule))
      return success();
    global.erase();
    return success();
  }

  // Storage buffers at set 0 by binding number; scalars read from one
  // push-constant block of 32-bit values, in launch operand order.
  LogicalResult giveInterface(gpu::GPUFuncOp kernel,
                              ArrayRef<unsigned> bindings,
                              ArrayRef<int64_t> workgroupSize) {
    MLIRContext *context = kernel.getContext();
    SmallVector<unsigned> scalars;
    for (auto [position, argument] : llvm::enumerate(kernel.getArguments()))
      if (argument.getType().isIndex())
        scalars.push_back(position);
    OpBuilder kb = OpBuilder::atBlockBegin(&kernel.getBody().front());
    if (!scalars.empty()) {
      auto blockType = MemRefType::get(
          {static_cast<int64_t>(scalars.size())}, kb.getI32Type(),
          MemRefLayoutAttrInterface(),
          ::mlir::spirv::StorageClassAttr::get(
              context, ::mlir::spirv::StorageClass::PushConstant));
      const unsigned blockPosition = kernel.getNumArguments();
      if (failed(kernel.insertArgument(blockPosition, blockType, {},
                                       kernel.getLoc())))
        return failure();
      BlockArgument block = kernel.getArgument(blockPosition);
      for (auto [slot, position] : llvm::enumerate(scalars)) {
        Value at = arith::ConstantIndexOp::create(kb, kernel.getLoc(), slot);
        Value word =
            memref::LoadOp::create(kb, kernel.getLoc(), block, ValueRange{at});
        kernel.getArgument(position).replaceAllUsesWith(
            arith::IndexCastOp::create(kb, kernel.getLoc(), kb.getIndexType(),
                                       word));
      }
    }
    llvm::BitVector erase(kernel.getNumArguments());
    for (unsigned position : scalars)
      erase.set(position);
    SmallVector<unsigned> kept;
    for (unsigned position = 0; position < kernel.getNumArguments(); ++position)
      if (!erase.test(position))
        kept.push_back(position);
    // The argument ABI attributes follow the arguments that stay.
    // (The push-constant block's storage class is in its type; the binding
    // number the ABI attribute wants is dropped with the SPIR-V variable's.)
    SmallVector<Attribute> abis;
    for (unsigned position : kept) {
      unsigned binding =
          position < bindings.size() ? bindings[position] : bindings.size();
      abis.push_back(::mlir::spirv::getInterfaceVarABIAttr(
          0, binding, std::nullopt, context));
    }
    if (failed(kernel.eraseArguments(erase)))
      return failure();
    for (auto [position, abi] : llvm::enumerate(abis))
      kernel.setArgAttr(position, ::mlir::spirv::getInterfaceVarABIAttrName(),
                        abi);
    // A constant table (SPIR-V storage buffers come only from bindings)
    // becomes a private array the invocation fills: they are small (the
    // timestep embedding's frequencies).
    SmallVector<memref::GetGlobalOp> tables;
    kernel.walk([&](memref::GetGlobalOp get) { tables.push_back(get); });
    for (memref::GetGlobalOp get : tables)
      if (failed(privatizeTable(kernel, get)))
        return failure();
    // An invocation's private arrays live in its Function storage.
    kernel.walk([&](memref::AllocaOp alloca) {
      MemRefType type = alloca.getType();
      alloca.getResult().setType(MemRefType::get(
          type.getShape(), type.getElementType(), type.getLayout(),
          ::mlir::spirv::StorageClassAttr::get(
              context, ::mlir::spirv::StorageClass::Function)));
    });
    SmallVector<int32_t> size(workgroupSize.begin(), workgroupSize.end());
    kernel->setAttr(::mlir::spirv::getEntryPointABIAttrName(),
                    ::mlir::spirv::getEntryPointABIAttr(context, size));
    return success();
  }

  func::FuncOp function;
  SymbolTableCollection &symbols;
  HostSizes sizes;
  Builder b;
  DenseMap<Operation *, unsigned> scratchIndex;
  SmallVector<std::pair<Type, SmallVector<AffineExpr>>> scratch;
};

struct DescribeLaunches
    : avila::spirv::impl::DescribeLaunchesBase<DescribeLaunches> {
  void runOnOperation() override {
    SymbolTableCollection symbols;
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (function->hasAttr("avila.dispatch") &&
          failed(PlanBuilder(function, symbols).run()))
        return signalPassFailure();
  }
};

} // namespace
