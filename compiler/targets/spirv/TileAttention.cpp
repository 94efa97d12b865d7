//===- TileAttention.cpp - Attention as workgroups staging key blocks -----===//
//
// With one invocation per query row every row reads all keys and values of
// its head from global memory, so self-attention at 4096 positions reads
// each key row 4096 times and is bound by memory traffic. A workgroup of
// query rows of one (batch, head) instead copies a block of keys and values
// into workgroup memory once, and each of its invocations runs the online
// softmax of FusedAttentionToLoops over the staged block: a key row is read
// from global memory once per workgroup rather than once per query row.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/targets/spirv/AttentionGrid.h"
#include "compiler/targets/spirv/CooperativeAttention.h"
#include "compiler/targets/spirv/OnlineSoftmax.h"
#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/WorkgroupGrid.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"

#include <limits>

namespace avila::spirv {
#define GEN_PASS_DEF_TILEATTENTION
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using avila::spirv::AttentionGrid;
using avila::spirv::linearWorkgroupYZ;
using avila::spirv::OnlineSoftmaxRow;
using namespace avila;

namespace {

// Query rows per workgroup, one invocation each.
constexpr int64_t kQueryRows = 64;
// The largest head the private arrays of q and the accumulator are sized
// for (the VAE's attention has one head of 512 channels; the U-Net's
// deepest level 160 per head).
constexpr int64_t kMaxHeadDim = 512;
// The staged key and value blocks take at most half of lavapipe's 32 KiB of
// workgroup memory, so that a device may keep two workgroups resident.
constexpr int64_t kMaxStagedBytes = 16 * 1024;
constexpr int64_t kMaxKeyBlock = 64;

// Keys per block: the largest power of two up to 64 whose key and value
// rows fit the staging budget (SD 1.5: 32 at head dim 40, 16 at 80, 8 at
// 160, 4 at the VAE's 512).
int64_t chooseKeyBlock(int64_t headDim, int64_t valueHeadDim) {
  const int64_t rowBytes = (headDim + valueHeadDim) * sizeof(float);
  int64_t keys = kMaxKeyBlock;
  while (keys > 1 && keys * rowBytes > kMaxStagedBytes)
    keys /= 2;
  return keys;
}

// Whether the tiler takes an attention; the others stay for the loop
// lowering.
bool isTileable(FusedAttentionOp op) {
  // Half precision needs its own staging and accumulation types; until they
  // are chosen only f32 is tiled.
  for (Value operand :
       {op.getQuery(), op.getKey(), op.getValue(), op.getInit()}) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !type.getElementType().isF32() ||
        ShapedType::isDynamic(type.getDimSize(2)))
      return false;
  }
  // The launch takes the op's place on a kernel's host side (its body),
  // where the later passes take launches from.
  auto function = dyn_cast<func::FuncOp>(op->getParentOp());
  if (!function || !function->hasAttr("avila.dispatch"))
    return false;
  const int64_t heads = op.getNumHeads();
  const int64_t channels =
      cast<MemRefType>(op.getQuery().getType()).getDimSize(2);
  const int64_t valueChannels =
      cast<MemRefType>(op.getValue().getType()).getDimSize(2);
  return channels / heads <= kMaxHeadDim &&
         valueChannels / heads <= kMaxHeadDim;
}

using BodyBuilder = function_ref<void(OpBuilder &, Location, Value)>;

class TiledAttention {
public:
  explicit TiledAttention(FusedAttentionOp op) : op(op), loc(op.getLoc()) {
    heads = op.getNumHeads();
    headDim = cast<MemRefType>(op.getQuery().getType()).getDimSize(2) / heads;
    valueHeadDim =
        cast<MemRefType>(op.getValue().getType()).getDimSize(2) / heads;
    keys = chooseKeyBlock(headDim, valueHeadDim);
  }

  void build(OpBuilder &b) {
    AttentionGrid::launch(b, op, kQueryRows, kQueryRows,
                          [&](OpBuilder &lb, gpu::LaunchOp launch,
                              const AttentionGrid &workgroups) {
                            grid = workgroups;
                            kernel(lb, launch);
                          });
  }

private:
  Value index(OpBuilder &b, int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  Value f32(OpBuilder &b, float value) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  }

  Value lessThan(OpBuilder &b, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lhs, rhs);
  }

  void forEach(OpBuilder &b, Value lower, Value upper, Value step,
               BodyBuilder body) {
    scf::ForOp::create(b, loc, lower, upper, step, ValueRange{},
                       [&](OpBuilder &nb, Location nloc, Value i, ValueRange) {
                         body(nb, nloc, i);
                         scf::YieldOp::create(nb, nloc);
                       });
  }

  void forEach(OpBuilder &b, int64_t count, BodyBuilder body) {
    forEach(b, zero, index(b, count), one, body);
  }

  Value workgroupBlock(OpBuilder &b, int64_t width) {
    auto type = MemRefType::get(
        {keys, width}, b.getF32Type(), MemRefLayoutAttrInterface(),
        ::mlir::spirv::StorageClassAttr::get(
            b.getContext(), ::mlir::spirv::StorageClass::Workgroup));
    return memref::AllocOp::create(b, loc, type);
  }

  // A value `operand[batch, row, channel]` where `inRange`, else zero.
  Value loadOrZero(OpBuilder &b, Value inRange, Value operand, Value row,
                   Value channel) {
    auto guarded = scf::IfOp::create(
        b, loc, inRange,
        [&](OpBuilder &tb, Location) {
          Value loaded = memref::LoadOp::create(
              tb, loc, operand, ValueRange{batch, row, channel});
          scf::YieldOp::create(tb, loc, loaded);
        },
        [&](OpBuilder &eb, Location) { scf::YieldOp::create(eb, loc, zeroF); });
    return guarded.getResult(0);
  }

  // The workgroup's invocations copy the rows of keys k0 … k0 + keys - 1 of
  // one operand's head into a block, element e by invocation e % 64 so that
  // neighbouring invocations read neighbouring channels; zeros past the
  // last key, which the key loop does not reach.
  void stage(OpBuilder &b, Value block, Value operand, int64_t width,
             Value firstChannel, Value k0) {
    Value widthIndex = index(b, width);
    forEach(
        b, invocation, index(b, keys * width), index(b, kQueryRows),
        [&](OpBuilder &nb, Location, Value element) {
          Value key = arith::DivUIOp::create(nb, loc, element, widthIndex);
          Value d = arith::RemUIOp::create(nb, loc, element, widthIndex);
          Value globalKey = arith::AddIOp::create(nb, loc, k0, key);
          Value channel = arith::AddIOp::create(nb, loc, firstChannel, d);
          Value loaded = loadOrZero(nb, lessThan(nb, globalKey, grid.keyCount),
                                    operand, globalKey, channel);
          memref::StoreOp::create(nb, loc, loaded, block, ValueRange{key, d});
        });
  }

  // One block: stage it, then every invocation steps over its keys (fewer
  // than `keys` in the last block).
  SmallVector<Value> block(OpBuilder &b, Value k0, ValueRange state) {
    stage(b, keyBlock, op.getKey(), headDim, queryChannel, k0);
    stage(b, valueBlock, op.getValue(), valueHeadDim, valueChannel, k0);
    gpu::BarrierOp::create(b, loc);
    Value count = arith::MinUIOp::create(
        b, loc, index(b, keys),
        arith::SubIOp::create(b, loc, grid.keyCount, k0));
    auto scoreTerm = [&](OpBuilder &nb, Location nloc, Value key, Value d) {
      Value q = memref::LoadOp::create(nb, nloc, queryRow, d);
      Value k = memref::LoadOp::create(nb, nloc, keyBlock, ValueRange{key, d});
      return arith::MulFOp::create(nb, nloc, q, k).getResult();
    };
    auto readValue = [&](OpBuilder &nb, Location nloc, Value key, Value d) {
      return memref::LoadOp::create(nb, nloc, valueBlock, ValueRange{key, d})
          .getResult();
    };
    OnlineSoftmaxRow softmax{zero,
                             one,
                             index(b, headDim),
                             index(b, valueHeadDim),
                             zeroF,
                             minusInfinity,
                             scale,
                             acc,
                             scoreTerm,
                             readValue};
    auto loop = scf::ForOp::create(
        b, loc, zero, count, one, state,
        [&](OpBuilder &nb, Location, Value key, ValueRange carried) {
          scf::YieldOp::create(
              nb, loc, softmax.step(nb, loc, key, carried[0], carried[1]));
        });
    // The next block overwrites this one only after every invocation has
    // read it.
    gpu::BarrierOp::create(b, loc);
    return SmallVector<Value>(loop.getResults());
  }

  void kernel(OpBuilder &b, gpu::LaunchOp launch) {
    // Constants are made inside the launch: a kernel's arguments are
    // buffers and sizes.
    zero = index(b, 0);
    one = index(b, 1);
    zeroF = f32(b, 0.0f);
    minusInfinity = f32(b, -std::numeric_limits<float>::infinity());
    scale = f32(b, static_cast<float>(op.getScale().convertToDouble()));
    invocation = launch.getThreadIds().x;
    keyBlock = workgroupBlock(b, headDim);
    valueBlock = workgroupBlock(b, valueHeadDim);
    Value linear = linearWorkgroupYZ(b, loc, launch);
    // Whole workgroups past the last block leave together, and rows past
    // the last query compute without storing, so every barrier is reached
    // by all invocations of a workgroup or by none.
    auto inGrid = scf::IfOp::create(b, loc, lessThan(b, linear, grid.groups),
                                    /*withElseRegion=*/false);
    b.setInsertionPointToStart(&inGrid.getThenRegion().front());
    AttentionGrid::Block owned = grid.block(b, loc, linear, heads, kQueryRows);
    batch = owned.batch;
    Value head = owned.head;
    Value position =
        arith::AddIOp::create(b, loc, owned.firstQuery, invocation);
    Value rowInRange = lessThan(b, position, grid.queries);
    queryChannel = arith::MulIOp::create(b, loc, head, index(b, headDim));
    valueChannel = arith::MulIOp::create(b, loc, head, index(b, valueHeadDim));

    // The query row is read from global memory once, into private memory.
    queryRow =
        memref::AllocaOp::create(b, loc, MemRefType::get({headDim}, f32Type()));
    forEach(b, headDim, [&](OpBuilder &nb, Location, Value d) {
      Value channel = arith::AddIOp::create(nb, loc, queryChannel, d);
      memref::StoreOp::create(
          nb, loc, loadOrZero(nb, rowInRange, op.getQuery(), position, channel),
          queryRow, d);
    });
    acc = memref::AllocaOp::create(b, loc,
                                   MemRefType::get({valueHeadDim}, f32Type()));
    forEach(b, valueHeadDim, [&](OpBuilder &nb, Location, Value d) {
      memref::StoreOp::create(nb, loc, zeroF, acc, d);
    });

    auto blocks = scf::ForOp::create(
        b, loc, zero, grid.keyCount, index(b, keys),
        ValueRange{minusInfinity, zeroF},
        [&](OpBuilder &nb, Location, Value k0, ValueRange state) {
          scf::YieldOp::create(nb, loc, block(nb, k0, state));
        });

    Value sum = blocks.getResult(1);
    auto stored = scf::IfOp::create(b, loc, rowInRange,
                                    /*withElseRegion=*/false);
    OpBuilder tb = OpBuilder::atBlockBegin(&stored.getThenRegion().front());
    forEach(tb, valueHeadDim, [&](OpBuilder &nb, Location, Value d) {
      Value channel = arith::AddIOp::create(nb, loc, valueChannel, d);
      Value out = arith::DivFOp::create(
          nb, loc, memref::LoadOp::create(nb, loc, acc, d), sum);
      memref::StoreOp::create(nb, loc, out, op.getInit(),
                              ValueRange{batch, position, channel});
    });
  }

  Type f32Type() { return Float32Type::get(op.getContext()); }

  FusedAttentionOp op;
  Location loc;
  int64_t heads, headDim, valueHeadDim, keys;
  // Host side.
  AttentionGrid grid;
  Value zero, one;
  // Kernel side, set per workgroup and invocation by kernel().
  Value zeroF, minusInfinity, scale, invocation, keyBlock, valueBlock, batch,
      queryChannel, valueChannel, queryRow, acc;
};

struct TileAttention : avila::spirv::impl::TileAttentionBase<TileAttention> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<FusedAttentionOp> attentions;
    getOperation().walk([&](FusedAttentionOp op) {
      if (isTileable(op))
        attentions.push_back(op);
    });
    for (FusedAttentionOp op : attentions) {
      OpBuilder b(op);
      if (!cooperativeMatrix || !avila::spirv::buildCooperativeAttention(
                                    b, op, subgroupSize, maxWorkgroupMemory))
        TiledAttention(op).build(b);
      op.erase();
    }
  }
};

} // namespace
