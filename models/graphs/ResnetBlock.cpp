//===- ResnetBlock.cpp - The ResNet block of the U-Net and the VAE --------===//

#include "models/graphs/ResnetBlock.h"

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/MixedSizes.h"

using namespace mlir;

namespace avila::models {

Value resnetBlock(GraphBuilder &g, Value x, const std::string &block,
                  int64_t outChannels, Value timeEmbedding, int64_t groups,
                  double epsilon) {
  const int64_t inChannels = GraphBuilder::staticSize(x, 1);
  Value h = g.silu(g.groupNorm(x, block + ".norm1", groups, epsilon));
  h = g.conv3x3(h, block + ".conv1", outChannels);
  if (timeEmbedding) {
    Value t =
        g.linear(g.silu(timeEmbedding), block + ".time_emb_proj", outChannels);
    OpBuilder &b = g.builder();
    t = createReshape(b, g.loc(), t,
                      {g.size(t, 0), b.getIndexAttr(outChannels),
                       b.getIndexAttr(1), b.getIndexAttr(1)});
    h = g.add(h, t);
  }
  h = g.silu(g.groupNorm(h, block + ".norm2", groups, epsilon));
  h = g.conv3x3(h, block + ".conv2", outChannels);
  Value shortcut = inChannels == outChannels
                       ? x
                       : g.conv1x1(x, block + ".conv_shortcut", outChannels);
  return g.add(shortcut, h);
}

} // namespace avila::models
