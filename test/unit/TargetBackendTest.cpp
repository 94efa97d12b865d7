//===- TargetBackendTest.cpp - The artifact builder through a target ------===//
//
// A stand-in backend plugged into the artifact builder: what the artifact
// records of its target (enum, features, code, arena alignment) comes from
// the backend alone, and a kernel its code does not define is refused.
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/ArtifactBuilder.h"
#include "compiler/dialect/AvilaDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

// Two chained matmuls: the first result lives in the arena (2x4 f32, 32
// bytes), so the arena's size is that rounded up to the alignment.
constexpr const char *kModule = R"mlir(
func.func @e(%a: tensor<2x4xf32>, %b: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = avila.matmul %a, %b : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %1 = avila.matmul %0, %b : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}
)mlir";

class StandInTarget final : public TargetBackend {
public:
  explicit StandInTarget(bool definesKernels, artifact::ElementType storage =
                                                  artifact::ElementType::F32)
      : definesKernels(definesKernels), storage(storage) {}
  llvm::Expected<std::unique_ptr<TargetBackend>>
  configured(const TargetOptions &) const override {
    return std::make_unique<StandInTarget>(definesKernels, storage);
  }
  llvm::StringRef name() const override { return "stand-in"; }
  artifact::Target artifactTarget() const override {
    return artifact::Target::Vulkan;
  }
  llvm::ArrayRef<PhaseInfo> phases() const override { return {}; }
  void registerDialects(mlir::DialectRegistry &) const override {}
  llvm::Expected<TargetCode>
  serialize(mlir::ModuleOp kernels, const ProgressCallback &) const override {
    TargetCode code{{1, 2, 3}, {}, {}};
    if (definesKernels)
      for (auto kernel : kernels.getOps<mlir::func::FuncOp>())
        code.kernels.push_back({kernel.getSymName().str(), "main", {64, 1, 1}});
    return code;
  }
  std::vector<std::string> features() const override { return {"stand-in"}; }
  int64_t arenaAlignment() const override { return 256; }
  artifact::ElementType pushConstantType() const override {
    return artifact::ElementType::I32;
  }
  artifact::ElementType storageType() const override { return storage; }
  bool runsWholeNorms() const override { return false; }

private:
  bool definesKernels;
  artifact::ElementType storage;
};

llvm::Expected<std::vector<uint8_t>> build(mlir::MLIRContext &context,
                                           const TargetBackend &target) {
  context.loadDialect<AvilaDialect, mlir::func::FuncDialect>();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  EXPECT_TRUE(module);
  return buildArtifact(*module, target, ArtifactOptions());
}

TEST(TargetBackend, ArtifactRecordsWhatTheTargetGives) {
  mlir::MLIRContext context;
  auto bytes = build(context, StandInTarget(true));
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  std::unique_ptr<artifact::ArtifactT> unpacked(
      artifact::GetArtifact(bytes->data())->UnPack());
  EXPECT_EQ(unpacked->target, artifact::Target::Vulkan);
  EXPECT_EQ(unpacked->target_features, std::vector<std::string>{"stand-in"});
  EXPECT_EQ(unpacked->code, (std::vector<uint8_t>{1, 2, 3}));
  ASSERT_EQ(unpacked->kernels.size(), 2u);
  for (const auto &kernel : unpacked->kernels) {
    EXPECT_EQ(kernel->entry_point, "main");
    EXPECT_EQ(kernel->workgroup_size, (std::vector<uint32_t>{64, 1, 1}));
    // Each matmul reads its two operands and writes its result.
    EXPECT_EQ(kernel->bindings,
              (std::vector<artifact::BindingAccess>{
                  artifact::BindingAccess::Read, artifact::BindingAccess::Read,
                  artifact::BindingAccess::Write}));
    EXPECT_EQ(kernel->input_bindings, 2u);
  }
  ASSERT_EQ(unpacked->entry_points.size(), 1u);
  const auto &exprs = unpacked->entry_points[0]->exprs;
  const auto &arenaSize = exprs[unpacked->entry_points[0]->arena_size];
  EXPECT_EQ(arenaSize->op, artifact::ExprOp::Constant);
  EXPECT_EQ(arenaSize->value, 256);
}

// A reshape to a size of the request: the size is the kernel's push
// constant, laid out as the target declares.
constexpr const char *kDynamicModule = R"mlir(
func.func @e(%a: tensor<?x4xf32>) -> tensor<?x2x2xf32> {
  %n = avila.dim %a[0] : tensor<?x4xf32>
  %r = avila.reshape %a dims(%n) : tensor<?x4xf32> -> tensor<?x2x2xf32>
  %s = avila.silu %r : tensor<?x2x2xf32>
  return %s : tensor<?x2x2xf32>
}
)mlir";

TEST(TargetBackend, PushConstantsTakeTheTargetsType) {
  mlir::MLIRContext context;
  context.loadDialect<AvilaDialect, mlir::func::FuncDialect>();
  auto module =
      mlir::parseSourceString<mlir::ModuleOp>(kDynamicModule, &context);
  ASSERT_TRUE(module);
  auto bytes = buildArtifact(*module, StandInTarget(true), ArtifactOptions());
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  std::unique_ptr<artifact::ArtifactT> unpacked(
      artifact::GetArtifact(bytes->data())->UnPack());
  ASSERT_EQ(unpacked->kernels.size(), 1u);
  const auto &constants = unpacked->kernels[0]->push_constants;
  ASSERT_FALSE(constants.empty());
  for (size_t i = 0; i < constants.size(); ++i) {
    EXPECT_EQ(constants[i].type(), artifact::ElementType::I32);
    EXPECT_EQ(constants[i].offset(), 4 * i);
  }
}

// Every float tensor in memory takes the target's storage type: the entry
// point's inputs and outputs and every dispatch binding, the one between
// the matmuls in the arena included.
TEST(TargetBackend, FloatTensorsTakeTheStorageType) {
  mlir::MLIRContext context;
  auto bytes = build(context, StandInTarget(true, artifact::ElementType::F16));
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  std::unique_ptr<artifact::ArtifactT> unpacked(
      artifact::GetArtifact(bytes->data())->UnPack());
  ASSERT_EQ(unpacked->entry_points.size(), 1u);
  const auto &entry = *unpacked->entry_points[0];
  for (const auto &spec : entry.inputs)
    EXPECT_EQ(spec->element_type, artifact::ElementType::F16);
  ASSERT_EQ(entry.outputs.size(), 1u);
  EXPECT_EQ(entry.outputs[0]->element_type, artifact::ElementType::F16);
  ASSERT_EQ(entry.dispatches.size(), 2u);
  for (const auto &dispatch : entry.dispatches)
    for (const auto &binding : dispatch->bindings)
      EXPECT_EQ(binding->element_type, artifact::ElementType::F16);
}

TEST(TargetBackend, KernelTheCodeLacksIsRefused) {
  mlir::MLIRContext context;
  auto bytes = build(context, StandInTarget(false));
  ASSERT_FALSE(bool(bytes));
  EXPECT_EQ(llvm::toString(bytes.takeError()),
            "the stand-in code defines no kernel 'e_dispatch_0_matmul'");
}

} // namespace
} // namespace avila
