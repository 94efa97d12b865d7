//===- AvilaBase.td - The avila dialect and its type constraints -*- tablegen -*-===//
//
// The avila dialect holds Stable Diffusion-class networks at the level a model
// author thinks in. Tensors are builtin ranked tensors; batch, height and width
// may stay dynamic (`?`) so that one compiled artifact serves every size.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_BASE_TD
#define AVILA_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Avila_Dialect : Dialect {
  let name = "avila";
  let cppNamespace = "::avila";
  let summary = "Graph IR for diffusion models";
  let description = [{
    Ops at the granularity of PyTorch modules (conv2d, linear, group_norm,
    attention, ...). Semantics of every op: docs/dialect.md.
  }];
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def Avila_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Avila_IdTensor : RankedTensorOf<[I32, I64]>;
def Avila_AnyTensor : RankedTensorOf<[F32, F16, BF16, I32, I64]>;

class Avila_Op<string mnemonic, list<Trait> traits = []>
    : Op<Avila_Dialect, mnemonic, traits>;

#endif // AVILA_BASE_TD
