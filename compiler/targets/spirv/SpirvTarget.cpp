//===- SpirvTarget.cpp - The Vulkan (SPIR-V) target backend ---------------===//

#include "compiler/targets/spirv/SpirvTarget.h"
#include "compiler/targets/spirv/LaunchPlan.h"
#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Target/SPIRV/Serialization.h"

using namespace mlir;

namespace avila::spirv {

namespace {

bool storesF16(const TargetBackend &target) {
  return target.storageType() == artifact::ElementType::F16;
}

// The phases are only ever given the target they belong to.
const SpirvTarget &spirvTarget(const TargetBackend &target) {
  return static_cast<const SpirvTarget &>(target);
}

// The profile's tile: FMA register tiles, or cooperative-matrix fragments
// where the kernels multiply them.
TileContractionsOptions tileOptions(const SpirvTarget &target) {
  const DeviceProfile &profile = target.deviceProfile();
  const ContractionTile &shape = profile.contractionTile;
  TileContractionsOptions options;
  options.tileRows = shape.rows;
  options.tileCols = shape.cols;
  options.tileDepth = shape.depth;
  options.threadRows = shape.threadRows;
  options.threadCols = shape.threadCols;
  options.maxWorkgroupMemory = profile.maxWorkgroupMemory;
  options.maxInvocations = profile.maxWorkgroupInvocations;
  options.depthSplit = shape.depthSplit;
  if (target.usesCooperativeMatrices()) {
    options.cooperativeMatrix = true;
    options.subgroupSize = profile.subgroupSize;
    options.subgroupFragments = shape.subgroupFragments;
  }
  return options;
}

TileAttentionOptions attentionOptions(const SpirvTarget &target) {
  TileAttentionOptions options;
  if (target.usesCooperativeMatrices()) {
    const DeviceProfile &profile = target.deviceProfile();
    options.cooperativeMatrix = true;
    options.subgroupSize = profile.subgroupSize;
    options.maxWorkgroupMemory = profile.maxWorkgroupMemory;
  }
  return options;
}

void addLoops(OpPassManager &passes, const TargetBackend &target) {
  passes.addPass(createTileContractions(tileOptions(spirvTarget(target))));
  passes.addPass(createContractionsToLinalg());
  passes.addPass(createTileAttention(attentionOptions(spirvTarget(target))));
  passes.addPass(createTileReductions());
  passes.addPass(createGroupNormsToWorkgroups());
  passes.addPass(createFusedAttentionToLoops());
  passes.addPass(createCopiesToLinalg());
  addPipeline(passes, "func.func(convert-linalg-to-parallel-loops)");
  passes.addPass(createLinearizeBuffers());
  addPipeline(passes, "canonicalize,cse");
  // After CSE: an accumulator is recognized by its load's and its store's
  // address being one value.
  if (storesF16(target)) {
    passes.addPass(createStoreF16());
    addPipeline(passes, "canonicalize,cse");
  }
}

void addGpu(OpPassManager &passes, const TargetBackend &target) {
  passes.addPass(createMapLoopsToWorkgroups(
      {spirvTarget(target).deviceProfile().loopWorkgroupSize}));
  addPipeline(passes,
              "scf-parallel-for-to-nested-fors,lower-affine,canonicalize,cse,"
              "func.func(gpu-launch-sink-index-computations),"
              "gpu-kernel-outlining,canonicalize,cse");
  passes.addPass(createDescribeLaunches());
  passes.addPass(createLoadBuffersAsWords());
  addPipeline(passes, "canonicalize");
}

void addSpirv(OpPassManager &passes, const TargetBackend &target) {
  passes.addPass(createSetTargetEnvironment(
      {spirvTarget(target).deviceProfile().name, storesF16(target)}));
  passes.addPass(createApproximateErf());
  passes.addPass(createReduceAngles());
  addPipeline(passes, "convert-math-to-spirv,convert-gpu-to-spirv");
  OpPassManager &modules = passes.nest<::mlir::spirv::ModuleOp>();
  modules.addPass(createUseVulkanMemoryModel());
  addPipeline(modules, "spirv-lower-abi-attrs,spirv-update-vce");
  modules.addPass(createUnbindPushConstants());
  addPipeline(passes, "canonicalize");
}

const PhaseInfo kPhases[] = {
    {"loops",
     "contractions and attention as launches of workgroup tiles "
     "(cooperative-matrix fragments where the profile has them), the "
     "others as loops, every linalg op as an scf.parallel nest, every access "
     "on a one-dimensional root buffer",
     addLoops},
    {"gpu",
     "each parallel loop (one invocation per iteration) and tiled launch "
     "outlined as a gpu.func; the kernel's host side replaced by "
     "its avila.launch_plan; f16 buffers read in words bound as words",
     addGpu},
    {"spirv", "the GPU functions as spirv.module ops, one per kernel launch",
     addSpirv},
};

constexpr llvm::StringLiteral kModulePrefix = "__spv__";

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

// The kernel a SPIR-V module defines: its one entry point and local size.
llvm::Expected<TargetKernel> describeModule(::mlir::spirv::ModuleOp module) {
  TargetKernel kernel;
  kernel.name = module.getName().value_or("").str();
  if (llvm::StringRef(kernel.name).starts_with(kModulePrefix))
    kernel.name = kernel.name.substr(kModulePrefix.size());
  auto entries = module.getOps<::mlir::spirv::EntryPointOp>();
  if (!llvm::hasSingleElement(entries))
    return fail("SPIR-V module '" + kernel.name +
                "' must have exactly one entry point");
  kernel.entryPoint = (*entries.begin()).getFn().str();
  for (auto mode : module.getOps<::mlir::spirv::ExecutionModeOp>())
    if (mode.getExecutionMode() == ::mlir::spirv::ExecutionMode::LocalSize)
      for (auto [axis, size] : llvm::enumerate(mode.getValues()))
        if (axis < 3)
          kernel.workgroupSize[axis] =
              static_cast<uint32_t>(cast<IntegerAttr>(size).getInt());
  return kernel;
}

DeviceProfile defaultProfile(Precision precision) {
  return llvm::cantFail(
      deviceProfile(precision == Precision::FP16 ? "generic-fp16" : "generic"));
}

} // namespace

SpirvTarget::SpirvTarget()
    : SpirvTarget(TargetOptions{}, defaultProfile(Precision::FP32)) {}

llvm::Expected<std::unique_ptr<TargetBackend>>
SpirvTarget::configured(const TargetOptions &configuration) const {
  auto profile = configuration.deviceProfile.empty()
                     ? defaultProfile(configuration.precision)
                     : spirv::deviceProfile(configuration.deviceProfile);
  if (!profile)
    return profile.takeError();
  if (configuration.precision == Precision::FP16 && !profile->float16)
    return fail("--precision fp16 needs a device profile with 16-bit "
                "storage; '" +
                profile->name + "' has none");
  return std::unique_ptr<TargetBackend>(
      new SpirvTarget(configuration, std::move(*profile)));
}

llvm::ArrayRef<PhaseInfo> SpirvTarget::phases() const { return kPhases; }

std::vector<std::string> SpirvTarget::features() const {
  // Every module declares subgroup arithmetic (workgroup reductions).
  std::vector<std::string> features = {"shaderInt64", "subgroupArithmetic"};
  // f16 values loaded from and stored to storage buffers, converted to f32.
  if (storesF16(*this))
    llvm::append_range(features,
                       std::initializer_list<std::string>{
                           "shaderFloat16", "storageBuffer16BitAccess"});
  // Fragments of 16×16 f16, subgroups indexed by invocation / 32, the
  // memory model cooperative-matrix modules must declare, and the shuffles
  // that combine an attention row's softmax across a subgroup's halves.
  if (usesCooperativeMatrices())
    llvm::append_range(
        features,
        std::initializer_list<std::string>{
            "cooperativeMatrix", "vulkanMemoryModel", "subgroupShuffle",
            "subgroupSize=" + std::to_string(profile.subgroupSize)});
  return features;
}

void SpirvTarget::registerDialects(DialectRegistry &registry) const {
  registry.insert<::mlir::spirv::SPIRVDialect>();
}

llvm::Expected<TargetCode>
SpirvTarget::serialize(ModuleOp kernels,
                       const ProgressCallback &progress) const {
  TargetCode code;
  auto modules = llvm::to_vector(kernels.getOps<::mlir::spirv::ModuleOp>());
  for (auto [done, module] : llvm::enumerate(modules)) {
    if (progress)
      progress({"serialize SPIR-V", done, modules.size()});
    auto kernel = describeModule(module);
    if (!kernel)
      return kernel.takeError();
    SmallVector<uint32_t> words;
    if (failed(::mlir::spirv::serialize(module, words)))
      return fail("cannot serialize SPIR-V module '" + kernel->name + "'");
    kernel->codeOffset = code.code.size();
    kernel->codeSize = words.size() * sizeof(uint32_t);
    const auto *bytes = reinterpret_cast<const uint8_t *>(words.data());
    code.code.insert(code.code.end(), bytes, bytes + kernel->codeSize);
    code.kernels.push_back(std::move(*kernel));
  }
  for (auto function : kernels.getOps<func::FuncOp>()) {
    auto plan = function->getAttrOfType<DictionaryAttr>(kLaunchPlan);
    if (!plan)
      continue;
    auto read = readLaunchPlan(plan);
    if (!read)
      return read.takeError();
    code.launchPlans[function.getSymName().str()] = std::move(*read);
  }
  return code;
}

} // namespace avila::spirv
