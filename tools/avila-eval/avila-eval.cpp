//===- avila-eval.cpp - Run an avila function on the reference interpreter
//-===//
//
//   avila-eval graph.mlir --input=2x4xf32=1,2,3,4,5,6,7,8 --random-weights
//
// Inputs are given per argument as SHAPExTYPE=VALUES (comma-separated; one
// value fills the whole tensor) or as SHAPExTYPE alone for seeded random
// normal values. Weights are seeded random values scaled by 1/sqrt(fan-in).
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaDialect.h"
#include "compiler/interpreter/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <cmath>
#include <random>

using namespace avila::interp;
namespace cl = llvm::cl;

namespace {

// A list, so that a stray second argument gets our message, not cl's.
cl::list<std::string> inputFiles(cl::Positional, cl::desc("<graph.mlir>"));
cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to run (default: the first in the file)"));
cl::list<std::string> inputs("input",
                             cl::desc("One argument: SHAPExTYPE[=VALUES], e.g. "
                                      "1x4x8x8xf32 or 2xf32=981,1"));
cl::opt<bool>
    randomWeights("random-weights",
                  cl::desc("Bind every avila.weight to seeded random values"));
cl::opt<unsigned> seed("seed", cl::desc("Seed for random inputs and weights"),
                       cl::init(0));
cl::opt<unsigned>
    printLimit("print-limit",
               cl::desc("Values printed per result (0: only statistics)"),
               cl::init(16));

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<ElementType> parseElementType(llvm::StringRef text) {
  for (ElementType type :
       {ElementType::F32, ElementType::F16, ElementType::BF16, ElementType::I32,
        ElementType::I64})
    if (text == elementTypeName(type))
      return type;
  return fail("unknown element type '" + text + "'");
}

llvm::Expected<Tensor> parseInput(llvm::StringRef spec, std::mt19937 &rng) {
  auto [typeText, valuesText] = spec.split('=');
  llvm::SmallVector<llvm::StringRef> parts;
  typeText.split(parts, 'x');
  auto elementType = parseElementType(parts.pop_back_val());
  if (!elementType)
    return elementType.takeError();
  Shape shape;
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0 || dim > (int64_t{1} << 31))
      return fail("bad dimension '" + part + "' in --input=" + spec);
    shape.push_back(dim);
  }
  const int64_t count = numElements(shape);
  if (count > (int64_t{1} << 28))
    return fail("--input=" + spec + " is too large for the interpreter");
  std::vector<double> values;
  if (!spec.contains('=')) {
    std::normal_distribution<double> normal;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(normal(rng));
  } else {
    llvm::SmallVector<llvm::StringRef> items;
    valuesText.split(items, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef item : items) {
      double value;
      if (item.trim().getAsDouble(value))
        return fail("bad value '" + item + "' in --input=" + spec);
      values.push_back(value);
    }
    if (values.size() == 1)
      values.assign(count, values.front());
    if (static_cast<int64_t>(values.size()) != count)
      return fail("--input=" + spec + " gives " + llvm::Twine(values.size()) +
                  " values for " + llvm::Twine(count) + " elements");
  }
  if (!isFloat(*elementType))
    return Tensor::fromInts(*elementType, shape,
                            std::vector<int64_t>(values.begin(), values.end()));
  return Tensor::fromFloats(*elementType, shape,
                            std::vector<float>(values.begin(), values.end()));
}

Tensor randomWeight(const Shape &shape, ElementType type, std::mt19937 &rng) {
  const int64_t fanIn =
      shape.size() >= 2 ? numElements(shape) / std::max<int64_t>(shape[0], 1)
                        : 1;
  std::normal_distribution<float> normal(
      0.0f, 1.0f / std::sqrt(static_cast<float>(fanIn)));
  std::vector<float> values(numElements(shape));
  for (float &value : values)
    value = normal(rng);
  return Tensor::fromFloats(type, shape, std::move(values));
}

void printTensor(llvm::raw_ostream &os, size_t position, const Tensor &tensor) {
  os << "result " << position << ": " << shapeString(tensor.shape) << "x"
     << elementTypeName(tensor.elementType) << "\n";
  if (!isFloat(tensor.elementType))
    return;
  double sum = 0.0, squares = 0.0;
  for (float value : tensor.floats) {
    sum += value;
    squares += static_cast<double>(value) * value;
  }
  const double count = std::max<double>(tensor.floats.size(), 1.0);
  const double mean = sum / count;
  os << llvm::format("  mean %.6g std %.6g\n", mean,
                     std::sqrt(std::max(0.0, squares / count - mean * mean)));
  if (printLimit == 0)
    return;
  os << " ";
  for (size_t i = 0; i < tensor.floats.size() && i < printLimit; ++i)
    os << llvm::format(" %.6g", tensor.floats[i]);
  if (tensor.floats.size() > printLimit)
    os << " ...";
  os << "\n";
}

llvm::Error run(mlir::ModuleOp module) {
  mlir::func::FuncOp function;
  for (auto candidate : module.getOps<mlir::func::FuncOp>())
    if (!function &&
        (functionName.empty() || candidate.getSymName() == functionName))
      function = candidate;
  if (!function)
    return fail(functionName.empty()
                    ? llvm::Twine("the module has no function")
                    : "no function named '" + functionName + "'");
  std::mt19937 rng(seed);
  std::vector<Tensor> arguments;
  for (const std::string &spec : inputs) {
    auto argument = parseInput(spec, rng);
    if (!argument)
      return argument.takeError();
    arguments.push_back(std::move(*argument));
  }
  WeightProvider weights;
  if (randomWeights)
    weights = [&rng](llvm::StringRef, const Shape &shape,
                     ElementType type) -> llvm::Expected<Tensor> {
      return randomWeight(shape, type, rng);
    };
  auto results = interpret(function, arguments, weights);
  if (!results)
    return results.takeError();
  for (auto [position, result] : llvm::enumerate(*results))
    printTensor(llvm::outs(), position, result);
  return llvm::Error::success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv, "Run an avila function on the reference interpreter\n");

  if (inputFiles.size() > 1) {
    llvm::WithColor::error(llvm::errs(), "avila-eval")
        << "unexpected argument '" << inputFiles[1] << "'\n";
    return 1;
  }
  const std::string inputFile = inputFiles.empty() ? "-" : inputFiles[0];

  mlir::MLIRContext context;
  context.loadDialect<avila::AvilaDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  std::string message;
  auto file = mlir::openInputFile(inputFile, &message);
  if (!file) {
    llvm::WithColor::error(llvm::errs(), "avila-eval") << message << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  if (llvm::Error error = run(*module)) {
    llvm::WithColor::error(llvm::errs(), "avila-eval")
        << llvm::toString(std::move(error)) << "\n";
    return 1;
  }
  return 0;
}
