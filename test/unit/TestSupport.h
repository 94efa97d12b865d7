//===- TestSupport.h - Running avila IR in unit tests ------------*- C++
//-*-===//

#ifndef AVILA_TEST_UNIT_TESTSUPPORT_H
#define AVILA_TEST_UNIT_TESTSUPPORT_H

#include "compiler/interpreter/Interpreter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace avila::test {

using interp::ElementType;
using interp::Shape;
using interp::Tensor;

/// A module parsed from MLIR text whose functions run on the interpreter.
class Graph {
public:
  explicit Graph(const std::string &source);

  /// Runs `function`; a failure fails the test and returns nothing.
  std::vector<Tensor> run(const std::string &function,
                          const std::vector<Tensor> &arguments,
                          const interp::WeightProvider &weights = {});
  /// Runs `function` expecting an error, and returns its message.
  std::string runError(const std::string &function,
                       const std::vector<Tensor> &arguments,
                       const interp::WeightProvider &weights = {});
  /// Applies a pass pipeline (avila-opt syntax) to the module.
  void applyPasses(const std::string &pipeline);

private:
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

Tensor f32(Shape shape, std::vector<float> values);
Tensor ids(Shape shape, std::vector<int64_t> values);
/// Seeded standard-normal values.
Tensor randn(Shape shape, unsigned seed, ElementType type = ElementType::F32);

/// Runs two functions of `graph` on the same arguments and checks their
/// single results agree to `tolerance` in relative L2.
void expectSameResults(Graph &graph, const std::string &function,
                       const std::string &reference,
                       const std::vector<Tensor> &arguments,
                       double tolerance = 1e-6);

/// ‖a − b‖ / ‖b‖ over all elements, after checking the shapes are equal.
double relativeL2(const Tensor &a, const Tensor &b);
/// Checks shapes, then each element within `tolerance` (absolute).
void expectValues(const Tensor &actual, const std::vector<float> &expected,
                  double tolerance = 1e-6);

} // namespace avila::test

#endif // AVILA_TEST_UNIT_TESTSUPPORT_H
