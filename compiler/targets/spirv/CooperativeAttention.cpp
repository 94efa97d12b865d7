//===- CooperativeAttention.cpp - Flash attention on fragments ------------===//
//
// A workgroup owns 16 query rows per subgroup of one (batch, head). Its
// query rows are staged once in workgroup memory as f16 and held as
// fragments; per block of keys it stages the key and value rows, and each
// subgroup
//   1. multiplies its query fragments by the block's key fragments into
//      16 × block f32 scores, which pass through workgroup memory;
//   2. lets one invocation per row run the online softmax over them: the
//      new running maximum, the f16 weights exp(score − max) (zero past the
//      last key), the running sum of those weights, and the factor the
//      row's earlier output is rescaled by;
//   3. rescales its rows of the f32 output in workgroup memory and adds the
//      weights times the value fragments to them.
// The output is divided by the sum once, at the end. Heads are padded to
// whole fragments with zero channels, which add nothing to either product.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/CooperativeAttention.h"

#include "compiler/targets/spirv/AttentionGrid.h"
#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/WorkgroupGrid.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"

#include <limits>

using namespace mlir;
using avila::spirv::AttentionGrid;
using avila::spirv::linearWorkgroupYZ;

namespace {

constexpr int64_t kFragment = 16;

int64_t roundUp(int64_t value, int64_t step) {
  return (value + step - 1) / step * step;
}

// How many subgroups (16 query rows each) and keys per block a workgroup
// takes, and the workgroup memory that needs.
struct AttentionTile {
  int64_t subgroups, keys, headDim, valueHeadDim;
  int64_t rows() const { return subgroups * kFragment; }
  int64_t bytes() const {
    return rows() * headDim * 2 + keys * (headDim + valueHeadDim) * 2 +
           rows() * keys * (4 + 2) + rows() * valueHeadDim * 4 + rows() * 4;
  }
};

class CooperativeAttention {
public:
  CooperativeAttention(avila::FusedAttentionOp op, AttentionTile tile,
                       int64_t subgroupSize, int64_t headDim,
                       int64_t valueHeadDim)
      : op(op), loc(op.getLoc()), tile(tile), subgroupSize(subgroupSize),
        heads(op.getNumHeads()), headDim(headDim), valueHeadDim(valueHeadDim) {}

  void build(OpBuilder &b) {
    AttentionGrid::launch(b, op, tile.rows(), invocations(),
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
  Value add(OpBuilder &b, Value lhs, Value rhs) {
    return arith::AddIOp::create(b, loc, lhs, rhs);
  }
  Value mul(OpBuilder &b, Value lhs, int64_t rhs) {
    return arith::MulIOp::create(b, loc, lhs, index(b, rhs));
  }

  // values[0] ∘ values[1] ∘ …, pairwise.
  static Value reduce(SmallVector<Value> values,
                      function_ref<Value(Value, Value)> combine) {
    while (values.size() > 1) {
      SmallVector<Value> next;
      for (size_t i = 0; i + 1 < values.size(); i += 2)
        next.push_back(combine(values[i], values[i + 1]));
      if (values.size() % 2)
        next.push_back(values.back());
      values = std::move(next);
    }
    return values.front();
  }

  Value workgroupBuffer(OpBuilder &b, ArrayRef<int64_t> shape, Type element) {
    return memref::AllocOp::create(
        b, loc,
        MemRefType::get(
            shape, element, MemRefLayoutAttrInterface(),
            ::mlir::spirv::StorageClassAttr::get(
                b.getContext(), ::mlir::spirv::StorageClass::Workgroup)));
  }

  // body(element) for element = first + t · step, t = 0, 1, … while below
  // `count`, unrolled: the trip count is static, so that the loads of all
  // steps issue together rather than each after the last one's store.
  void forEach(OpBuilder &b, Value first, int64_t count, int64_t step,
               function_ref<void(OpBuilder &, Value)> body) {
    for (int64_t t = 0; t * step < count; ++t) {
      Value element = add(b, first, index(b, t * step));
      if (count % step == 0) {
        body(b, element);
        continue;
      }
      auto guard =
          scf::IfOp::create(b, loc, lessThan(b, element, index(b, count)),
                            /*withElseRegion=*/false);
      OpBuilder gb = OpBuilder::atBlockBegin(&guard.getThenRegion().front());
      body(gb, element);
    }
  }

  // The workgroup's invocations copy `lines` rows of one operand's head,
  // from row `first`, into `block` as f16, padded to its width with zeros;
  // rows past `count` are zeros too. Every load is made at a clamped place,
  // all before the first store.
  void stage(OpBuilder &b, Value block, Value operand, Value first, Value count,
             Value channel, int64_t channels) {
    auto shape = cast<MemRefType>(block.getType()).getShape();
    const int64_t lines = shape[0], width = shape[1];
    Value lastLine = arith::SubIOp::create(b, loc, count, index(b, 1));
    SmallVector<std::pair<Value, SmallVector<Value>>> staged;
    // Blocks are whole fragments, which every workgroup size divides.
    forEach(
        b, invocation, lines * width, invocations(),
        [&](OpBuilder &nb, Value element) {
          Value line =
              arith::DivUIOp::create(nb, loc, element, index(nb, width));
          Value c = arith::RemUIOp::create(nb, loc, element, index(nb, width));
          Value row = add(nb, first, line);
          Value inRange =
              arith::AndIOp::create(nb, loc, lessThan(nb, row, count),
                                    lessThan(nb, c, index(nb, channels)));
          Value at =
              add(nb, channel,
                  arith::MinUIOp::create(nb, loc, c, index(nb, channels - 1)));
          Value value = memref::LoadOp::create(
              nb, loc, operand,
              ValueRange{batch, arith::MinUIOp::create(nb, loc, row, lastLine),
                         at});
          Value half = arith::TruncFOp::create(nb, loc, nb.getF16Type(), value);
          staged.push_back(
              {arith::SelectOp::create(nb, loc, inRange, half, zeroHalf),
               {line, c}});
        });
    for (auto &[value, place] : staged)
      memref::StoreOp::create(b, loc, value, block, place);
  }

  int64_t invocations() const { return tile.subgroups * subgroupSize; }

  Type fragmentType(OpBuilder &b, StringRef operand) {
    Type element = operand == "COp" ? b.getF32Type() : b.getF16Type();
    return gpu::MMAMatrixType::get({kFragment, kFragment}, element, operand);
  }

  Value loadFragment(OpBuilder &b, StringRef operand, Value buffer, Value row,
                     Value col, bool transposed = false) {
    return gpu::SubgroupMmaLoadMatrixOp::create(
        b, loc, fragmentType(b, operand), buffer, ValueRange{row, col},
        b.getIndexAttr(cast<MemRefType>(buffer.getType()).getDimSize(1)),
        transposed ? b.getUnitAttr() : UnitAttr());
  }

  void storeFragment(OpBuilder &b, Value fragment, Value buffer, Value row,
                     Value col) {
    gpu::SubgroupMmaStoreMatrixOp::create(
        b, loc, fragment, buffer, ValueRange{row, col},
        b.getIndexAttr(cast<MemRefType>(buffer.getType()).getDimSize(1)),
        UnitAttr());
  }

  // body(row, column) for each element of the subgroup's 16 rows of a
  // `width`-wide buffer, its invocations taking neighbouring columns.
  void forOwnRows(OpBuilder &b, int64_t width,
                  function_ref<void(OpBuilder &, Value, Value)> body) {
    forEach(b, lane, kFragment * width, subgroupSize,
            [&](OpBuilder &nb, Value element) {
              Value row = add(
                  nb, ownRows,
                  arith::DivUIOp::create(nb, loc, element, index(nb, width)));
              body(nb, row,
                   arith::RemUIOp::create(nb, loc, element, index(nb, width)));
            });
  }

  // Steps 1–3 for the keys from k0; the row's running maximum and sum in,
  // their new values out (meaningful in the invocations that own a row).
  SmallVector<Value> block(OpBuilder &b, Value k0, Value max, Value sum) {
    stage(b, keyBlock, op.getKey(), k0, grid.keyCount, queryChannel, headDim);
    stage(b, valueBlock, op.getValue(), k0, grid.keyCount, valueChannel,
          valueHeadDim);
    gpu::BarrierOp::create(b, loc);
    const int64_t depthSteps = tile.headDim / kFragment;
    for (int64_t j = 0; j < tile.keys / kFragment; ++j) {
      Value scores = zeroFragment;
      for (int64_t d = 0; d < depthSteps; ++d)
        scores = gpu::SubgroupMmaComputeOp::create(
            b, loc, queryFragments[d],
            loadFragment(b, "BOp", keyBlock, index(b, j * kFragment),
                         index(b, d * kFragment), /*transposed=*/true),
            scores, UnitAttr(), UnitAttr());
      storeFragment(b, scores, scoreBlock, ownRows, index(b, j * kFragment));
    }
    gpu::BarrierOp::create(b, loc);

    Value count = arith::MinUIOp::create(
        b, loc, index(b, tile.keys),
        arith::SubIOp::create(b, loc, grid.keyCount, k0));
    auto softmax = scf::IfOp::create(
        b, loc, lessThan(b, lane, index(b, kFragment)),
        [&](OpBuilder &tb, Location) {
          // Unrolled over the block: the scores are read together and the
          // maximum and sum are trees, not chains, of their operations.
          SmallVector<Value> scores, valid;
          for (int64_t key = 0; key < tile.keys; ++key) {
            Value score = memref::LoadOp::create(
                tb, loc, scoreBlock, ValueRange{ownRow, index(tb, key)});
            scores.push_back(arith::MulFOp::create(tb, loc, score, scale));
            valid.push_back(lessThan(tb, index(tb, key), count));
          }
          SmallVector<Value> maxima;
          for (auto [score, inRange] : llvm::zip_equal(scores, valid))
            maxima.push_back(
                arith::SelectOp::create(tb, loc, inRange, score, max));
          Value newMax = reduce(maxima, [&](Value lhs, Value rhs) {
            return arith::MaximumFOp::create(tb, loc, lhs, rhs).getResult();
          });
          newMax = arith::MaximumFOp::create(tb, loc, newMax, max);
          Value rescale = math::ExpOp::create(
              tb, loc, arith::SubFOp::create(tb, loc, max, newMax));
          SmallVector<Value> weights;
          for (auto [key, score] : llvm::enumerate(scores)) {
            Value weight = math::ExpOp::create(
                tb, loc, arith::SubFOp::create(tb, loc, score, newMax));
            Value half =
                arith::TruncFOp::create(tb, loc, tb.getF16Type(), weight);
            half = arith::SelectOp::create(tb, loc, valid[key], half, zeroHalf);
            memref::StoreOp::create(tb, loc, half, weightBlock,
                                    ValueRange{ownRow, index(tb, key)});
            // The sum adds the weights the products use.
            weights.push_back(
                arith::ExtFOp::create(tb, loc, tb.getF32Type(), half));
          }
          Value blockSum = reduce(weights, [&](Value lhs, Value rhs) {
            return arith::AddFOp::create(tb, loc, lhs, rhs).getResult();
          });
          Value newSum = arith::AddFOp::create(
              tb, loc, arith::MulFOp::create(tb, loc, sum, rescale), blockSum);
          memref::StoreOp::create(tb, loc, rescale, rowFactors, ownRow);
          scf::YieldOp::create(tb, loc, ValueRange{newMax, newSum});
        },
        [&](OpBuilder &eb, Location) {
          scf::YieldOp::create(eb, loc, ValueRange{max, sum});
        });
    gpu::BarrierOp::create(b, loc);

    forOwnRows(b, tile.valueHeadDim, [&](OpBuilder &nb, Value row, Value c) {
      Value old =
          memref::LoadOp::create(nb, loc, outputBlock, ValueRange{row, c});
      Value factor = memref::LoadOp::create(nb, loc, rowFactors, row);
      memref::StoreOp::create(nb, loc,
                              arith::MulFOp::create(nb, loc, old, factor),
                              outputBlock, ValueRange{row, c});
    });
    gpu::BarrierOp::create(b, loc);
    for (int64_t n = 0; n < tile.valueHeadDim / kFragment; ++n) {
      Value col = index(b, n * kFragment);
      Value output = loadFragment(b, "COp", outputBlock, ownRows, col);
      for (int64_t j = 0; j < tile.keys / kFragment; ++j)
        output = gpu::SubgroupMmaComputeOp::create(
            b, loc,
            loadFragment(b, "AOp", weightBlock, ownRows,
                         index(b, j * kFragment)),
            loadFragment(b, "BOp", valueBlock, index(b, j * kFragment), col),
            output, UnitAttr(), UnitAttr());
      storeFragment(b, output, outputBlock, ownRows, col);
    }
    // The next block overwrites the staged rows only after every subgroup
    // has read them.
    gpu::BarrierOp::create(b, loc);
    return SmallVector<Value>(softmax.getResults());
  }

  void kernel(OpBuilder &b, gpu::LaunchOp launch) {
    zeroF = f32(b, 0.0f);
    zeroHalf = arith::ConstantOp::create(b, loc, b.getF16FloatAttr(0.0f));
    scale = f32(b, static_cast<float>(op.getScale().convertToDouble()));
    invocation = launch.getThreadIds().x;
    Value subgroup =
        arith::DivUIOp::create(b, loc, invocation, index(b, subgroupSize));
    lane = arith::RemUIOp::create(b, loc, invocation, index(b, subgroupSize));
    ownRows = mul(b, subgroup, kFragment);
    ownRow = add(b, ownRows, lane);
    const int64_t rows = tile.rows();
    Value queryBlock = workgroupBuffer(b, {rows, tile.headDim}, b.getF16Type());
    keyBlock = workgroupBuffer(b, {tile.keys, tile.headDim}, b.getF16Type());
    valueBlock =
        workgroupBuffer(b, {tile.keys, tile.valueHeadDim}, b.getF16Type());
    scoreBlock = workgroupBuffer(b, {rows, tile.keys}, b.getF32Type());
    weightBlock = workgroupBuffer(b, {rows, tile.keys}, b.getF16Type());
    outputBlock = workgroupBuffer(b, {rows, tile.valueHeadDim}, b.getF32Type());
    rowFactors = workgroupBuffer(b, {rows}, b.getF32Type());
    zeroFragment = gpu::SubgroupMmaConstantMatrixOp::create(
        b, loc, fragmentType(b, "COp"), zeroF);

    Value linear = linearWorkgroupYZ(b, loc, launch);
    // Whole workgroups past the last block leave together, so every
    // barrier is reached by all invocations of a workgroup or by none.
    auto inGrid = scf::IfOp::create(b, loc, lessThan(b, linear, grid.groups),
                                    /*withElseRegion=*/false);
    b.setInsertionPointToStart(&inGrid.getThenRegion().front());
    AttentionGrid::Block owned = grid.block(b, loc, linear, heads, rows);
    batch = owned.batch;
    Value head = owned.head;
    Value firstQuery = owned.firstQuery;
    queryChannel = mul(b, head, headDim);
    valueChannel = mul(b, head, valueHeadDim);

    stage(b, queryBlock, op.getQuery(), firstQuery, grid.queries, queryChannel,
          headDim);
    forEach(b, invocation, rows * tile.valueHeadDim, invocations(),
            [&](OpBuilder &nb, Value element) {
              Value width = index(nb, tile.valueHeadDim);
              memref::StoreOp::create(
                  nb, loc, zeroF, outputBlock,
                  ValueRange{arith::DivUIOp::create(nb, loc, element, width),
                             arith::RemUIOp::create(nb, loc, element, width)});
            });
    gpu::BarrierOp::create(b, loc);
    for (int64_t d = 0; d < tile.headDim / kFragment; ++d)
      queryFragments.push_back(
          loadFragment(b, "AOp", queryBlock, ownRows, index(b, d * kFragment)));

    Value minusInfinity = f32(b, -std::numeric_limits<float>::infinity());
    auto blocks = scf::ForOp::create(
        b, loc, index(b, 0), grid.keyCount, index(b, tile.keys),
        ValueRange{minusInfinity, zeroF},
        [&](OpBuilder &nb, Location, Value k0, ValueRange state) {
          scf::YieldOp::create(nb, loc, block(nb, k0, state[0], state[1]));
        });

    auto owner =
        scf::IfOp::create(b, loc, lessThan(b, lane, index(b, kFragment)),
                          /*withElseRegion=*/false);
    OpBuilder ob = OpBuilder::atBlockBegin(&owner.getThenRegion().front());
    memref::StoreOp::create(ob, loc, blocks.getResult(1), rowFactors, ownRow);
    gpu::BarrierOp::create(b, loc);
    forOwnRows(b, tile.valueHeadDim, [&](OpBuilder &nb, Value row, Value c) {
      Value query = add(nb, firstQuery, row);
      Value inRange =
          arith::AndIOp::create(nb, loc, lessThan(nb, query, grid.queries),
                                lessThan(nb, c, index(nb, valueHeadDim)));
      auto guard =
          scf::IfOp::create(nb, loc, inRange, /*withElseRegion=*/false);
      OpBuilder gb = OpBuilder::atBlockBegin(&guard.getThenRegion().front());
      Value out = arith::DivFOp::create(
          gb, loc,
          memref::LoadOp::create(gb, loc, outputBlock, ValueRange{row, c}),
          memref::LoadOp::create(gb, loc, rowFactors, row));
      memref::StoreOp::create(
          gb, loc, out, op.getInit(),
          ValueRange{batch, query, add(gb, valueChannel, c)});
    });
  }

  avila::FusedAttentionOp op;
  Location loc;
  AttentionTile tile;
  int64_t subgroupSize, heads, headDim, valueHeadDim;
  // Host side.
  AttentionGrid grid;
  // Kernel side.
  Value zeroF, zeroHalf, scale, invocation, lane, ownRows, ownRow, batch,
      queryChannel, valueChannel, keyBlock, valueBlock, scoreBlock, weightBlock,
      outputBlock, rowFactors, zeroFragment;
  SmallVector<Value> queryFragments;
};

} // namespace

bool avila::spirv::buildCooperativeAttention(OpBuilder &b, FusedAttentionOp op,
                                             int64_t subgroupSize,
                                             int64_t maxWorkgroupMemory) {
  const int64_t heads = op.getNumHeads();
  const int64_t headDim =
      cast<MemRefType>(op.getQuery().getType()).getDimSize(2) / heads;
  const int64_t valueHeadDim =
      cast<MemRefType>(op.getValue().getType()).getDimSize(2) / heads;
  // One invocation per row runs the softmax.
  if (subgroupSize < kFragment)
    return false;
  for (int64_t subgroups : {4, 2, 1})
    for (int64_t keys : {32, 16}) {
      AttentionTile tile{subgroups, keys, roundUp(headDim, kFragment),
                         roundUp(valueHeadDim, kFragment)};
      if (tile.bytes() > maxWorkgroupMemory)
        continue;
      CooperativeAttention(op, tile, subgroupSize, headDim, valueHeadDim)
          .build(b);
      return true;
    }
  return false;
}
