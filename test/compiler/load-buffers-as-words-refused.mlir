// RUN: avila-opt %s --avila-load-buffers-as-words --verify-diagnostics --split-input-file

// A buffer read both in words and a value at a time has no one SPIR-V
// type: refused rather than left with a vector of 8 halves, which SPIR-V
// cannot hold.
gpu.module @kernels {
  // expected-error @below {{avila-load-buffers-as-words: kernel buffer 0 is read both as words and otherwise}}
  gpu.func @mixed(%x: memref<?xf16>, %y: memref<?xvector<4xi32>>, %z: memref<?xf16>) kernel {
    %t = gpu.thread_id x
    %c8 = arith.constant 8 : index
    %at = arith.muli %t, %c8 : index
    %halves = vector.load %x[%at] : memref<?xf16>, vector<8xf16>
    %word = vector.bitcast %halves : vector<8xf16> to vector<4xi32>
    memref.store %word, %y[%t] : memref<?xvector<4xi32>>
    %v = memref.load %x[%t] : memref<?xf16>
    memref.store %v, %z[%t] : memref<?xf16>
    gpu.return
  }
}
