//===- ModelDialects.cpp - The dialects and the set of networks -----------===//

#include "models/graphs/Models.h"

#include "compiler/dialect/AvilaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"

namespace avila::models {

void loadModelDialects(mlir::MLIRContext &context) {
  context.loadDialect<AvilaDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
}

void buildAllNetworks(mlir::ModuleOp module, const ModelConfig &config,
                      mlir::Type elementType) {
  buildTextEncoder(module, config.textEncoder, elementType);
  if (config.textEncoder.layers > 1)
    buildTextEncoderLayers(module, config.textEncoder, elementType);
  buildUNet(module, config.unet, elementType);
  buildVaeDecoder(module, config.vae, elementType);
  buildVaeEncoder(module, config.vae, elementType);
}

mlir::OwningOpRef<mlir::ModuleOp>
buildNetworksModule(mlir::MLIRContext &context, const ModelConfig &config) {
  loadModelDialects(context);
  mlir::OpBuilder builder(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(builder.getUnknownLoc());
  buildAllNetworks(*module, config, builder.getF32Type());
  if (mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

} // namespace avila::models
