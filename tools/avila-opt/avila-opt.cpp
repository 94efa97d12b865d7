//===- avila-opt.cpp - Run avila and upstream passes on .mlir text --------===//

#include "compiler/dialect/AvilaDialect.h"
#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/x86/X86Passes.h"
#include "compiler/transforms/DestinationStyleBufferization.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  avila::registerAvilaPasses();
  avila::spirv::registerSpirvPasses();
  avila::x86::registerX86Passes();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<avila::AvilaDialect>();
  avila::registerDestinationStyleBufferization(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Avila Diffusion optimizer driver\n", registry));
}
