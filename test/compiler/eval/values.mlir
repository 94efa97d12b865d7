// avila-eval runs a function on the reference interpreter and prints results.
// RUN: avila-eval %s --function=broadcast --input=2x3xf32=1,2,3,4,5,6 --input=3xf32=10,20,30 | FileCheck %s --check-prefix=ADD
// ADD: result 0: 2x3xf32
// ADD-NEXT: mean 23.5 std 9.10586
// ADD-NEXT: 11 22 33 14 25 36
// RUN: avila-eval %s --function=half --input=4xf16=0.1,1,1000.3,70000 | FileCheck %s --check-prefix=HALF
// HALF: result 0: 4xf16
// HALF: 0.0999756 1 1000.5 inf
// RUN: avila-eval %s --function=ids --input=3xi32=2,0,1 | FileCheck %s --check-prefix=IDS
// IDS: result 0: 3x2xf32
// IDS: 5 6 1 2 3 4

func.func @broadcast(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = avila.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @half(%x: tensor<4xf16>) -> tensor<4xf16> {
  return %x : tensor<4xf16>
}

func.func @ids(%ids: tensor<3xi32>) -> tensor<3x2xf32> {
  %table = avila.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %0 = avila.gather %table, %ids : (tensor<3x2xf32>, tensor<3xi32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
