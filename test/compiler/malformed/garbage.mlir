// Bytes that are not MLIR at all.
// RUN: not avila-opt %s 2>&1 | FileCheck %s
// RUN: avila-opt %s; test $? -eq 1
// CHECK: garbage.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
@@@ }}} %%% ((( tensor<<<>>> 0x7fffffff
