//===- FusedAttentionToLoops.cpp - Attention as one invocation per row ----===//
//
// A device without a tiled flash-attention kernel still never materializes
// the scores: each (batch, head, query position) is one iteration of a
// parallel loop that the SIMT lowering maps to one invocation, which walks
// the keys once with the online softmax of the CPU ukernel
// (runtime/hal/cpu/ukernels/Attention.cpp), one key per step, keeping its
// partial output in private memory.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/targets/spirv/OnlineSoftmax.h"
#include "compiler/targets/spirv/SpirvPasses.h"

#include <limits>

namespace avila::spirv {
#define GEN_PASS_DEF_FUSEDATTENTIONTOLOOPS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using avila::spirv::OnlineSoftmaxRow;
using namespace avila;

namespace {

using BodyBuilder = function_ref<void(OpBuilder &, Location, Value)>;

// The loop nest of one avila.fused_attention, its constants made once in
// front of it.
class AttentionLoops {
public:
  AttentionLoops(OpBuilder &b, FusedAttentionOp op) : op(op), loc(op.getLoc()) {
    const int64_t heads = op.getNumHeads();
    const int64_t headDim =
        cast<MemRefType>(op.getQuery().getType()).getDimSize(2) / heads;
    valueHeadDim =
        cast<MemRefType>(op.getValue().getType()).getDimSize(2) / heads;
    zero = arith::ConstantIndexOp::create(b, loc, 0);
    one = arith::ConstantIndexOp::create(b, loc, 1);
    headCount = arith::ConstantIndexOp::create(b, loc, heads);
    depth = arith::ConstantIndexOp::create(b, loc, headDim);
    width = arith::ConstantIndexOp::create(b, loc, valueHeadDim);
    zeroF = f32(b, 0.0f);
    minusInfinity = f32(b, -std::numeric_limits<float>::infinity());
    scale = f32(b, static_cast<float>(op.getScale().convertToDouble()));
  }

  void build(OpBuilder &b) {
    Value batches = memref::DimOp::create(b, loc, op.getQuery(), zero);
    Value queries = memref::DimOp::create(b, loc, op.getQuery(), one);
    keys = memref::DimOp::create(b, loc, op.getKey(), one);
    scf::ParallelOp::create(
        b, loc, ValueRange{zero, zero, zero},
        ValueRange{batches, headCount, queries}, ValueRange{one, one, one},
        [&](OpBuilder &pb, Location, ValueRange ivs) { row(pb, ivs); });
  }

private:
  Value f32(OpBuilder &b, float value) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  }

  void forEach(OpBuilder &b, Value count, BodyBuilder body) {
    scf::ForOp::create(b, loc, zero, count, one, ValueRange{},
                       [&](OpBuilder &nb, Location nloc, Value i, ValueRange) {
                         body(nb, nloc, i);
                         scf::YieldOp::create(nb, nloc);
                       });
  }

  // One invocation: query row (b, i) of head h, whose channels start at
  // h · D in q and k and at h · DV in v and the output.
  void row(OpBuilder &b, ValueRange ivs) {
    batch = ivs[0];
    position = ivs[2];
    queryChannel = arith::MulIOp::create(b, loc, ivs[1], depth);
    valueChannel = arith::MulIOp::create(b, loc, ivs[1], width);
    acc = memref::AllocaOp::create(
        b, loc, MemRefType::get({valueHeadDim}, b.getF32Type()));
    forEach(b, width, [&](OpBuilder &nb, Location nloc, Value d) {
      memref::StoreOp::create(nb, nloc, zeroF, acc, d);
    });

    auto scoreTerm = [&](OpBuilder &nb, Location nloc, Value key, Value d) {
      Value channel = arith::AddIOp::create(nb, nloc, queryChannel, d);
      Value q = memref::LoadOp::create(nb, nloc, op.getQuery(),
                                       ValueRange{batch, position, channel});
      Value k = memref::LoadOp::create(nb, nloc, op.getKey(),
                                       ValueRange{batch, key, channel});
      return arith::MulFOp::create(nb, nloc, q, k).getResult();
    };
    auto readValue = [&](OpBuilder &nb, Location nloc, Value key, Value d) {
      Value channel = arith::AddIOp::create(nb, nloc, valueChannel, d);
      return memref::LoadOp::create(nb, nloc, op.getValue(),
                                    ValueRange{batch, key, channel})
          .getResult();
    };
    OnlineSoftmaxRow softmax{zero,          one,   depth, width,     zeroF,
                             minusInfinity, scale, acc,   scoreTerm, readValue};
    auto keyLoop = scf::ForOp::create(
        b, loc, zero, keys, one, ValueRange{minusInfinity, zeroF},
        [&](OpBuilder &nb, Location, Value j, ValueRange state) {
          scf::YieldOp::create(nb, loc,
                               softmax.step(nb, loc, j, state[0], state[1]));
        });

    Value sum = keyLoop.getResult(1);
    forEach(b, width, [&](OpBuilder &nb, Location nloc, Value d) {
      Value channel = arith::AddIOp::create(nb, nloc, valueChannel, d);
      Value out = arith::DivFOp::create(
          nb, nloc, memref::LoadOp::create(nb, nloc, acc, d), sum);
      memref::StoreOp::create(nb, nloc, out, op.getInit(),
                              ValueRange{batch, position, channel});
    });
  }

  FusedAttentionOp op;
  Location loc;
  int64_t valueHeadDim;
  Value zero, one, headCount, depth, width, zeroF, minusInfinity, scale, keys;
  // Set per invocation by row().
  Value batch, position, queryChannel, valueChannel, acc;
};

struct FusedAttentionToLoops
    : avila::spirv::impl::FusedAttentionToLoopsBase<FusedAttentionToLoops> {
  void runOnOperation() override {
    SmallVector<FusedAttentionOp> attentions;
    getOperation().walk([&](FusedAttentionOp op) { attentions.push_back(op); });
    for (FusedAttentionOp op : attentions) {
      if (!isa<MemRefType>(op.getInit().getType())) {
        op.emitOpError("must be on buffers (run after bufferization)");
        return signalPassFailure();
      }
      // Half precision needs its own accumulation types; until they are
      // chosen only f32 is lowered.
      if (!cast<MemRefType>(op.getInit().getType()).getElementType().isF32()) {
        op.emitOpError("the loop lowering takes f32 operands only");
        return signalPassFailure();
      }
      OpBuilder b(op);
      AttentionLoops(b, op).build(b);
      op.erase();
    }
  }
};

} // namespace
