// Run-time errors name the op and its location, and exit with 1.
// RUN: not avila-eval %s --function=mismatch --input=3xf32=1,2,3 --input=4xf32=1,2,3,4 2>&1 | FileCheck %s --check-prefix=SHAPES
// SHAPES: error: 'avila.add' at {{.*}}errors.mlir:[[# @LINE + 13]]{{.*}}operands 3 and 4 are not broadcastable
// RUN: not avila-eval %s --function=ids --input=2xi32=0,7 2>&1 | FileCheck %s --check-prefix=IDS
// IDS: error: 'avila.gather' {{.*}}gather id 7 is out of range [0, 3)
// RUN: not avila-eval %s --function=mismatch --input=3xf32=1,2,3 2>&1 | FileCheck %s --check-prefix=ARITY
// ARITY: error: function 'mismatch' takes 2 arguments, got 1
// RUN: not avila-eval %s --function=mismatch --input=3xf32=1,2 --input=3xf32=1 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: --input=3xf32=1,2 gives 2 values for 3 elements
// RUN: not avila-eval %s --function=weights 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// WEIGHTS: error: 'avila.weight' {{.*}}no weights were provided for 'w'
// RUN: not avila-eval %s --function=nothing 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: no function named 'nothing'

func.func @mismatch(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %0 = avila.add %x, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

func.func @ids(%ids: tensor<2xi32>) -> tensor<2x2xf32> {
  %table = avila.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %0 = avila.gather %table, %ids : (tensor<3x2xf32>, tensor<2xi32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

func.func @weights() -> tensor<2xf32> {
  %0 = avila.weight "w" : tensor<2xf32>
  return %0 : tensor<2xf32>
}
