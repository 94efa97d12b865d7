//===- ArtifactBuilder.cpp - Compile model graphs into an artifact --------===//

#include "compiler/artifact/ArtifactBuilder.h"
#include "compiler/artifact/SizeExpressions.h"
#include "compiler/dialect/AvilaOps.h"
#include "compiler/phases/Phases.h"
#include "runtime/artifact/Artifact.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>

using namespace mlir;
namespace fb = avila::artifact;

namespace avila {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

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

// What a tensor the kernels take or return is in memory: a float in the
// target's storage type. This is the one place it applies (entry inputs and
// outputs, weights, tensors between dispatches); a launch plan's scratch
// buffers keep the type the kernel computes in.
llvm::Expected<fb::ElementType> storedType(Type type,
                                           const TargetBackend &target) {
  auto element = elementType(type);
  if (element && *element == fb::ElementType::F32)
    return target.storageType();
  return element;
}

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

// A launch plan's size (an affine expression over its sources) as a size
// expression of the entry point.
uint32_t planSize(AffineExpr expr, ArrayRef<uint32_t> sources,
                  ExprTable &exprs) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return exprs.constant(constant.getValue());
  if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
    return sources[symbol.getPosition()];
  auto binary = cast<AffineBinaryOpExpr>(expr);
  const uint32_t lhs = planSize(binary.getLHS(), sources, exprs);
  const uint32_t rhs = planSize(binary.getRHS(), sources, exprs);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return exprs.binary(fb::ExprOp::Add, lhs, rhs);
  case AffineExprKind::Mul:
    return exprs.binary(fb::ExprOp::Mul, lhs, rhs);
  case AffineExprKind::FloorDiv:
    return exprs.binary(fb::ExprOp::FloorDiv, lhs, rhs);
  case AffineExprKind::CeilDiv:
    return exprs.binary(fb::ExprOp::CeilDiv, lhs, rhs);
  default: // Mod
    return exprs.binary(
        fb::ExprOp::Sub, lhs,
        exprs.binary(fb::ExprOp::Mul,
                     exprs.binary(fb::ExprOp::FloorDiv, lhs, rhs), rhs));
  }
}

std::vector<uint32_t> planSizes(AffineMap map, ArrayRef<uint32_t> sources,
                                ExprTable &exprs) {
  std::vector<uint32_t> sizes;
  for (AffineExpr result : map.getResults())
    sizes.push_back(planSize(result, sources, exprs));
  return sizes;
}

// The artifact's kernel called `name`, added with `describe` the first time.
uint32_t kernelIndex(ArtifactTables &tables, const std::string &name,
                     const std::function<void(fb::KernelT &)> &describe) {
  auto [it, added] =
      tables.kernels.try_emplace(name, tables.artifact.kernels.size());
  if (added) {
    auto kernel = std::make_unique<fb::KernelT>();
    kernel->name = name;
    describe(*kernel);
    tables.artifact.kernels.push_back(std::move(kernel));
  }
  return it->second;
}

// Scalars follow one another, each aligned to its size.
void layPushConstants(fb::KernelT &kernel, size_t count,
                      const TargetBackend &target) {
  const fb::ElementType type = target.pushConstantType();
  const uint32_t size = elementSize(type);
  for (uint32_t i = 0; i < count; ++i)
    kernel.push_constants.emplace_back(i * size, type);
}

llvm::Expected<std::unique_ptr<fb::EntryPointT>>
scheduleEntry(func::FuncOp function, ArtifactTables &tables,
              const TargetBackend &target, const TargetCode &code,
              const ArtifactOptions &options) {
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
    auto element = storedType(type.getElementType(), target);
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
        auto element = storedType(weight.getType().getElementType(), target);
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
    auto bindingFor = [&](Value value) -> std::unique_ptr<fb::BindingT> {
      const Location &where = locations[value];
      auto binding = std::make_unique<fb::BindingT>();
      binding->kind = where.kind;
      binding->index = where.index;
      auto type = cast<RankedTensorType>(value.getType());
      binding->element_type = *storedType(type.getElementType(), target);
      binding->shape.assign(shapes.dims(value).begin(),
                            shapes.dims(value).end());
      if (where.kind == fb::BindingKind::Arena)
        arenaBindings.push_back({binding.get(), slots.lookup(value)});
      return binding;
    };
    for (Value operand : call.getOperands())
      if (!operand.getType().isIndex() && !locations.count(operand))
        return fail(entry->name + ": a dispatch reads a tensor with no buffer");
    for (Value result : call.getResults()) {
      if (locations.count(result))
        continue;
      auto type = storedType(
          cast<RankedTensorType>(result.getType()).getElementType(), target);
      if (!type)
        return type.takeError();
      slots[result] = arena.allocate(
          exprs.binary(fb::ExprOp::Mul, exprs.product(shapes.dims(result)),
                       exprs.constant(elementSize(*type))));
      locations[result] = {fb::BindingKind::Arena, 0};
    }
    std::vector<unsigned> scratchSlots;
    auto plan = code.launchPlans.find(kernelName);
    if (plan == code.launchPlans.end()) {
      // The kernel function runs as one kernel: it reads its operands
      // (weights included) and writes its results, which bufferization
      // made out-parameters.
      auto dispatch = std::make_unique<fb::DispatchT>();
      std::vector<fb::BindingAccess> accesses;
      for (Value operand : call.getOperands()) {
        if (operand.getType().isIndex()) {
          dispatch->push_constants.push_back(shapes.index(operand));
          continue;
        }
        dispatch->bindings.push_back(bindingFor(operand));
        accesses.push_back(fb::BindingAccess::Read);
      }
      const uint32_t inputs = accesses.size();
      for (Value result : call.getResults()) {
        dispatch->bindings.push_back(bindingFor(result));
        accesses.push_back(fb::BindingAccess::Write);
      }
      dispatch->kernel = kernelIndex(tables, kernelName, [&](fb::KernelT &k) {
        k.input_bindings = inputs;
        k.bindings = std::move(accesses);
        layPushConstants(k, dispatch->push_constants.size(), target);
      });
      const uint32_t one = exprs.constant(1);
      dispatch->workgroup_count = {one, one, one};
      entry->dispatches.push_back(std::move(dispatch));
    } else {
      // Its launches, over its arguments (operands, then results) and the
      // scratch buffers they share for the length of the dispatch.
      SmallVector<Value> arguments(call.getOperands());
      llvm::append_range(arguments, call.getResults());
      std::vector<uint32_t> sources;
      for (const LaunchPlan::Source &source : plan->second.sources) {
        if (source.argument < 0 ||
            source.argument >= static_cast<int64_t>(arguments.size()))
          return fail(kernelName + ": a launch plan names a missing argument");
        Value argument = arguments[source.argument];
        sources.push_back(source.axis == LaunchPlan::kScalar
                              ? shapes.index(argument)
                              : shapes.dims(argument)[source.axis]);
      }
      std::vector<fb::BindingT> scratch;
      for (const LaunchPlan::Scratch &buffer : plan->second.scratch) {
        fb::BindingT binding;
        binding.kind = fb::BindingKind::Arena;
        auto element = elementType(buffer.elementType);
        if (!element)
          return element.takeError();
        binding.element_type = *element;
        binding.shape = planSizes(buffer.sizes, sources, exprs);
        scratchSlots.push_back(arena.allocate(
            exprs.binary(fb::ExprOp::Mul, exprs.product(binding.shape),
                         exprs.constant(elementBytes(buffer.elementType)))));
        scratch.push_back(std::move(binding));
      }
      for (const LaunchPlan::Launch &launch : plan->second.launches) {
        auto dispatch = std::make_unique<fb::DispatchT>();
        for (int64_t buffer : launch.buffers) {
          if (buffer >= static_cast<int64_t>(arguments.size()) ||
              -1 - buffer >= static_cast<int64_t>(scratch.size()))
            return fail(kernelName + ": a launch binds a missing buffer");
          if (buffer >= 0) {
            dispatch->bindings.push_back(bindingFor(arguments[buffer]));
            continue;
          }
          auto binding = std::make_unique<fb::BindingT>(scratch[-1 - buffer]);
          arenaBindings.push_back({binding.get(), scratchSlots[-1 - buffer]});
          dispatch->bindings.push_back(std::move(binding));
        }
        dispatch->push_constants =
            planSizes(launch.pushConstants, sources, exprs);
        dispatch->workgroup_count =
            planSizes(launch.workgroupCount, sources, exprs);
        dispatch->kernel =
            kernelIndex(tables, launch.kernel, [&](fb::KernelT &k) {
              k.bindings = launch.accesses;
              k.input_bindings =
                  llvm::count(launch.accesses, fb::BindingAccess::Read);
              layPushConstants(k, dispatch->push_constants.size(), target);
            });
        entry->dispatches.push_back(std::move(dispatch));
      }
    }
    // Operands read for the last time, results nobody reads and scratch
    // buffers die here, after the kernel (which reads its inputs while
    // writing its results).
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
    for (unsigned slot : scratchSlots)
      arena.release(slot);
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

// Every kernel the schedules dispatch must be one the code defines (a
// missing one would fail only when the runtime loads the artifact); the
// code says how it exports each and its workgroup size.
llvm::Error describeKernels(fb::ArtifactT &artifact, const TargetCode &code,
                            const TargetBackend &target) {
  for (auto &kernel : artifact.kernels) {
    const auto defined =
        llvm::find_if(code.kernels, [&](const TargetKernel &candidate) {
          return candidate.name == kernel->name;
        });
    if (defined == code.kernels.end())
      return fail("the " + target.name() + " code defines no kernel '" +
                  kernel->name + "'");
    kernel->entry_point = defined->entryPoint;
    kernel->workgroup_size.assign(defined->workgroupSize.begin(),
                                  defined->workgroupSize.end());
    kernel->code_offset = defined->codeOffset;
    kernel->code_size = defined->codeSize;
  }
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
  // The schedules follow the code: a kernel may run as several launches.
  OwningOpRef<ModuleOp> kernels = cloneKernels(module);
  auto code = compileKernels(*kernels, target, options.progress);
  if (!code)
    return code.takeError();
  if (options.progress)
    options.progress({"schedule"});
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function->hasAttr("avila.dispatch"))
      continue;
    auto entry = scheduleEntry(function, tables, target, *code, options);
    if (!entry)
      return entry.takeError();
    tables.artifact.entry_points.push_back(std::move(*entry));
  }
  if (auto error = describeKernels(tables.artifact, *code, target))
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
