//===- KernelCases.cpp - Kernels drawn at random, for every target --------===//

#include "test/kernels/KernelCases.h"

#include "compiler/dialect/AvilaDialect.h"
#include "runtime/base/Difference.h"
#include "test/TestSeed.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace avila::test {

using interp::ElementType;
using interp::Shape;
using interp::Tensor;

int64_t Random::size(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
}

Tensor Random::normal(Shape shape, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> values(interp::numElements(shape));
  for (float &v : values)
    v = dist(engine);
  return Tensor::fromFloats(ElementType::F32, std::move(shape),
                            std::move(values));
}

Tensor Random::ids(Shape shape, int64_t limit) {
  std::vector<int64_t> values(interp::numElements(shape));
  for (int64_t &v : values)
    v = size(0, limit - 1);
  return Tensor::fromInts(ElementType::I32, std::move(shape),
                          std::move(values));
}

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  return info.param.name;
}

namespace {

// What f32 kernels reach against the interpreter at these small sizes:
// at most 4.6e-7 over 85 seeds on lavapipe and 55 on x86 (median 1e-7;
// the attention over heads of up to 520 channels ~4e-7). The bound leaves
// room for other devices' exp, division, sin on [-π, π] and sum orders,
// not for a real loss of precision (FarAngles: a sin that reduces large
// angles with a short 2π is ~1e-4 off near 1000).
constexpr double kTolerance = 3e-6;

std::string s(int64_t value) { return std::to_string(value); }

// f(x) applied to x: [?, C, ?, ?] for a chain of unary ops.
Drawn unaryChain(Random &r) {
  const int64_t c = r.size(1, 9);
  const std::string t = "tensor<?x" + s(c) + "x?x?xf32>";
  std::string body;
  const char *ops[] = {"silu", "gelu", "quick_gelu", "sigmoid", "tanh"};
  std::string previous = "%x";
  int index = 0;
  for (const char *op : ops) {
    body += "  %u" + s(index) + " = avila." + op + " " + previous + " : " + t +
            "\n";
    previous = "%u" + s(index++);
  }
  body += "  %g = avila.gelu " + previous + " tanh : " + t + "\n";
  body += "  %e = avila.exp %g : " + t + "\n";
  body += "  %q = avila.sqrt %e : " + t + "\n";
  body += "  %rs = avila.rsqrt %e : " + t + "\n";
  body += "  %m = avila.mul_scalar %q, 0.75 : " + t + "\n";
  body += "  %a = avila.add_scalar %m, -0.5 : " + t + "\n";
  // The chain leaves %a in (0.37, 0.51): these bounds clamp about a third
  // of the values from below and a tenth from above.
  body += "  %cl = avila.clamp %a min 0.375 max 0.42 : " + t + "\n";
  body += "  %sum = avila.add %cl, %rs : (" + t + ", " + t + ") -> " + t + "\n";
  return {"func.func @k(%x: " + t + ") -> " + t + " {\n" + body +
              "  return %sum : " + t + "\n}",
          {r.normal({r.size(1, 3), c, r.size(1, 9), r.size(1, 9)})}};
}

Drawn broadcastArithmetic(Random &r) {
  const int64_t c = r.size(1, 7), n = r.size(1, 3);
  const std::string x = "tensor<?x" + s(c) + "x?x?xf32>";
  const std::string e = "tensor<?x" + s(c) + "x1x1xf32>";
  const std::string v = "tensor<" + s(c) + "x1x1xf32>";
  return {"func.func @k(%x: " + x + ", %e: " + e + ", %v: " + v + ") -> " + x +
              " {\n"
              "  %0 = avila.add %x, %e : (" +
              x + ", " + e + ") -> " + x +
              "\n"
              "  %1 = avila.mul %0, %v : (" +
              x + ", " + v + ") -> " + x +
              "\n"
              "  %2 = avila.sub %1, %x : (" +
              x + ", " + x + ") -> " + x +
              "\n"
              "  %p = avila.exp %e : " +
              e +
              "\n"
              "  %3 = avila.div %2, %p : (" +
              x + ", " + e + ") -> " + x +
              "\n"
              "  return %3 : " +
              x + "\n}",
          {r.normal({n, c, r.size(1, 8), r.size(1, 8)}), r.normal({n, c, 1, 1}),
           r.normal({c, 1, 1})}};
}

Drawn linearAndMatmul(Random &r) {
  const int64_t k = r.size(1, 19), n = r.size(1, 13), m = r.size(1, 7);
  const std::string x = "tensor<?x?x" + s(k) + "xf32>";
  const std::string w = "tensor<" + s(n) + "x" + s(k) + "xf32>";
  const std::string b = "tensor<" + s(n) + "xf32>";
  const std::string y = "tensor<?x?x" + s(n) + "xf32>";
  const std::string rhs = "tensor<?x" + s(n) + "x" + s(m) + "xf32>";
  const std::string z = "tensor<?x?x" + s(m) + "xf32>";
  const int64_t batch = r.size(1, 3);
  const std::string square = "tensor<" + s(n) + "x" + s(n) + "xf32>";
  return {"func.func @k(%x: " + x + ", %w: " + w + ", %b: " + b +
              ", %w2: " + square + ", %r: " + rhs + ") -> " + z +
              " {\n"
              "  %0 = avila.linear %x, %w, %b : (" +
              x + ", " + w + ", " + b + ") -> " + y +
              "\n"
              "  %1 = avila.linear %0, %w2 : (" +
              y + ", " + square + ") -> " + y +
              "\n"
              "  %2 = avila.matmul %1, %r : (" +
              y + ", " + rhs + ") -> " + z + "\n  return %2 : " + z + "\n}",
          {r.normal({batch, r.size(1, 11), k}), r.normal({n, k}), r.normal({n}),
           r.normal({n, n}), r.normal({batch, n, m})}};
}

Drawn convolution(Random &r, int64_t stride, std::string padding,
                  int64_t groups, int64_t kernel) {
  const int64_t perGroup = r.size(1, 3), outPerGroup = r.size(1, 3);
  const int64_t c = perGroup * groups, o = outPerGroup * groups;
  const std::string x = "tensor<?x" + s(c) + "x?x?xf32>";
  const std::string w = "tensor<" + s(o) + "x" + s(perGroup) + "x" + s(kernel) +
                        "x" + s(kernel) + "xf32>";
  const std::string b = "tensor<" + s(o) + "xf32>";
  const std::string y = "tensor<?x" + s(o) + "x?x?xf32>";
  return {"func.func @k(%x: " + x + ", %w: " + w + ", %b: " + b + ") -> " + y +
              " {\n  %0 = avila.conv2d %x, %w, %b stride [" + s(stride) + ", " +
              s(stride) + "] padding [" + padding + "] groups " + s(groups) +
              " : (" + x + ", " + w + ", " + b + ") -> " + y +
              "\n  return %0 : " + y + "\n}",
          {r.normal({r.size(1, 2), c, r.size(kernel, 11), r.size(kernel, 11)}),
           r.normal({o, perGroup, kernel, kernel}), r.normal({o})}};
}

// Contractions whose depth is whole 16-byte words of f16, which
// cooperative-matrix tiles copy a word at a time: a linear layer, a 1×1
// convolution (its weights' window is one element) and a padded 3×3 one
// (copied channels last), with rows and columns past a tile's edge.
Drawn contractionsInWords(Random &r) {
  const int64_t k = 8 * r.size(1, 6), n = r.size(1, 70), c = 8 * r.size(1, 4);
  const int64_t stride = r.size(1, 2);
  // Padded on each side by 0–2, the copy in words reading the unpadded
  // image through its borders.
  std::string padding;
  for (int side = 0; side < 4; ++side)
    padding += (side ? ", " : "") + s(r.size(0, 2));
  const std::string x = "tensor<?x?x" + s(k) + "xf32>";
  const std::string w = "tensor<" + s(n) + "x" + s(k) + "xf32>";
  const std::string y = "tensor<?x?x" + s(n) + "xf32>";
  const std::string image = "tensor<?x" + s(c) + "x?x?xf32>";
  const std::string pointwise = "tensor<" + s(n) + "x" + s(c) + "x1x1xf32>";
  const std::string window = "tensor<" + s(n) + "x" + s(c) + "x3x3xf32>";
  const std::string bias = "tensor<" + s(n) + "xf32>";
  const std::string out = "tensor<?x" + s(n) + "x?x?xf32>";
  return {"func.func @k(%x: " + x + ", %w: " + w + ", %i: " + image +
              ", %p: " + pointwise + ", %q: " + window + ", %b: " + bias +
              ") -> (" + y + ", " + out + ", " + out +
              ") {\n"
              "  %0 = avila.linear %x, %w : (" +
              x + ", " + w + ") -> " + y +
              "\n"
              "  %1 = avila.conv2d %i, %p stride [1, 1] padding [0, 0, 0, 0] "
              "groups 1 : (" +
              image + ", " + pointwise + ") -> " + out +
              "\n"
              "  %2 = avila.conv2d %i, %q, %b stride [" +
              s(stride) + ", " + s(stride) + "] padding [" + padding +
              "] groups 1 : (" + image + ", " + window + ", " + bias + ") -> " +
              out + "\n  return %0, %1, %2 : " + y + ", " + out + ", " + out +
              "\n}",
          {r.normal({r.size(1, 2), r.size(1, 150), k}), r.normal({n, k}),
           r.normal({r.size(1, 2), c, r.size(3, 13), r.size(3, 13)}),
           r.normal({n, c, 1, 1}), r.normal({n, c, 3, 3}), r.normal({n})}};
}

// A norm over one value, or a softmax over one, gives the same result
// whatever its input, and a norm over two is ill-conditioned (two close
// values' difference is all it keeps): at least four channels, two rows
// and two columns.
Drawn normalizations(Random &r) {
  const int64_t groups = r.size(1, 4), least = (groups + 3) / groups;
  const int64_t c = groups * r.size(least, std::max<int64_t>(least, 3));
  const std::string x = "tensor<?x" + s(c) + "x?x?xf32>";
  const std::string v = "tensor<" + s(c) + "xf32>";
  const std::string last = "tensor<?x" + s(c) + "x?x?xf32>";
  return {"func.func @k(%x: " + x + ", %g: " + v + ", %b: " + v + ") -> " +
              last +
              " {\n"
              "  %0 = avila.group_norm %x, %g, %b groups " +
              s(groups) + " eps 1.0e-5 : (" + x + ", " + v + ", " + v +
              ") -> " + x +
              "\n"
              "  %s = avila.silu %0 : " +
              x +
              "\n"
              "  %t = avila.transpose %s perm [0, 2, 3, 1] : (" +
              x + ") -> tensor<?x?x?x" + s(c) +
              "xf32>\n"
              "  %1 = avila.layer_norm %t, %g, %b eps 1.0e-6 : (tensor<?x?x?x" +
              s(c) + "xf32>, " + v + ", " + v + ") -> tensor<?x?x?x" + s(c) +
              "xf32>\n"
              "  %2 = avila.transpose %1 perm [0, 3, 1, 2] : (tensor<?x?x?x" +
              s(c) + "xf32>) -> " + x +
              "\n"
              "  %3 = avila.softmax %2 axis 1 : (" +
              x + ") -> " + x +
              "\n"
              "  %4 = avila.softmax %3 axis 3 : (" +
              x + ") -> " + x +
              "\n"
              "  return %4 : " +
              last + "\n}",
          {r.normal({r.size(1, 2), c, r.size(2, 7), r.size(2, 7)}, 3.0f),
           r.normal({c}), r.normal({c})}};
}

// Attention of up to `channels` query and value channels per head (whole
// multiples of `channelStep`) and `positions` query and key positions;
// queries and keys drawn with a standard deviation of `spread`.
struct AttentionSizes {
  int64_t channels = 5, valueChannels = 4, positions = 9, channelStep = 1;
  float spread = 1.0f;
};

// At least two keys: over one key the weights are all 1 and the output is
// the values whatever the queries and keys.
Drawn attention(Random &r, bool causal, int maskRank,
                AttentionSizes sizes = {}) {
  const int64_t step = sizes.channelStep, heads = r.size(1, 3),
                headDim = step * r.size(1, sizes.channels / step);
  const int64_t valueDim = step * r.size(1, sizes.valueChannels / step),
                e = heads * headDim, ev = heads * valueDim;
  const int64_t batch = r.size(1, 2),
                lq = r.size(causal ? 2 : 1, sizes.positions);
  const int64_t lk = causal ? lq : r.size(2, sizes.positions);
  const std::string q = "tensor<?x?x" + s(e) + "xf32>";
  const std::string k = "tensor<?x?x" + s(e) + "xf32>";
  const std::string v = "tensor<?x?x" + s(ev) + "xf32>";
  const std::string y = "tensor<?x?x" + s(ev) + "xf32>";
  std::string maskArg, maskUse, maskType;
  std::vector<Tensor> inputs = {r.normal({batch, lq, e}, sizes.spread),
                                r.normal({batch, lk, e}, sizes.spread),
                                r.normal({batch, lk, ev})};
  if (maskRank) {
    maskType = maskRank == 2 ? "tensor<?x?xf32>" : "tensor<?x?x?xf32>";
    maskArg = ", %m: " + maskType;
    maskUse = " mask %m";
    inputs.push_back(maskRank == 2 ? r.normal({lq, lk})
                                   : r.normal({batch, lq, lk}));
  }
  return {"func.func @k(%q: " + q + ", %k: " + k + ", %v: " + v + maskArg +
              ") -> " + y + " {\n  %0 = avila.attention %q, %k, %v" + maskUse +
              " heads " + s(heads) + (causal ? " causal" : "") + " : (" + q +
              ", " + k + ", " + v + (maskRank ? ", " + maskType : "") +
              ") -> " + y + "\n  return %0 : " + y + "\n}",
          inputs};
}

Drawn movement(Random &r) {
  const int64_t c = 4 * r.size(1, 3);
  const std::string x = "tensor<?x" + s(c) + "x?x?xf32>";
  const std::string half = "tensor<?x" + s(c / 2) + "x?x?xf32>";
  const std::string both = "tensor<?x" + s(c + c / 2) + "x?x?xf32>";
  const std::string gated = "tensor<?x?x" + s((c + c / 2) / 2) + "xf32>";
  return {
      "func.func @k(%x: " + x + ") -> (" + both + ", " + gated +
          ") {\n"
          "  %s:2 = avila.split %x axis 1 : " +
          x + " -> " + half + ", " + half +
          "\n"
          "  %sl = avila.slice %x axis 1 start 1 end " +
          s(c / 2 + 1) + " : (" + x + ") -> " + half +
          "\n"
          "  %sum = avila.add %s#1, %sl : (" +
          half + ", " + half + ") -> " + half +
          "\n"
          "  %cat = avila.concat %x, %sum axis 1 : (" +
          x + ", " + half + ") -> " + both +
          "\n"
          "  %n = avila.dim %x[0] : " +
          x +
          "\n"
          "  %h = avila.dim %x[2] : " +
          x +
          "\n"
          "  %w = avila.dim %x[3] : " +
          x +
          "\n"
          "  %hw = arith.muli %h, %w : index\n"
          "  %t = avila.transpose %cat perm [0, 2, 3, 1] : (" +
          both + ") -> tensor<?x?x?x" + s(c + c / 2) +
          "xf32>\n"
          "  %flat = avila.reshape %t dims(%n, %hw) : tensor<?x?x?x" +
          s(c + c / 2) + "xf32> -> tensor<?x?x" + s(c + c / 2) +
          "xf32>\n"
          "  %back = avila.reshape %flat dims(%n, %h, %w) : tensor<?x?x" +
          s(c + c / 2) + "xf32> -> tensor<?x?x?x" + s(c + c / 2) +
          "xf32>\n"
          "  %img = avila.transpose %back perm [0, 3, 1, 2] : (tensor<?x?x?x" +
          s(c + c / 2) + "xf32>) -> " + both +
          "\n"
          "  %g = avila.geglu %flat : (tensor<?x?x" +
          s(c + c / 2) + "xf32>) -> tensor<?x?x" + s((c + c / 2) / 2) +
          "xf32>\n"
          "  return %img, %g : " +
          both + ", " + gated + "\n}",
      {r.normal({r.size(1, 2), c, r.size(1, 6), r.size(1, 6)})}};
}

Drawn resampling(Random &r) {
  const int64_t c = r.size(1, 4);
  const std::string x = "tensor<?x" + s(c) + "x?x?xf32>";
  const int64_t h = r.size(2, 7), w = r.size(2, 7);
  return {"func.func @k(%x: " + x + ", %like: " + x + ") -> " + x +
              " {\n"
              "  %up = avila.upsample_nearest %x : " +
              x + " -> " + x +
              "\n"
              "  %lh = avila.dim %like[2] : " +
              x +
              "\n"
              "  %lw = avila.dim %like[3] : " +
              x +
              "\n"
              "  %to = avila.upsample_nearest %x size(%lh, %lw) : " +
              x + " -> " + x +
              "\n"
              "  %p = avila.avg_pool2d %up kernel [2, 2] stride [2, 2] : (" +
              x + ") -> " + x +
              "\n"
              "  %sum = avila.add %p, %x : (" +
              x + ", " + x + ") -> " + x +
              "\n"
              "  %back = avila.upsample_nearest %sum size(%lh, %lw) : " +
              x + " -> " + x +
              "\n"
              "  %out = avila.add %back, %to : (" +
              x + ", " + x + ") -> " + x + "\n  return %out : " + x + "\n}",
          {r.normal({1, c, h, w}),
           r.normal({1, c, r.size(h, 2 * h + 1), r.size(w, 2 * w + 1)})}};
}

Drawn embeddings(Random &r) {
  const int64_t vocab = r.size(2, 50), width = r.size(1, 8);
  const int64_t dim = r.size(2, 17), batch = r.size(1, 3);
  const std::string table = "tensor<" + s(vocab) + "x" + s(width) + "xf32>";
  std::vector<float> timesteps;
  for (int64_t i = 0; i < batch; ++i)
    timesteps.push_back(static_cast<float>(r.size(0, 999)));
  return {"func.func @k(%table: " + table +
              ", %ids: tensor<?x?xi32>, %t: "
              "tensor<?xf32>) -> (tensor<?x?x" +
              s(width) + "xf32>, tensor<?x" + s(dim) +
              "xf32>) {\n"
              "  %0 = avila.gather %table, %ids : (" +
              table + ", tensor<?x?xi32>) -> tensor<?x?x" + s(width) +
              "xf32>\n"
              "  %1 = avila.timestep_embedding %t dim " +
              s(dim) +
              " flip_sin_to_cos shift 0.0 : (tensor<?xf32>) -> tensor<?x" +
              s(dim) +
              "xf32>\n"
              "  %c = avila.constant dense<0.5> : tensor<" +
              s(width) +
              "xf32>\n"
              "  %2 = avila.add %0, %c : (tensor<?x?x" +
              s(width) + "xf32>, tensor<" + s(width) + "xf32>) -> tensor<?x?x" +
              s(width) +
              "xf32>\n"
              "  return %2, %1 : tensor<?x?x" +
              s(width) + "xf32>, tensor<?x" + s(dim) + "xf32>\n}",
          {r.normal({vocab, width}), r.ids({batch, r.size(1, 9)}, vocab),
           Tensor::fromFloats(ElementType::F32, {batch}, timesteps)}};
}

// The timestep embedding's angles at their largest: with dim 2 the one
// frequency is 1, so the angles are the timesteps themselves, drawn over
// [0, 1000] in halves (which f16 holds exactly, so the fp16 kernels see
// the same angles). A device whose sin and cos reduce large angles with a
// short 2π is ~1e-4 off near 1000 and misses the bound.
Drawn farAngles(Random &r) {
  std::vector<float> timesteps(r.size(1000, 4000));
  for (float &t : timesteps)
    t = 0.5f * static_cast<float>(r.size(0, 2000));
  const std::string t = "tensor<?xf32>", y = "tensor<?x2xf32>";
  const int64_t count = timesteps.size();
  return {"func.func @k(%t: " + t + ") -> " + y +
              " {\n  %0 = avila.timestep_embedding %t dim 2 shift 0.0 : (" + t +
              ") -> " + y + "\n  return %0 : " + y + "\n}",
          {Tensor::fromFloats(ElementType::F32, {count}, timesteps)}};
}

const Case kCases[] = {
    {"UnaryChain", unaryChain, kTolerance},
    {"BroadcastArithmetic", broadcastArithmetic, kTolerance},
    {"LinearAndMatmul", linearAndMatmul, kTolerance},
    {"Conv3x3", [](Random &r) { return convolution(r, 1, "1, 1, 1, 1", 1, 3); },
     kTolerance},
    {"ConvStride2AsymmetricPad",
     [](Random &r) { return convolution(r, 2, "0, 1, 0, 1", 1, 3); },
     kTolerance},
    {"ConvGrouped",
     [](Random &r) { return convolution(r, 1, "2, 0, 1, 1", 2, 3); },
     kTolerance},
    {"Conv1x1", [](Random &r) { return convolution(r, 1, "0, 0, 0, 0", 1, 1); },
     kTolerance},
    {"ContractionsInWords", contractionsInWords, kTolerance},
    {"Normalizations", normalizations, kTolerance},
    {"CrossAttention", [](Random &r) { return attention(r, false, 0); },
     kTolerance},
    // Heads as wide as SD's 40 and 80 channels and positions past several
    // blocks of keys and of query rows.
    {"LongAttention",
     [](Random &r) { return attention(r, false, 0, {88, 88, 150}); },
     kTolerance},
    // Heads of whole 16-byte words (8 halves), which fp16 kernels copy a
    // word at a time.
    {"AttentionInWords",
     [](Random &r) { return attention(r, false, 0, {88, 88, 150, 8}); },
     kTolerance},
    // Scores spread over tens of units, so that a row's maximum keeps
    // growing past earlier blocks of keys by more than the tiles let their
    // weights' reference lag behind it.
    {"SharpAttention",
     [](Random &r) { return attention(r, false, 0, {88, 88, 150, 8, 4.0f}); },
     kTolerance},
    // Heads as wide as the VAE's one head of 512 channels.
    {"WideHeadAttention",
     [](Random &r) { return attention(r, false, 0, {520, 520, 24}); },
     kTolerance},
    {"CausalAttention", [](Random &r) { return attention(r, true, 0); },
     kTolerance},
    {"MaskedAttention", [](Random &r) { return attention(r, false, 2); },
     kTolerance},
    {"BatchMaskedAttention", [](Random &r) { return attention(r, false, 3); },
     kTolerance},
    {"DataMovement", movement, kTolerance},
    {"Resampling", resampling, kTolerance},
    {"Embeddings", embeddings, kTolerance},
    {"FarAngles", farAngles, kTolerance},
};

// Unit variance around 0.5 (offset like real activations, so that the
// mean's sum grows too): the sum of two uniforms from a splitmix64
// stream, as 10⁸ normal draws would take most of the test's time.
Tensor activations(Random &r, Shape shape) {
  uint64_t state = r.size(0, INT64_MAX);
  std::vector<float> values(interp::numElements(shape));
  for (float &value : values) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    const float sum = float(z >> 40) + float(z & 0xffffff);
    value = 0.5f + (sum * 0x1p-24f - 1.0f) * 2.4494897f;
  }
  return Tensor::fromFloats(ElementType::F32, std::move(shape),
                            std::move(values));
}

Drawn groupNorm(Random &r, int64_t groups, int64_t channels, int64_t size) {
  const std::string x = "tensor<?x" + s(channels) + "x?x?xf32>";
  const std::string v = "tensor<" + s(channels) + "xf32>";
  return {"func.func @k(%x: " + x + ", %g: " + v + ", %b: " + v + ") -> " + x +
              " {\n  %0 = avila.group_norm %x, %g, %b groups " + s(groups) +
              " eps 1.0e-6 : (" + x + ", " + v + ", " + v + ") -> " + x +
              "\n  return %0 : " + x + "\n}",
          {activations(r, {1, channels, size, size}), r.normal({channels}),
           r.normal({channels})}};
}

Drawn layerNorm(Random &r, int64_t rows, int64_t features) {
  const std::string x = "tensor<?x?x" + s(features) + "xf32>";
  const std::string v = "tensor<" + s(features) + "xf32>";
  return {"func.func @k(%x: " + x + ", %g: " + v + ", %b: " + v + ") -> " + x +
              " {\n  %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (" + x +
              ", " + v + ", " + v + ") -> " + x + "\n  return %0 : " + x +
              "\n}",
          {activations(r, {1, rows, features}), r.normal({features}),
           r.normal({features})}};
}

} // namespace

std::span<const Case> kernelCases() { return kCases; }

// Normalizations whose statistics sum as many values as the VAE's group
// norms at full size: 256 channels at 512² and 128 channels at 1024², in
// 32 groups, hold 2²¹ and 2²² values a group. The layer norms normalize
// rows of those lengths ([1, 32, 2²¹] and [1, 32, 2²²]: the same element
// counts). A single f32 running sum loses the small addends of such rows
// (2e-4 off); the bound is what honest f32 reordering reaches. Fewer
// groups and rows keep each reduction as long and the tensors within
// `maxTensorBytes`.
std::vector<Case> longReductionCases(int64_t maxTensorBytes) {
  constexpr double kLongTolerance = 1e-6;
  struct VaeNorm {
    int64_t size, groupChannels;
  };
  const VaeNorm norms[] = {{512, 8}, {1024, 4}};
  auto groupsWithin = [&](int64_t groupValues) {
    int64_t groups = 32;
    while (groups > 1 &&
           groups * groupValues * int64_t(sizeof(float)) > maxTensorBytes)
      groups /= 2;
    return groups;
  };
  std::vector<Case> cases;
  for (VaeNorm norm : norms) {
    const int64_t groups =
        groupsWithin(norm.groupChannels * norm.size * norm.size);
    cases.push_back({"GroupNormOfVaeAt" + s(norm.size),
                     [=](Random &r) {
                       return groupNorm(r, groups, groups * norm.groupChannels,
                                        norm.size);
                     },
                     kLongTolerance});
  }
  for (VaeNorm norm : norms) {
    const int64_t length = norm.groupChannels * norm.size * norm.size;
    const int64_t rows = groupsWithin(length);
    cases.push_back({"LayerNormOfRowsAsLongAsVaeGroupsAt" + s(norm.size),
                     [=](Random &r) { return layerNorm(r, rows, length); },
                     kLongTolerance});
  }
  return cases;
}

double tolerance(const Case &c, Precision precision) {
  constexpr double kFp16Tolerance = 1e-2;
  return precision == Precision::FP16 ? std::max(c.tolerance, kFp16Tolerance)
                                      : c.tolerance;
}

llvm::Expected<Interpreted> drawAndInterpret(const Case &c, unsigned seed,
                                             mlir::MLIRContext &context) {
  Random random(seed);
  Drawn drawn = c.draw(random);
  context.loadDialect<AvilaDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  Interpreted result{
      std::move(drawn.function), {}, std::move(drawn.inputs), {}};
  result.module =
      mlir::parseSourceString<mlir::ModuleOp>(result.function, &context);
  if (!result.module)
    return llvm::createStringError("case " + c.name + " does not parse:\n" +
                                   result.function);
  auto expected = interp::interpret(
      result.module->lookupSymbol<mlir::func::FuncOp>(kEntryPoint),
      result.inputs, {});
  if (!expected)
    return expected.takeError();
  result.expected = std::move(*expected);
  return result;
}

void expectMatchesInterpreter(const Case &c, const RunCompiled &run) {
  const unsigned seed = testSeed();
  SCOPED_TRACE(replayHint(seed));
  mlir::MLIRContext context;
  auto interpreted = drawAndInterpret(c, seed, context);
  ASSERT_TRUE(bool(interpreted)) << llvm::toString(interpreted.takeError());
  SCOPED_TRACE(interpreted->function);
  const std::vector<Tensor> &expected = interpreted->expected;

  // Interpreted first: the target may transform the module in place.
  auto outputs = run(*interpreted->module, interpreted->inputs, expected);
  ASSERT_TRUE(bool(outputs)) << llvm::toString(outputs.takeError());
  ASSERT_EQ(outputs->size(), expected.size());
  for (size_t i = 0; i < outputs->size(); ++i) {
    EXPECT_EQ((*outputs)[i].shape, expected[i].shape) << "result " << i;
    const double difference =
        relativeL2((*outputs)[i].floats, expected[i].floats);
    // Kept in the test report (--gtest_output), to compare lowerings by.
    char text[32];
    std::snprintf(text, sizeof(text), "%.3e", difference);
    ::testing::Test::RecordProperty("relative_l2_" + std::to_string(i), text);
    EXPECT_LT(difference, c.tolerance) << "result " << i;
  }
}

} // namespace avila::test
