//===- GraphBuilder.h - Writing networks in the avila dialect ----*- C++
//-*-===//
//
// The vocabulary the model files are written in: PyTorch-module-sized steps
// (conv2d with its named weight and bias, group_norm, attention, ...) that
// emit avila ops into one function. Weight names are canonical diffusers
// names: a layer "down_blocks.0.resnets.0.conv1" owns "<layer>.weight" and
// "<layer>.bias".
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_MODELS_GRAPHS_GRAPHBUILDER_H
#define AVILA_MODELS_GRAPHS_GRAPHBUILDER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <array>
#include <string>

namespace avila::models {

class GraphBuilder {
public:
  /// Emits into `module`; activations and weights have `elementType`.
  GraphBuilder(mlir::ModuleOp module, mlir::Type elementType);

  /// Starts function `name` taking `inputs`; returns its arguments.
  llvm::SmallVector<mlir::Value> beginFunction(llvm::StringRef name,
                                               mlir::TypeRange inputs);
  /// Returns `results` and fixes the function's result types.
  mlir::func::FuncOp endFunction(mlir::ValueRange results);

  /// A tensor type of the graph's element type; kDynamic for `?`.
  mlir::RankedTensorType tensor(llvm::ArrayRef<int64_t> shape) const;
  static constexpr int64_t kDynamic = mlir::ShapedType::kDynamic;

  mlir::Value weight(const std::string &name, llvm::ArrayRef<int64_t> shape);

  mlir::Value conv2d(mlir::Value x, const std::string &layer,
                     int64_t outChannels, int64_t kernel, int64_t stride,
                     std::array<int64_t, 4> padding);
  /// A 3x3 convolution that keeps the size (stride 1, padding 1).
  mlir::Value conv3x3(mlir::Value x, const std::string &layer,
                      int64_t outChannels);
  mlir::Value conv1x1(mlir::Value x, const std::string &layer,
                      int64_t outChannels);
  mlir::Value linear(mlir::Value x, const std::string &layer,
                     int64_t outFeatures, bool bias = true);
  mlir::Value groupNorm(mlir::Value x, const std::string &layer, int64_t groups,
                        double epsilon);
  mlir::Value layerNorm(mlir::Value x, const std::string &layer,
                        double epsilon);

  mlir::Value attention(mlir::Value query, mlir::Value key, mlir::Value value,
                        int64_t heads, bool causal = false);
  mlir::Value silu(mlir::Value x);
  mlir::Value add(mlir::Value a, mlir::Value b);

  /// [N, C, H, W] → [N, H·W, C].
  mlir::Value imageToSequence(mlir::Value image);
  /// [N, H·W, C] → [N, C, H, W], with N, H, W those of `like`.
  mlir::Value sequenceToImage(mlir::Value sequence, mlir::Value like);
  /// Nearest-neighbour upsampling of `x` to the height and width of `like`.
  mlir::Value upsampleTo(mlir::Value x, mlir::Value like);

  /// Size of a dimension: static, or an avila.dim.
  mlir::OpFoldResult size(mlir::Value x, int64_t axis);
  static int64_t staticSize(mlir::Value x, int64_t axis);

  mlir::OpBuilder &builder() { return b; }
  mlir::Location loc() const { return location; }

private:
  mlir::OpBuilder b;
  mlir::Location location;
  mlir::Type elementType;
  mlir::ModuleOp module;
  mlir::func::FuncOp function;
};

} // namespace avila::models

#endif // AVILA_MODELS_GRAPHS_GRAPHBUILDER_H
