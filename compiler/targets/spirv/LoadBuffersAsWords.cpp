//===- LoadBuffersAsWords.cpp - 16-byte loads of f16 buffers --------------===//
//
// A storage buffer of f16 is a runtime array of halves, read two bytes per
// load; SPIR-V has no vector of 8 halves to read 16 bytes at once. A kernel
// buffer that is only read 8 halves at a time, as words, is bound as an
// array of `vector<4xi32>` instead: each read becomes one 16-byte load,
// which the contraction tiles copy their slabs with.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/Words.h"

namespace avila::spirv {
#define GEN_PASS_DEF_LOADBUFFERSASWORDS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;

namespace {

using avila::spirv::kWordHalves;
using avila::spirv::wordType;

// The word a load of 8 halves is read as: its only user, a bitcast to
// `vector<4xi32>`; null otherwise.
vector::BitCastOp wordOf(Operation *user) {
  auto load = dyn_cast<vector::LoadOp>(user);
  if (!load ||
      load.getVectorType() !=
          VectorType::get({kWordHalves}, Float16Type::get(user->getContext())))
    return {};
  if (!load->hasOneUse())
    return {};
  auto word = dyn_cast<vector::BitCastOp>(*load->getUsers().begin());
  if (!word || word.getResultVectorType() != wordType(user->getContext()))
    return {};
  return word;
}

LogicalResult loadAsWords(gpu::GPUFuncOp kernel) {
  OpBuilder b(kernel.getContext());
  auto wordElement = wordType(b.getContext());
  for (BlockArgument argument : kernel.getArguments()) {
    auto type = dyn_cast<MemRefType>(argument.getType());
    if (!type || !type.getElementType().isF16() ||
        llvm::none_of(argument.getUsers(), [](Operation *user) {
          return isa<vector::LoadOp>(user);
        }))
      continue;
    if (!llvm::all_of(argument.getUsers(),
                      [](Operation *user) { return wordOf(user); }))
      return kernel.emitError("avila-load-buffers-as-words: kernel buffer ")
             << argument.getArgNumber()
             << " is read both as words and otherwise";
    argument.setType(MemRefType::get({ShapedType::kDynamic}, wordElement,
                                     MemRefLayoutAttrInterface(),
                                     type.getMemorySpace()));
    for (Operation *user : llvm::make_early_inc_range(argument.getUsers())) {
      auto load = cast<vector::LoadOp>(user);
      vector::BitCastOp word = wordOf(user);
      b.setInsertionPoint(load);
      // The tiles read words only at multiples of 8 halves.
      Value at = arith::DivUIOp::create(
          b, load.getLoc(), load.getIndices().front(),
          arith::ConstantIndexOp::create(b, load.getLoc(), kWordHalves));
      word.replaceAllUsesWith(
          memref::LoadOp::create(b, load.getLoc(), argument, ValueRange{at})
              .getResult());
      word.erase();
      load.erase();
    }
  }
  kernel.setFunctionTypeAttr(TypeAttr::get(
      b.getFunctionType(kernel.getBody().front().getArgumentTypes(),
                        kernel.getFunctionType().getResults())));
  return success();
}

struct LoadBuffersAsWords
    : avila::spirv::impl::LoadBuffersAsWordsBase<LoadBuffersAsWords> {
  void runOnOperation() override {
    auto result = getOperation().walk([](gpu::GPUFuncOp kernel) {
      return failed(loadAsWords(kernel)) ? WalkResult::interrupt()
                                         : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
