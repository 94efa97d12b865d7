// Every shape and attribute rule of every avila op rejects what breaks it,
// with a message that says which rule and by how much.
// RUN: avila-opt %s -split-input-file -verify-diagnostics

func.func @f() {
  // expected-error @+1 {{name must not be empty}}
  %0 = avila.weight "" : tensor<4xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{weight shape must be static}}
  %0 = avila.weight "w" : tensor<?x4xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = avila.weight "w" : tensor<4xi32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{failed to verify that all of {value, result} have same type}}
  %0 = "avila.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = avila.dim %x[2] : tensor<?x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{input (NCHW) must have rank 4}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] : (tensor<4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+1 {{weight (OIHW) must have rank 4}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'f16')}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf16>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{stride must have 2 positive entries}}
  %0 = avila.conv2d %x, %w stride [0, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{stride must have 2 positive entries}}
  %0 = avila.conv2d %x, %w stride [1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{padding must have 4 non-negative entries [top, bottom, left, right]}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{padding must have 4 non-negative entries}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, -1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{groups must be positive, got 0}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] groups 0 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{output channels (6) must be divisible by groups (4)}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] groups 4 : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{input has 4 channels but the weight expects 3 per group x 1 groups}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8x1xf32>) {
  // expected-error @+1 {{bias must have rank 1}}
  %0 = avila.conv2d %x, %w, %b stride [1, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8x1xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<7xf32>) {
  // expected-error @+1 {{bias size must match (7 vs 8)}}
  %0 = avila.conv2d %x, %w, %b stride [1, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<7xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'f16')}}
  %0 = avila.conv2d %x, %w, %b stride [1, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf16>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x2x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{padded input height (2) is smaller than the kernel (3)}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [0, 0, 1, 1] : (tensor<1x4x2x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x1x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x1xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{padded input width (1) is smaller than the kernel (3)}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 0, 0] : (tensor<1x4x8x1xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x1xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{result type 'tensor<1x8x4x4xf32>' does not match the inferred type 'tensor<1x8x8x8xf32>'}}
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = avila.linear %x, %w : (tensor<f32>, tensor<8x4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{weight ([out, in]) must have rank 2}}
  %0 = avila.linear %x, %w : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x5xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{input features and weight in-features must match (5 vs 4)}}
  %0 = avila.linear %x, %w : (tensor<2x5xf32>, tensor<8x4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %w: tensor<8x4xbf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'bf16')}}
  %0 = avila.linear %x, %w : (tensor<2x4xf32>, tensor<8x4xbf16>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias size must match (4 vs 8)}}
  %0 = avila.linear %x, %w, %b : (tensor<2x4xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{lhs must have rank >= 2}}
  %0 = avila.matmul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{lhs and rhs must have the same rank (3 vs 2)}}
  %0 = avila.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{batch dimension 0 must match (2 vs 3)}}
  %0 = avila.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @f(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) {
  // expected-error @+1 {{contraction dimension (lhs K and rhs K) must match (4 vs 5)}}
  %0 = avila.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return
}

// -----

func.func @f(%a: tensor<3x4xf32>, %b: tensor<4x6xf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'f16')}}
  %0 = avila.matmul %a, %b : (tensor<3x4xf32>, tensor<4x6xf16>) -> tensor<3x6xf32>
  return
}

// -----

func.func @f(%q: tensor<10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>) {
  // expected-error @+1 {{query ([B, Lq, E]) must have rank 3}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) -> tensor<10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<7x16xf32>, %v: tensor<2x7x16xf32>) {
  // expected-error @+1 {{key ([B, Lk, E]) must have rank 3}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<7x16xf32>, tensor<2x7x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<7x16xf32>) {
  // expected-error @+1 {{value ([B, Lk, Ev]) must have rank 3}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<7x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'f16')}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf16>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>) {
  // expected-error @+1 {{num_heads must be positive, got 0}}
  %0 = avila.attention %q, %k, %v heads 0 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<3x7x16xf32>, %v: tensor<2x7x16xf32>) {
  // expected-error @+1 {{query and key batch must match (2 vs 3)}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<3x7x16xf32>, tensor<2x7x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<3x7x16xf32>) {
  // expected-error @+1 {{query and value batch must match (2 vs 3)}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<3x7x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x8x16xf32>) {
  // expected-error @+1 {{key and value lengths must match (7 vs 8)}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x8x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x8xf32>, %v: tensor<2x7x16xf32>) {
  // expected-error @+1 {{query and key embedding sizes must match (16 vs 8)}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<2x7x8xf32>, tensor<2x7x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x18xf32>) {
  // expected-error @+1 {{query embedding size (16) must be divisible by num_heads (3)}}
  %0 = avila.attention %q, %k, %v heads 3 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x18xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x10xf32>) {
  // expected-error @+1 {{value embedding size (10) must be divisible by num_heads (4)}}
  %0 = avila.attention %q, %k, %v heads 4 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x10xf32>) -> tensor<2x10x10xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>, %m: tensor<7xf32>) {
  // expected-error @+1 {{mask must be [Lq, Lk] or [B, Lq, Lk]}}
  %0 = avila.attention %q, %k, %v mask %m heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>, tensor<7xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>, %m: tensor<3x10x7xf32>) {
  // expected-error @+1 {{mask batch and query batch must match (3 vs 2)}}
  %0 = avila.attention %q, %k, %v mask %m heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>, tensor<3x10x7xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>, %m: tensor<9x7xf32>) {
  // expected-error @+1 {{mask rows and query length must match (9 vs 10)}}
  %0 = avila.attention %q, %k, %v mask %m heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>, tensor<9x7xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>, %m: tensor<10x8xf32>) {
  // expected-error @+1 {{mask columns and key length must match (8 vs 7)}}
  %0 = avila.attention %q, %k, %v mask %m heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>, tensor<10x8xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>) {
  // expected-error @+1 {{scale must be positive}}
  %0 = avila.attention %q, %k, %v heads 2 scale -1.0 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x16xf32>) {
  // expected-error @+1 {{result type 'tensor<2x7x16xf32>' does not match the inferred type 'tensor<2x10x16xf32>'}}
  %0 = avila.attention %q, %k, %v heads 2 : (tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) -> tensor<2x7x16xf32>
  return
}

// -----

func.func @f(%x: tensor<64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{input ([N, C, ...]) must have rank >= 2}}
  %0 = avila.group_norm %x, %g, %b groups 32 eps 1.0e-5 : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x64x4x4xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{num_groups must be positive, got 0}}
  %0 = avila.group_norm %x, %g, %b groups 0 eps 1.0e-5 : (tensor<2x64x4x4xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x64x4x4xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{channels (64) must be divisible by num_groups (24)}}
  %0 = avila.group_norm %x, %g, %b groups 24 eps 1.0e-5 : (tensor<2x64x4x4xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x64x4x4xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %0 = avila.group_norm %x, %g, %b groups 32 eps 0.0 : (tensor<2x64x4x4xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x64x4x4xf32>, %g: tensor<32xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{gamma size must match (32 vs 64)}}
  %0 = avila.group_norm %x, %g, %b groups 32 eps 1.0e-5 : (tensor<2x64x4x4xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<2x64x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x64x4x4xf32>, %g: tensor<64xf32>, %b: tensor<32xf32>) {
  // expected-error @+1 {{beta size must match (32 vs 64)}}
  %0 = avila.group_norm %x, %g, %b groups 32 eps 1.0e-5 : (tensor<2x64x4x4xf32>, tensor<64xf32>, tensor<32xf32>) -> tensor<2x64x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x64x4x4xf32>, %g: tensor<64x1xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{gamma must have rank 1}}
  %0 = avila.group_norm %x, %g, %b groups 32 eps 1.0e-5 : (tensor<2x64x4x4xf32>, tensor<64x1xf32>, tensor<64xf32>) -> tensor<2x64x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x64x4x4xf32>, %g: tensor<64xf32>, %b: tensor<64xf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'f16')}}
  %0 = avila.group_norm %x, %g, %b groups 32 eps 1.0e-5 : (tensor<2x64x4x4xf32>, tensor<64xf32>, tensor<64xf16>) -> tensor<2x64x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %g: tensor<64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (tensor<f32>, tensor<64xf32>, tensor<64xf32>) -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<2x7x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %0 = avila.layer_norm %x, %g, %b eps -1.0 : (tensor<2x7x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x7x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x7x64xf32>, %g: tensor<32xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{gamma size must match (32 vs 64)}}
  %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (tensor<2x7x64xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<2x7x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x7x64xf32>, %g: tensor<64xf32>, %b: tensor<32xf32>) {
  // expected-error @+1 {{beta size must match (32 vs 64)}}
  %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (tensor<2x7x64xf32>, tensor<64xf32>, tensor<32xf32>) -> tensor<2x7x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x7x64xf32>, %g: tensor<64xbf16>, %b: tensor<64xf32>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'bf16')}}
  %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (tensor<2x7x64xf32>, tensor<64xbf16>, tensor<64xf32>) -> tensor<2x7x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis 3 is out of range [0, 3)}}
  %0 = avila.softmax %x axis 3 : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x7xf32>) {
  // expected-error @+1 {{last dimension (7) must be even}}
  %0 = avila.geglu %x : (tensor<2x7xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = avila.geglu %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "avila.silu"(%x) : (tensor<2x4xf32>) -> tensor<2x4xf16>
  return
}

// -----

func.func @f(%x: tensor<2x4xi32>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = avila.gelu %x : tensor<2x4xi32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operands are not broadcastable: 'tensor<2x3xf32>' and 'tensor<4xf32>' differ in dimension 1 of the result}}
  %0 = avila.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'f16')}}
  %0 = avila.mul %a, %b : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result type 'tensor<3xf32>' does not match the inferred type 'tensor<2x3xf32>'}}
  %0 = avila.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x?xf32>, %b: tensor<3x1xf32>) {
  // expected-error @+1 {{operands are not broadcastable}}
  %0 = avila.div %a, %b : (tensor<2x?xf32>, tensor<3x1xf32>) -> tensor<2x?xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "avila.mul_scalar"(%x) <{scalar = 2.0 : f64}> : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{min (2.000000e+00) must not exceed max (1.000000e+00)}}
  %0 = avila.clamp %x min 2.0 max 1.0 : tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = avila.cast %x : tensor<4xf32> -> tensor<5xf16>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{needs at least one input}}
  %0 = "avila.concat"() <{axis = 0 : i64}> : () -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{inputs must have the same rank ('tensor<2x3xf32>' vs 'tensor<3xf32>')}}
  %0 = avila.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{dimension 1 of input 1 must match (3 vs 4)}}
  %0 = avila.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = avila.concat %a, %a axis 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) {
  // expected-error @+1 {{operand element types must match ('f32' vs 'f16')}}
  %0 = avila.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<4x3xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range [0, 1)}}
  %0 = avila.slice %x axis 1 start 0 end 1 : (tensor<4xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{slice [2:2] must satisfy 0 <= start < end}}
  %0 = avila.slice %x axis 0 start 2 end 2 : (tensor<4xf32>) -> tensor<0xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{slice end (5) exceeds dimension size (4)}}
  %0 = avila.slice %x axis 0 start 2 end 5 : (tensor<4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range [0, 1)}}
  %0:2 = avila.split %x axis 1 : tensor<4xf32> -> tensor<2xf32>, tensor<2xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{must have at least one result}}
  "avila.split"(%x) <{axis = 0 : i64}> : (tensor<4xf32>) -> ()
  return
}

// -----

func.func @f(%x: tensor<5xf32>) {
  // expected-error @+1 {{dimension 0 (5) is not divisible into 2 equal parts}}
  %0:2 = avila.split %x axis 0 : tensor<5xf32> -> tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{result type 'tensor<3xf32>' does not match the part shape 'tensor<2xf32>'}}
  %0:2 = avila.split %x axis 0 : tensor<4xf32> -> tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{element types must match ('f32' vs 'f16')}}
  %0 = avila.reshape %x : tensor<4xf32> -> tensor<2x2xf16>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{result type 'tensor<?x2xf32>' has 1 dynamic dimensions but 0 dims operands were given}}
  %0 = avila.reshape %x : tensor<4xf32> -> tensor<?x2xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{element count changes from 4 to 6}}
  %0 = avila.reshape %x : tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{perm must be a permutation of [0, 3)}}
  %0 = avila.transpose %x perm [0, 1, 1] : (tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{perm must be a permutation of [0, 3)}}
  %0 = avila.transpose %x perm [0, 1] : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{perm must be a permutation of [0, 3)}}
  %0 = avila.transpose %x perm [0, 1, 3] : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{input and result must be NCHW (rank 4)}}
  %0 = avila.upsample_nearest %x : tensor<2x3x4xf32> -> tensor<2x6x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x2x3x4xf32>) {
  // expected-error @+1 {{element types must match}}
  %0 = avila.upsample_nearest %x : tensor<1x2x3x4xf32> -> tensor<1x2x6x8xf16>
  return
}

// -----

func.func @f(%x: tensor<1x2x3x4xf32>) {
  // expected-error @+1 {{result dimension 1 (3) must equal the input's (2)}}
  %0 = avila.upsample_nearest %x : tensor<1x2x3x4xf32> -> tensor<1x3x6x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x2x3x4xf32>) {
  // expected-error @+1 {{without a size the result dimension 2 must be twice the input's (6), got 7}}
  %0 = avila.upsample_nearest %x : tensor<1x2x3x4xf32> -> tensor<1x2x7x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x2x3x4xf32>, %h: index) {
  // expected-error @+1 {{size must give [height, width], got 1 values}}
  %0 = avila.upsample_nearest %x size(%h) : tensor<1x2x3x4xf32> -> tensor<1x2x?x?xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x4xf32>) {
  // expected-error @+1 {{input (NCHW) must have rank 4}}
  %0 = avila.avg_pool2d %x kernel [2, 2] stride [2, 2] : (tensor<2x4x4xf32>) -> tensor<2x2x2xf32>
  return
}

// -----

func.func @f(%x: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{kernel must have 2 positive entries}}
  %0 = avila.avg_pool2d %x kernel [0, 2] stride [2, 2] : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return
}

// -----

func.func @f(%x: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{stride must have 2 positive entries}}
  %0 = avila.avg_pool2d %x kernel [2, 2] stride [2] : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return
}

// -----

func.func @f(%x: tensor<1x2x1x4xf32>) {
  // expected-error @+1 {{input height (1) is smaller than the kernel (2)}}
  %0 = avila.avg_pool2d %x kernel [2, 2] stride [2, 2] : (tensor<1x2x1x4xf32>) -> tensor<1x2x1x2xf32>
  return
}

// -----

func.func @f(%t: tensor<f32>, %i: tensor<3xi32>) {
  // expected-error @+1 {{table must have rank >= 1}}
  %0 = avila.gather %t, %i : (tensor<f32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%t: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = avila.gather %t, %i : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @f(%t: tensor<2x1xf32>) {
  // expected-error @+1 {{input ([N] timesteps) must have rank 1}}
  %0 = avila.timestep_embedding %t dim 8 : (tensor<2x1xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%t: tensor<2xf32>) {
  // expected-error @+1 {{dim must be at least 2, got 1}}
  %0 = avila.timestep_embedding %t dim 1 : (tensor<2xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @f(%t: tensor<2xf32>) {
  // expected-error @+1 {{shift must differ from dim / 2}}
  %0 = avila.timestep_embedding %t dim 8 shift 4.0 : (tensor<2xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%t: tensor<2xf32>) {
  // expected-error @+1 {{max_period must be positive}}
  %0 = avila.timestep_embedding %t dim 8 max_period 0.0 : (tensor<2xf32>) -> tensor<2x8xf32>
  return
}

// -----

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>
func.func @f(%x: tensor<2x3x8xf32>, %w: tensor<5x8xf32>, %y: tensor<2x3x5xf32>) {
  // expected-error @+1 {{k_dim 2 must be a loop below 4 that lhs and rhs index and init does not}}
  %0 = avila.contraction "matmul" ins(%x, %w : tensor<2x3x8xf32>, tensor<5x8xf32>) outs(%y : tensor<2x3x5xf32>) {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>, m_dim = 1, n_dim = 3, k_dim = 2} -> tensor<2x3x5xf32>
  return
}

// -----

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>
func.func @f(%x: tensor<2x3x8xf32>, %w: tensor<5x8xf32>, %y: tensor<2x3x5xf32>) {
  // expected-error @+1 {{batch_dims, m_dim, n_dim and k_dim must name each of the 4 loops once}}
  %0 = avila.contraction "matmul" ins(%x, %w : tensor<2x3x8xf32>, tensor<5x8xf32>) outs(%y : tensor<2x3x5xf32>) {indexing_maps = [#x, #w, #y], m_dim = 1, n_dim = 2, k_dim = 3} -> tensor<2x3x5xf32>
  return
}

// -----

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>
func.func @f(%x: tensor<2x3x8xf32>, %w: tensor<5x8xf32>, %y: tensor<2x3x5xf32>) {
  // expected-error @+1 {{m_dim 2 must index lhs only}}
  %0 = avila.contraction "matmul" ins(%x, %w : tensor<2x3x8xf32>, tensor<5x8xf32>) outs(%y : tensor<2x3x5xf32>) {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>, m_dim = 2, n_dim = 1, k_dim = 3} -> tensor<2x3x5xf32>
  return
}

// -----

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>
func.func @f(%x: tensor<2x3x8xf32>, %w: tensor<5x8x1xf32>, %y: tensor<2x3x5xf32>) {
  // expected-error @+1 {{indexing map affine_map<(d0, d1, d2, d3) -> (d2, d3)> does not fit 'tensor<5x8x1xf32>'}}
  %0 = avila.contraction "matmul" ins(%x, %w : tensor<2x3x8xf32>, tensor<5x8x1xf32>) outs(%y : tensor<2x3x5xf32>) {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>, m_dim = 1, n_dim = 2, k_dim = 3} -> tensor<2x3x5xf32>
  return
}

// -----

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>
func.func @f(%x: memref<2x3x8xf32>, %w: memref<5x8xf32>, %y: tensor<2x3x5xf32>) {
  // expected-error @+1 {{operands must be all ranked tensors or all memrefs}}
  %0 = avila.contraction "matmul" ins(%x, %w : memref<2x3x8xf32>, memref<5x8xf32>) outs(%y : tensor<2x3x5xf32>) {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>, m_dim = 1, n_dim = 2, k_dim = 3} -> tensor<2x3x5xf32>
  return
}

// -----

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>
func.func @f(%x: tensor<2x3x8xf32>, %w: tensor<5x8xf32>, %y: tensor<2x3x5xf32>) {
  // expected-error @+1 {{kind must be matmul or conv2d, not 'outer'}}
  %0 = avila.contraction "outer" ins(%x, %w : tensor<2x3x8xf32>, tensor<5x8xf32>) outs(%y : tensor<2x3x5xf32>) {indexing_maps = [#x, #w, #y]} -> tensor<2x3x5xf32>
  return
}

// -----

#in = affine_map<(n, o, y, x, c, ky, kx) -> (n, c, y + ky, x + kx)>
#k = affine_map<(n, o, y, x, c, ky, kx) -> (o, c, ky, kx)>
#out = affine_map<(n, o, y, x, c, ky, kx) -> (n, o, y, x)>
func.func @f(%i: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %o: memref<1x4x6x6xf32>) {
  // expected-error @+1 {{conv2d needs window_strides [sh, sw], each at least 1}}
  avila.contraction "conv2d" ins(%i, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%o : memref<1x4x6x6xf32>) {indexing_maps = [#in, #k, #out], window_strides = array<i64: 1, 0>}
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %kv: tensor<2x7x16xf32>, %o: memref<2x10x16xf32>) {
  // expected-error @+1 {{operands must be all ranked tensors or all memrefs}}
  avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) outs(%o : memref<2x10x16xf32>)
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %kv: tensor<2x7x16xf32>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{on tensors returns the init's type}}
  avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) outs(%o : tensor<2x10x16xf32>)
  return
}

// -----

func.func @f(%q: tensor<10x16xf32>, %kv: tensor<2x7x16xf32>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{query must be [B, L, E], not 'tensor<10x16xf32>'}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) outs(%o : tensor<2x10x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %kv: tensor<2x7x16xf16>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{key must have the query's element type, not 'tensor<2x7x16xf16>'}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<2x10x16xf32>, tensor<2x7x16xf16>, tensor<2x7x16xf16>) outs(%o : tensor<2x10x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %kv: tensor<2x7x16xf32>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{num_heads must be at least 1, not 0}}
  %0 = avila.fused_attention heads 0 scale 0.25 ins(%q, %kv, %kv : tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) outs(%o : tensor<2x10x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x?xf32>, %kv: tensor<2x7x16xf32>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{embedding size of 'tensor<2x10x?xf32>' must be static and divisible by 2 heads}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<2x10x?xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) outs(%o : tensor<2x10x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x7x18xf32>, %o: tensor<2x10x18xf32>) {
  // expected-error @+1 {{embedding size of 'tensor<2x7x18xf32>' must be static and divisible by 4 heads}}
  %0 = avila.fused_attention heads 4 scale 0.25 ins(%q, %k, %v : tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x18xf32>) outs(%o : tensor<2x10x18xf32>) -> tensor<2x10x18xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x8xf32>, %v: tensor<2x7x16xf32>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{key must have the query's embedding size and init the value's}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %k, %v : tensor<2x10x16xf32>, tensor<2x7x8xf32>, tensor<2x7x16xf32>) outs(%o : tensor<2x10x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %kv: tensor<2x7x16xf32>, %o: tensor<2x10x8xf32>) {
  // expected-error @+1 {{key must have the query's embedding size and init the value's}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) outs(%o : tensor<2x10x8xf32>) -> tensor<2x10x8xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<3x7x16xf32>, %v: tensor<?x7x16xf32>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{batch sizes must match, value must have the key's length and init the query's}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %k, %v : tensor<2x10x16xf32>, tensor<3x7x16xf32>, tensor<?x7x16xf32>) outs(%o : tensor<2x10x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %k: tensor<2x7x16xf32>, %v: tensor<2x8x16xf32>, %o: tensor<2x10x16xf32>) {
  // expected-error @+1 {{batch sizes must match, value must have the key's length and init the query's}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %k, %v : tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x8x16xf32>) outs(%o : tensor<2x10x16xf32>) -> tensor<2x10x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x10x16xf32>, %kv: tensor<2x7x16xf32>, %o: tensor<2x9x16xf32>) {
  // expected-error @+1 {{batch sizes must match, value must have the key's length and init the query's}}
  %0 = avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<2x10x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>) outs(%o : tensor<2x9x16xf32>) -> tensor<2x9x16xf32>
  return
}

// -----

func.func @f(%q: memref<2x10x16xf32>, %kv: memref<2x7x16xf32>, %o: memref<2x10x16xf32>) {
  // expected-error @+1 {{scale must be positive, not -2.5}}
  avila.fused_attention heads 2 scale -2.5 ins(%q, %kv, %kv : memref<2x10x16xf32>, memref<2x7x16xf32>, memref<2x7x16xf32>) outs(%o : memref<2x10x16xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %o: memref<2x8x5xf32>) {
  // expected-error @+1 {{operands must be all ranked tensors or all memrefs}}
  avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %g, %g : tensor<2x8x5xf32>, tensor<8xf32>, tensor<8xf32>) outs(%o : memref<2x8x5xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %h: tensor<8xf16>, %o: tensor<2x8x5xf32>) {
  // expected-error @+1 {{beta must have the input's element type, not 'tensor<8xf16>'}}
  %0 = avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %g, %h : tensor<2x8x5xf32>, tensor<8xf32>, tensor<8xf16>) outs(%o : tensor<2x8x5xf32>) -> tensor<2x8x5xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %o: tensor<2x8x5xf32>) {
  // expected-error @+1 {{axis 3 is not a dimension of 'tensor<2x8x5xf32>'}}
  %0 = avila.fused_group_norm axis 3 groups 4 eps 1.0e-5 ins(%x, %g, %g : tensor<2x8x5xf32>, tensor<8xf32>, tensor<8xf32>) outs(%o : tensor<2x8x5xf32>) -> tensor<2x8x5xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %o: tensor<2x8x6xf32>) {
  // expected-error @+1 {{init must have the input's shape, not 'tensor<2x8x6xf32>'}}
  %0 = avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %g, %g : tensor<2x8x5xf32>, tensor<8xf32>, tensor<8xf32>) outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %o: tensor<2x8x5xf32>) {
  // expected-error @+1 {{channels of 'tensor<2x8x5xf32>' must be static and divisible by 3 groups}}
  %0 = avila.fused_group_norm axis 1 groups 3 eps 1.0e-5 ins(%x, %g, %g : tensor<2x8x5xf32>, tensor<8xf32>, tensor<8xf32>) outs(%o : tensor<2x8x5xf32>) -> tensor<2x8x5xf32>
  return
}

// -----

func.func @f(%x: tensor<2x?x5xf32>, %g: tensor<?xf32>, %o: tensor<2x?x5xf32>) {
  // expected-error @+1 {{channels of 'tensor<2x?x5xf32>' must be static and divisible by 1 groups}}
  %0 = avila.fused_group_norm axis 1 groups 1 eps 1.0e-5 ins(%x, %g, %g : tensor<2x?x5xf32>, tensor<?xf32>, tensor<?xf32>) outs(%o : tensor<2x?x5xf32>) -> tensor<2x?x5xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %h: tensor<5xf32>, %o: tensor<2x8x5xf32>) {
  // expected-error @+1 {{gamma and beta must hold one value per channel, not 'tensor<5xf32>'}}
  %0 = avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %h, %g : tensor<2x8x5xf32>, tensor<5xf32>, tensor<8xf32>) outs(%o : tensor<2x8x5xf32>) -> tensor<2x8x5xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %o: tensor<2x8x5xf32>) {
  // expected-error @+1 {{epsilon must be finite and non-negative, not -1.000000e+00}}
  %0 = avila.fused_group_norm axis 1 groups 4 eps -1.0 ins(%x, %g, %g : tensor<2x8x5xf32>, tensor<8xf32>, tensor<8xf32>) outs(%o : tensor<2x8x5xf32>) -> tensor<2x8x5xf32>
  return
}
