// RUN: avila-opt %s --avila-store-f16 --verify-diagnostics --split-input-file

// A kernel buffer used by an op with no f16 form here is refused rather
// than left f32 behind an f16 signature.
func.func @copy(%x: memref<4xf32>, %y: memref<4xf32>) attributes {avila.dispatch} {
  // expected-error @below {{an f32 kernel buffer used by an op whose f16 form is unknown: memref.copy}}
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  return
}
