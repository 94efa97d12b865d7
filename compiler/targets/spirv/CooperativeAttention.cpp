//===- CooperativeAttention.cpp - Flash attention on fragments ------------===//
//
// A workgroup owns 16 query rows per subgroup of one (batch, head). Its
// query rows are staged once in workgroup memory as f16 and held as
// fragments; per block of keys it stages the key and value rows (fetched
// into registers while the block before is multiplied, so that the loads'
// latency hides behind it; 8 halves per load where the heads are whole
// 16-byte words), and each subgroup
//   1. multiplies its query fragments by the block's key fragments into
//      16 × block f32 scores, stored key-major in workgroup memory so that
//      the invocations of step 2 read neighbouring words;
//   2. runs the softmax of each row in two invocations (half the keys
//      each, combined by shuffles): f16 weights exp(score − reference),
//      zero past the last key, and their running sum. The reference is the
//      row's maximum so far, moved only when a block exceeds it by more
//      than 8 (weights stay below e^8), so the output rarely needs the
//      rescaling that moving it asks for;
//   3. adds the weights times the value fragments to its output fragments,
//      which stay in registers. When a row of the workgroup moved its
//      reference, the workgroup first passes its output fragments through
//      workgroup memory, where each row is multiplied by its factor.
// The output is divided by the sum once, at the end. Heads are padded to
// whole fragments with zero channels, which add nothing to either product.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/CooperativeAttention.h"

#include "compiler/targets/spirv/AttentionGrid.h"
#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/Words.h"
#include "compiler/targets/spirv/WorkgroupGrid.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"

#include <limits>

using namespace mlir;
using avila::spirv::AttentionGrid;
using avila::spirv::kWordHalves;
using avila::spirv::linearWorkgroupYZ;

namespace {

constexpr int64_t kFragment = 16;
// Halves each staged row is padded by: rows stay 16-byte aligned, as
// fragment loads want, and land on other banks.
constexpr int64_t kRowPadding = 8;
constexpr int64_t kScorePadding = 4;
// How far past a row's reference a block's maximum may go before the
// reference moves to it (natural log: weights up to e^8 ≈ 2981).
constexpr float kReferenceSlack = 8.0f;

// A row's softmax state after a block, and whether its reference moved.
struct RowState {
  Value reference, sum, moved;
};

int64_t roundUp(int64_t value, int64_t step) {
  return (value + step - 1) / step * step;
}

// How many subgroups (16 query rows each) and keys per block a workgroup
// takes, and the workgroup memory that needs.
struct AttentionTile {
  int64_t subgroups, keys, headDim, valueHeadDim;
  int64_t rows() const { return subgroups * kFragment; }
  int64_t bytes() const {
    return (rows() * (headDim + kRowPadding) +
            keys * (headDim + valueHeadDim + 2 * kRowPadding)) *
               2 +
           keys * ((rows() + kScorePadding) * 4 + (rows() + kRowPadding) * 2) +
           rows() * valueHeadDim * 4 + rows() * 4 + subgroups * 4;
  }
};

// How the rows of one operand's head are copied into workgroup memory:
// `lines` rows of `width` halves (the head padded to whole fragments), as
// words or as halves.
struct Staging {
  Value operand, buffer;
  int64_t lines, width, channels;
  bool words;
  int64_t lanes() const { return words ? kWordHalves : 1; }
  int64_t slots() const { return width / lanes(); }
};

class CooperativeAttention {
public:
  CooperativeAttention(avila::FusedAttentionOp op, AttentionTile tile,
                       int64_t subgroupSize, int64_t headDim,
                       int64_t valueHeadDim, bool words)
      : op(op), loc(op.getLoc()), tile(tile), subgroupSize(subgroupSize),
        heads(op.getNumHeads()), headDim(headDim), valueHeadDim(valueHeadDim),
        words(words) {}

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

  // The workgroup buffer `staging` copies into, its rows padded.
  Staging allocateStaging(OpBuilder &b, Value operand, int64_t lines,
                          int64_t width, int64_t channels) {
    Staging staging{operand, Value(), lines, width, channels, words};
    staging.buffer =
        words
            ? workgroupBuffer(b, {lines, (width + kRowPadding) / kWordHalves},
                              avila::spirv::wordType(b.getContext()))
            : workgroupBuffer(b, {lines, width + kRowPadding}, b.getF16Type());
    return staging;
  }

  // How many slots of `staging` each invocation copies.
  int64_t slotRounds(const Staging &staging) const {
    return llvm::divideCeil(staging.lines * staging.slots(), invocations());
  }

  // The slots of `staging` the invocation copies: element invocation +
  // t · invocations, row-major over lines × slots.
  SmallVector<std::pair<Value, Value>> ownSlots(OpBuilder &b,
                                                const Staging &staging) {
    SmallVector<std::pair<Value, Value>> places;
    const int64_t slots = staging.slots();
    for (int64_t t = 0; t < slotRounds(staging); ++t) {
      Value element = add(b, invocation, index(b, t * invocations()));
      places.push_back(
          {arith::DivUIOp::create(b, loc, element, index(b, slots)),
           arith::RemUIOp::create(b, loc, element, index(b, slots))});
    }
    return places;
  }

  // The values the invocation copies into `staging` for the operand's rows
  // from `first` (of `count`) at `channel`: zeros past the last row and the
  // head's channels. Every load is made at a clamped place, so that they
  // issue together, without branches.
  SmallVector<Value> fetch(OpBuilder &b, const Staging &staging, Value first,
                           Value count, Value channel) {
    Type element = cast<MemRefType>(staging.buffer.getType()).getElementType();
    Value zero =
        arith::ConstantOp::create(b, loc, element, b.getZeroAttr(element));
    Value lastRow = arith::SubIOp::create(
        b, loc, arith::MaxUIOp::create(b, loc, count, index(b, 1)),
        index(b, 1));
    const int64_t lanes = staging.lanes();
    SmallVector<Value> values;
    for (auto [line, slot] : ownSlots(b, staging)) {
      Value row = add(b, first, line);
      Value c = mul(b, slot, lanes);
      Value inRange =
          arith::AndIOp::create(b, loc, lessThan(b, row, count),
                                lessThan(b, c, index(b, staging.channels)));
      SmallVector<Value> at{
          batch, arith::MinUIOp::create(b, loc, row, lastRow),
          add(b, channel,
              arith::MinUIOp::create(b, loc, c,
                                     index(b, staging.channels - lanes)))};
      Value value =
          staging.words
              ? avila::spirv::loadWord(b, loc, staging.operand, at)
              : arith::TruncFOp::create(
                    b, loc, b.getF16Type(),
                    memref::LoadOp::create(b, loc, staging.operand, at));
      values.push_back(arith::SelectOp::create(b, loc, inRange, value, zero));
    }
    return values;
  }

  // Stores the fetched values; a last round of slots that the invocations
  // do not fill evenly is guarded.
  void put(OpBuilder &b, const Staging &staging, ValueRange values) {
    const int64_t elements = staging.lines * staging.slots();
    for (auto [t, place, value] :
         llvm::enumerate(ownSlots(b, staging), values)) {
      auto [line, slot] = place;
      if ((static_cast<int64_t>(t) + 1) * invocations() <= elements) {
        memref::StoreOp::create(b, loc, value, staging.buffer,
                                ValueRange{line, slot});
        continue;
      }
      auto guard =
          scf::IfOp::create(b, loc, lessThan(b, line, index(b, staging.lines)),
                            /*withElseRegion=*/false);
      OpBuilder gb = OpBuilder::atBlockBegin(&guard.getThenRegion().front());
      memref::StoreOp::create(gb, loc, value, staging.buffer,
                              ValueRange{line, slot});
    }
  }

  SmallVector<Value> fetchKeysAndValues(OpBuilder &b, Value k0) {
    SmallVector<Value> values =
        fetch(b, keyRows, k0, grid.keyCount, queryChannel);
    llvm::append_range(values,
                       fetch(b, valueRows, k0, grid.keyCount, valueChannel));
    return values;
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

  // The fragment of staged rows from `row` and channel `channel`.
  Value loadFragment(OpBuilder &b, StringRef operand, const Staging &staging,
                     Value row, int64_t channel, bool transposed = false) {
    return loadFragment(b, operand, staging.buffer, row,
                        index(b, channel / staging.lanes()), transposed);
  }

  void storeFragment(OpBuilder &b, Value fragment, Value buffer, Value row,
                     Value col, bool transposed = false) {
    gpu::SubgroupMmaStoreMatrixOp::create(
        b, loc, fragment, buffer, ValueRange{row, col},
        b.getIndexAttr(cast<MemRefType>(buffer.getType()).getDimSize(1)),
        transposed ? b.getUnitAttr() : UnitAttr());
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

  // Steps 1–3 for the keys from k0, whose rows `fetched` holds: the rows'
  // references and sums and the subgroup's output fragments in, their new
  // values and the next block's rows out.
  SmallVector<Value> block(OpBuilder &b, Value k0, Value reference, Value sum,
                           ValueRange outputs, ValueRange fetched) {
    const size_t keyValues = slotRounds(keyRows);
    put(b, keyRows, fetched.take_front(keyValues));
    put(b, valueRows, fetched.drop_front(keyValues));
    gpu::BarrierOp::create(b, loc);
    SmallVector<Value> next =
        fetchKeysAndValues(b, add(b, k0, index(b, tile.keys)));
    const int64_t depthSteps = tile.headDim / kFragment;
    for (int64_t j = 0; j < tile.keys / kFragment; ++j) {
      Value scores = zeroFragment;
      for (int64_t d = 0; d < depthSteps; ++d)
        scores = gpu::SubgroupMmaComputeOp::create(
            b, loc, queryFragments[d],
            loadFragment(b, "BOp", keyRows, index(b, j * kFragment),
                         d * kFragment, /*transposed=*/true),
            scores, UnitAttr(), UnitAttr());
      storeFragment(b, scores, scoreBlock, index(b, j * kFragment), ownRows,
                    /*transposed=*/true);
    }
    gpu::BarrierOp::create(b, loc);

    Value count = arith::MinUIOp::create(
        b, loc, index(b, tile.keys),
        arith::SubIOp::create(b, loc, grid.keyCount, k0));
    RowState row = rowSoftmax(b, count, reference, sum);
    // Whether a row of the subgroup moved its reference, as the subgroup's
    // flag: the workgroup takes the rescaling path together, since it has
    // barriers.
    Value moved = gpu::SubgroupReduceOp::create(
        b, loc, arith::ExtUIOp::create(b, loc, b.getI32Type(), row.moved),
        gpu::AllReduceOperation::MAXUI, /*uniform=*/false);
    auto firstLane = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                              index(b, 0)),
        /*withElseRegion=*/false);
    OpBuilder fb = OpBuilder::atBlockBegin(&firstLane.getThenRegion().front());
    memref::StoreOp::create(fb, loc, moved, movedFlags, subgroup);
    gpu::BarrierOp::create(b, loc);

    SmallVector<Value> flags;
    for (int64_t g = 0; g < tile.subgroups; ++g)
      flags.push_back(memref::LoadOp::create(b, loc, movedFlags, index(b, g)));
    Value anyMoved = reduce(flags, [&](Value lhs, Value rhs) {
      return arith::OrIOp::create(b, loc, lhs, rhs).getResult();
    });
    // Before the first block the outputs are zero: nothing to rescale.
    Value rescale = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ne, anyMoved,
            arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0))),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, k0,
                              index(b, 0)));
    auto rescaled = scf::IfOp::create(
        b, loc, rescale,
        [&](OpBuilder &tb, Location) {
          scf::YieldOp::create(tb, loc, rescaleOutputs(tb, outputs));
        },
        [&](OpBuilder &eb, Location) {
          scf::YieldOp::create(eb, loc, outputs);
        });

    SmallVector<Value> state{row.reference, row.sum};
    for (int64_t n = 0; n < tile.valueHeadDim / kFragment; ++n) {
      Value output = rescaled.getResult(n);
      for (int64_t j = 0; j < tile.keys / kFragment; ++j)
        output = gpu::SubgroupMmaComputeOp::create(
            b, loc,
            loadFragment(b, "AOp", weightBlock, index(b, j * kFragment),
                         ownRows, /*transposed=*/true),
            loadFragment(b, "BOp", valueRows, index(b, j * kFragment),
                         n * kFragment),
            output, UnitAttr(), UnitAttr());
      state.push_back(output);
    }
    // The next block overwrites the staged rows only after every subgroup
    // has read them.
    gpu::BarrierOp::create(b, loc);
    llvm::append_range(state, next);
    return state;
  }

  // The rare path of a block where a row's reference moved: the subgroup's
  // output fragments pass through workgroup memory, where each row is
  // multiplied by its factor.
  SmallVector<Value> rescaleOutputs(OpBuilder &b, ValueRange outputs) {
    for (auto [n, output] : llvm::enumerate(outputs))
      storeFragment(b, output, outputBlock, ownRows, index(b, n * kFragment));
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
    SmallVector<Value> loaded;
    for (int64_t n = 0; n < tile.valueHeadDim / kFragment; ++n)
      loaded.push_back(loadFragment(b, "COp", outputBlock, ownRows,
                                    index(b, n * kFragment)));
    return loaded;
  }

  // Invocations per row in the softmax: every invocation of the subgroup,
  // each over its part of the block's keys.
  int64_t lanesPerRow() const { return subgroupSize / kFragment; }

  Value combineParts(OpBuilder &b, Value value,
                     function_ref<Value(Value, Value)> combine) {
    for (int64_t distance = kFragment; distance < kFragment * lanesPerRow();
         distance *= 2)
      value = combine(
          value,
          gpu::ShuffleOp::create(
              b, loc, value,
              arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(distance)),
              arith::ConstantOp::create(b, loc,
                                        b.getI32IntegerAttr(subgroupSize)),
              gpu::ShuffleMode::XOR)
              .getShuffleResult());
    return value;
  }

  // Step 2 for the invocation's row over its part of the block's `count`
  // keys. The weights are exp(score − reference), where the reference is
  // the row's maximum so far, but moved only when the block's maximum
  // exceeds it by more than kReferenceSlack: weights stay below e^8 (f16
  // holds up to 65504), and the outputs rarely need rescaling.
  RowState rowSoftmax(OpBuilder &b, Value count, Value reference, Value sum) {
    const int64_t keysPerLane = tile.keys / lanesPerRow();
    Value firstKey =
        mul(b, arith::DivUIOp::create(b, loc, lane, index(b, kFragment)),
            keysPerLane);
    // Unrolled over the keys: the scores are read together and the maximum
    // and sum are trees, not chains, of their operations.
    SmallVector<Value> scores, valid, keys;
    for (int64_t key = 0; key < keysPerLane; ++key) {
      Value at = add(b, firstKey, index(b, key));
      Value score =
          memref::LoadOp::create(b, loc, scoreBlock, ValueRange{at, ownRow});
      scores.push_back(arith::MulFOp::create(b, loc, score, scale));
      valid.push_back(lessThan(b, at, count));
      keys.push_back(at);
    }
    auto maximum = [&](Value lhs, Value rhs) {
      return arith::MaximumFOp::create(b, loc, lhs, rhs).getResult();
    };
    auto plus = [&](Value lhs, Value rhs) {
      return arith::AddFOp::create(b, loc, lhs, rhs).getResult();
    };
    SmallVector<Value> maxima;
    for (auto [score, inRange] : llvm::zip_equal(scores, valid))
      maxima.push_back(
          arith::SelectOp::create(b, loc, inRange, score, reference));
    Value blockMax = combineParts(b, reduce(maxima, maximum), maximum);
    Value moved = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::OGT, blockMax,
        arith::AddFOp::create(b, loc, reference, f32(b, kReferenceSlack)));
    Value newReference =
        arith::SelectOp::create(b, loc, moved, blockMax, reference);
    Value rescale = math::ExpOp::create(
        b, loc, arith::SubFOp::create(b, loc, reference, newReference));
    SmallVector<Value> weights;
    for (auto [key, score] : llvm::enumerate(scores)) {
      Value weight = math::ExpOp::create(
          b, loc, arith::SubFOp::create(b, loc, score, newReference));
      Value half = arith::TruncFOp::create(b, loc, b.getF16Type(), weight);
      half = arith::SelectOp::create(b, loc, valid[key], half, zeroHalf);
      memref::StoreOp::create(b, loc, half, weightBlock,
                              ValueRange{keys[key], ownRow});
      // The sum adds the weights the products use.
      weights.push_back(arith::ExtFOp::create(b, loc, b.getF32Type(), half));
    }
    Value blockSum = combineParts(b, reduce(weights, plus), plus);
    Value newSum = arith::AddFOp::create(
        b, loc, arith::MulFOp::create(b, loc, sum, rescale), blockSum);
    auto first =
        scf::IfOp::create(b, loc, lessThan(b, lane, index(b, kFragment)),
                          /*withElseRegion=*/false);
    OpBuilder fb = OpBuilder::atBlockBegin(&first.getThenRegion().front());
    memref::StoreOp::create(fb, loc, rescale, rowFactors, ownRow);
    return {newReference, newSum, moved};
  }

  void kernel(OpBuilder &b, gpu::LaunchOp launch) {
    zeroF = f32(b, 0.0f);
    zeroHalf = arith::ConstantOp::create(b, loc, b.getF16FloatAttr(0.0f));
    scale = f32(b, static_cast<float>(op.getScale().convertToDouble()));
    invocation = launch.getThreadIds().x;
    subgroup =
        arith::DivUIOp::create(b, loc, invocation, index(b, subgroupSize));
    lane = arith::RemUIOp::create(b, loc, invocation, index(b, subgroupSize));
    ownRows = mul(b, subgroup, kFragment);
    ownRow = add(b, ownRows,
                 arith::RemUIOp::create(b, loc, lane, index(b, kFragment)));
    const int64_t rows = tile.rows();
    Staging queries =
        allocateStaging(b, op.getQuery(), rows, tile.headDim, headDim);
    keyRows = allocateStaging(b, op.getKey(), tile.keys, tile.headDim, headDim);
    valueRows = allocateStaging(b, op.getValue(), tile.keys, tile.valueHeadDim,
                                valueHeadDim);
    scoreBlock =
        workgroupBuffer(b, {tile.keys, rows + kScorePadding}, b.getF32Type());
    weightBlock =
        workgroupBuffer(b, {tile.keys, rows + kRowPadding}, b.getF16Type());
    outputBlock = workgroupBuffer(b, {rows, tile.valueHeadDim}, b.getF32Type());
    rowFactors = workgroupBuffer(b, {rows}, b.getF32Type());
    movedFlags = workgroupBuffer(b, {tile.subgroups}, b.getI32Type());
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

    put(b, queries, fetch(b, queries, firstQuery, grid.queries, queryChannel));
    gpu::BarrierOp::create(b, loc);
    for (int64_t d = 0; d < tile.headDim / kFragment; ++d)
      queryFragments.push_back(
          loadFragment(b, "AOp", queries, ownRows, d * kFragment));

    Value minusInfinity = f32(b, -std::numeric_limits<float>::infinity());
    const int64_t outputs = tile.valueHeadDim / kFragment;
    SmallVector<Value> carried{minusInfinity, zeroF};
    carried.append(outputs, zeroFragment);
    SmallVector<Value> first = fetchKeysAndValues(b, index(b, 0));

    llvm::append_range(carried, first);
    auto blocks = scf::ForOp::create(
        b, loc, index(b, 0), grid.keyCount, index(b, tile.keys), carried,
        [&](OpBuilder &nb, Location, Value k0, ValueRange state) {
          scf::YieldOp::create(nb, loc,
                               block(nb, k0, state[0], state[1],
                                     state.slice(2, outputs),
                                     state.drop_front(2 + outputs)));
        });
    for (int64_t n = 0; n < outputs; ++n)
      storeFragment(b, blocks.getResult(2 + n), outputBlock, ownRows,
                    index(b, n * kFragment));

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
  bool words;
  // Host side.
  AttentionGrid grid;
  // Kernel side.
  Value zeroF, zeroHalf, scale, invocation, lane, ownRows, ownRow, batch,
      queryChannel, valueChannel, scoreBlock, weightBlock, outputBlock,
      rowFactors, movedFlags, subgroup, zeroFragment;
  Staging keyRows, valueRows;

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
  // Heads of whole words, in rows of whole words, in buffers that start
  // aligned and that the kernel only reads, are copied in words (all three
  // or none, since a buffer is bound either way).
  Value root = avila::spirv::alignedRoot(op.getInit());
  const bool words =
      headDim % kWordHalves == 0 && valueHeadDim % kWordHalves == 0 &&
      llvm::all_of(ValueRange{op.getQuery(), op.getKey(), op.getValue()},
                   [&](Value operand) {
                     auto type = cast<MemRefType>(operand.getType());
                     Value operandRoot = avila::spirv::alignedRoot(operand);
                     return type.getLayout().isIdentity() &&
                            !type.isDynamicDim(2) &&
                            type.getDimSize(2) % kWordHalves == 0 &&
                            operandRoot && operandRoot != root;
                   });
  // More rows share each staged block; more keys per block were measured
  // slower (fewer rows then fit).
  for (int64_t subgroups : {4, 2, 1})
    for (int64_t keys : {32, 16}) {
      AttentionTile tile{subgroups, keys, roundUp(headDim, kFragment),
                         roundUp(valueHeadDim, kFragment)};
      if (tile.bytes() > maxWorkgroupMemory)
        continue;
      CooperativeAttention(op, tile, subgroupSize, headDim, valueHeadDim, words)
          .build(b);
      return true;
    }
  return false;
}
