//===- SpirvPasses.td - Passes of the SPIR-V target backend -*- tablegen -*-===//

#ifndef AVILA_TARGETS_SPIRV_PASSES_TD
#define AVILA_TARGETS_SPIRV_PASSES_TD

include "mlir/Pass/PassBase.td"

def ContractionsToLinalg
    : Pass<"avila-contractions-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Rewrite avila.contraction on buffers as a linalg.generic "
                "multiply-accumulate";
  let description = [{
    The portable path for devices without a tiled contraction kernel: each
    `avila.contraction` becomes a `linalg.generic` over its own indexing
    maps, reduction loops being those the init does not index, whose body
    accumulates `lhs · rhs` into the init it updates in place.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def TileContractions : Pass<"avila-tile-contractions", "::mlir::ModuleOp"> {
  let summary = "Run each f32 avila.contraction on buffers as a gpu.launch of "
                "workgroup tiles staged in workgroup memory";
  let description = [{
    Each `avila.contraction` of a kernel's host side (function marked
    `avila.dispatch`) whose operands are f32 buffers becomes a `gpu.launch`
    seen as a GEMM: `matmul` rows are the m loop, columns the n loop, depth
    the k loop, one product per batch; `conv2d` is an implicit GEMM whose
    rows are the output pixels (n, y, x), columns the output channels and
    depth the window (c, ky, kx), the input read at
    (n, c, y·sh + ky, x·sw + kx) (the bufferized input is already padded),
    so im2col is never materialized. A workgroup of
    (tile-rows / thread-rows) · (tile-cols / thread-cols) invocations owns a
    tile-rows × tile-cols tile of outputs: per tile-depth slab, its
    invocations copy both operands' slabs into workgroup memory
    (`memref.alloc` in `#spirv.storage_class<Workgroup>`), zeros where a
    row, column or depth is out of range; after a `gpu.barrier` each
    accumulates a thread-rows × thread-cols register tile in f32 by
    `math.fma` from workgroup memory, and a second barrier guards the slabs
    until all have read them. Finally each writes init + accumulator to the
    outputs in range (the init holds zeros or the residual).
    With `cooperative-matrix` (devices with `VK_KHR_cooperative_matrix`;
    the operands must be f16 in memory, as precision fp16 leaves them), the
    slabs are staged as f16 — the lhs rows × depth, the rhs depth × columns,
    rows padded by 8 elements — and each subgroup (invocation index over
    `subgroup-size`) owns a square of F × F fragments of 16×16 (F =
    `subgroup-fragments`): per 16-deep step it loads F + F fragments
    (`gpu.subgroup_mma_load_matrix`) and accumulates F × F f32 fragments
    (`gpu.subgroup_mma_compute`). At the end each subgroup passes its
    fragments, one row of F at a time, through its own f32 buffer in
    workgroup memory, from which its invocations add them to the init in the
    output's memory order. An operand whose depth loops index its last
    axes (after them only axes of size 1), whole 16-byte words long, whose
    buffer it starts (an argument or a scratch allocation, bound aligned)
    and which no other operand shares, is copied 8 depths at a time: a
    `vector.load` of 8 values rounded to f16 and bitcast to `vector<4xi32>`
    into a slab of words, for `avila-load-buffers-as-words` to bind. A
    convolution whose input channels are whole words is first copied
    channels last in f16 (input NHWC, weights OHWI, by `scf.parallel`
    loops into scratch buffers), so that both its slabs are. With
    `depth-split`, a contraction of a longer (static) depth is cut into
    parts along its channel depth, each part the grid's z-most factor:
    each workgroup writes its f32 sums into a scratch buffer
    [parts, batches, rows, columns], and a parallel loop after the launch
    adds the parts to the init. Where the op's init is zero-filled by a
    `linalg.fill` just before it, the stores write the products instead of
    adding them to the init; and where an all-parallel `linalg.generic`
    just after reads the products (identity-indexed) with other operands
    (a bias, a residual) through an elementwise body, the stores run that
    body on the products and write its output, which may be another buffer
    where the init is scratch nothing else uses (then erased with its
    fill). The fill and the generic are erased.
    The grid is column tiles × (row tiles · batches), the latter split over
    y · z so that each axis stays within Vulkan's 65535; a contraction whose
    column tiles could exceed that (dynamic columns), or whose operands are
    not f32, is left for `avila-contractions-to-linalg`. The loads and
    stores address the op's own operands, for `avila-linearize-buffers` to
    flatten.
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"64",
           "Output rows per workgroup">,
    Option<"tileCols", "tile-cols", "int64_t", /*default=*/"64",
           "Output columns per workgroup">,
    Option<"tileDepth", "tile-depth", "int64_t", /*default=*/"16",
           "Depth of the slabs staged in workgroup memory">,
    Option<"threadRows", "thread-rows", "int64_t", /*default=*/"4",
           "Output rows per invocation">,
    Option<"threadCols", "thread-cols", "int64_t", /*default=*/"4",
           "Output columns per invocation">,
    Option<"cooperativeMatrix", "cooperative-matrix", "bool",
           /*default=*/"false",
           "Multiply 16x16 f16 fragments per subgroup (KHR cooperative "
           "matrices) instead of FMA register tiles">,
    Option<"subgroupSize", "subgroup-size", "int64_t", /*default=*/"32",
           "Invocations per subgroup (cooperative matrices)">,
    Option<"subgroupFragments", "subgroup-fragments", "int64_t",
           /*default=*/"2",
           "Fragments of 16x16 along each side of the square a subgroup "
           "owns (cooperative matrices)">,
    Option<"depthSplit", "depth-split", "int64_t", /*default=*/"0",
           "The most depth (window times channels) one workgroup reduces; "
           "longer contractions are split into parts that a second launch "
           "sums (0: never)">,
    Option<"maxWorkgroupMemory", "max-workgroup-memory", "int64_t",
           /*default=*/"32768",
           "Bytes of workgroup memory a workgroup may use">,
    Option<"maxInvocations", "max-invocations", "int64_t",
           /*default=*/"1024",
           "Invocations a workgroup may have">];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::spirv::SPIRVDialect",
                           "::mlir::vector::VectorDialect"];
}

def LinearizeBuffers : Pass<"avila-linearize-buffers", "::mlir::ModuleOp"> {
  let summary = "Address every buffer a kernel's loops load or store as a "
                "one-dimensional root buffer";
  let description = [{
    In each kernel (function marked `avila.dispatch`) whose linalg ops are
    loops: every `memref.load`/`memref.store` inside a loop through a view
    (`subview`, `expand_shape`, `collapse_shape`, `reshape`, `cast`) of a
    root buffer (an argument or a `memref.alloc`) becomes an access of the
    root's one-dimensional `memref.reinterpret_cast` at the linear index
    offset + Σ index·stride, offsets and strides computed once on the host
    side from the sizes. A `memref.dim` of a view becomes the size the view
    was made with (a reshape's: the value stored into its shape buffer,
    which is erased with the reshape), so that sizes are only ever asked of
    root buffers;
    deallocations are dropped (the runtime owns scratch memory). Private
    `memref.alloca` arrays, a launch's workgroup-memory allocations (storage
    class `Workgroup`) and constant tables (`memref.get_global`) are left
    alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def StoreF16 : Pass<"avila-store-f16", "::mlir::ModuleOp"> {
  let summary = "Keep every f32 buffer a kernel takes as f16 in memory, "
                "computing in f32";
  let description = [{
    Precision fp16, after `avila-linearize-buffers` and CSE (which make
    the load and the store of one element use one address value). In each
    kernel
    (function marked `avila.dispatch`), every `memref<...xf32>` argument
    (inputs, outputs, weights) and every view of it becomes f16; each load
    from it becomes an f16 load and `arith.extf`, each store `arith.truncf`
    and an f16 store. Arithmetic stays f32, and so do scratch allocations
    and constant tables: a value is rounded to f16 only when a kernel
    stores it where another dispatch reads it. A value a loop accumulates
    into an argument (a contraction updating its init in place) stays in
    f32 through the loop: a load and a store of the same element in a
    `scf.for`, at an address the loop does not change, become one load
    before the loop, a loop-carried f32 value, and one store after it.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def MapLoopsToWorkgroups
    : Pass<"avila-map-loops-to-workgroups", "::mlir::ModuleOp"> {
  let summary = "Run each top-level scf.parallel of a kernel as a gpu.launch, "
                "one invocation per iteration";
  let description = [{
    In each kernel (function marked `avila.dispatch`), a top-level
    `scf.parallel` (lower bounds 0, steps 1, no reduction) of N iterations
    becomes a
    `gpu.launch` of `workgroup-size` invocations per workgroup and
    (N + workgroup-size) / workgroup-size workgroups (at least one, as a
    dispatch needs), laid out as x · y with x at most
    65535 (Vulkan's guaranteed limit per axis): invocation
    (y · x_count + x) · size + thread runs the iteration of that linear
    index, if it is below N, its loop indices recovered row-major. Floats
    the host side computes and constant tables it reads are moved into the
    launch (kernel arguments are buffers and sizes). Any other
    top-level op with effects on memory than allocations is refused.
  }];
  let options = [Option<"workgroupSize", "workgroup-size", "int64_t",
                        /*default=*/"64", "Invocations per workgroup">];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect"];
}

def DescribeLaunches : Pass<"avila-describe-launches", "::mlir::ModuleOp"> {
  let summary = "Replace each kernel's host side with its launch plan and "
                "give its GPU functions the Vulkan interface";
  let description = [{
    Runs after `gpu-kernel-outlining`. For each kernel function (marked
    `avila.dispatch`), its `gpu.launch_func` ops, scratch allocations and
    size computations become the attribute `avila.launch_plan`
    (compiler/targets/spirv/LaunchPlan.h): every size an affine map over
    the kernel's argument sizes, every launch buffer an argument or a
    scratch buffer, read-only buffers first. The host body is emptied. Each
    launched `gpu.func` gets `spirv.entry_point_abi` with its workgroup size,
    its buffers `spirv.interface_var_abi` at set 0 in binding order, and its
    scalar arguments replaced by 32-bit loads from one push-constant
    `memref<N x i32>` argument; a constant table it reads
    (`memref.get_global`, 1-D, at most 4096 floats) becomes a private array
    it fills; its private `memref.alloca` arrays the `Function` storage
    class.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::spirv::SPIRVDialect"];
}

def LoadBuffersAsWords
    : Pass<"avila-load-buffers-as-words", "::mlir::ModuleOp"> {
  let summary = "Bind each f16 kernel buffer read only 8 halves at a time as "
                "an array of 16-byte words";
  let description = [{
    SPIR-V has no vector of 8 halves, so an f16 storage buffer is read two
    bytes per load. A `gpu.func` argument of f16 whose every use is a
    `vector.load` of `vector<8xf16>` that is only bitcast to `vector<4xi32>`
    (the contraction tiles copy their slabs so, at indices that are
    multiples of 8, from buffers bound 16-byte aligned) becomes a
    `memref<?xvector<4xi32>>`, and each such load a `memref.load` of the
    word at index / 8. A buffer read both as words and otherwise is an
    error: no SPIR-V type can read it.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def SetTargetEnvironment
    : Pass<"avila-set-target-environment", "::mlir::ModuleOp"> {
  let summary = "Give the kernels the SPIR-V version, capabilities and "
                "extensions of a device profile";
  let description = [{
    Sets `spirv.target_env` on each `gpu.module`, which
    `convert-gpu-to-spirv` and `spirv-update-vce` read; `profile` names the
    device profile (`DeviceProfile.h`). Every kernel: SPIR-V 1.3, `Shader`,
    storage buffers through `SPV_KHR_storage_buffer_storage_class`: what
    every Vulkan 1.3 device runs, lavapipe included; and `Int64`
    (`shaderInt64`), since sizes turned into floats pass through i64.
    With `storage-f16` (precision fp16, the buffers f16 as
    `avila-store-f16` leaves them): also `Float16` (`shaderFloat16`) and
    `StorageBuffer16BitAccess` through `SPV_KHR_16bit_storage`
    (`storageBuffer16BitAccess`). A module that multiplies cooperative
    matrices (`gpu.subgroup_mma_compute`; the profile must have them and the
    storage be f16) gets SPIR-V 1.6, `CooperativeMatrixKHR` and
    `VulkanMemoryModel` with their extensions, the profile's subgroup size
    and the 16×16×16 f16·f16 + f32 shape in its resource limits.
  }];
  let options = [Option<"profile", "profile", "std::string",
                        /*default=*/"\"generic\"", "The device profile">,
                 Option<"storageF16", "storage-f16", "bool",
                        /*default=*/"false",
                        "Kernel buffers hold f16 values">];
  let dependentDialects = ["::mlir::spirv::SPIRVDialect"];
}

def UseVulkanMemoryModel
    : Pass<"avila-use-vulkan-memory-model", "::mlir::spirv::ModuleOp"> {
  let summary = "Put a SPIR-V module with cooperative matrices on the Vulkan "
                "memory model";
  let description = [{
    Shader modules with `CooperativeMatrixKHR` must use the Vulkan memory
    model. In a module that multiplies cooperative matrices, sets the memory
    model to `Vulkan` (before `spirv-update-vce`, which then requires the
    `VulkanMemoryModel` capability), marks every load and store of
    workgroup memory — scalar and cooperative-matrix — `NonPrivatePointer`,
    and adds `MakeAvailable | MakeVisible` to every control barrier's
    semantics, so that barriers still order the workgroup's accesses to
    shared memory. Other modules are left alone.
  }];
}

def ApproximateErf : Pass<"avila-approximate-erf", "::mlir::ModuleOp"> {
  let summary = "Replace math.erf with MLIR's polynomial approximation";
  let description = [{
    SPIR-V's GLSL instructions have no erf (GELU needs it); the rational
    approximation of `math.erf` in MLIR's math transforms is accurate to a
    few f32 ulps over the whole line, well within the networks' tolerance.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def ReduceAngles : Pass<"avila-reduce-angles", "::mlir::ModuleOp"> {
  let summary = "Bring the f32 argument of every math.sin and math.cos into "
                "[-π, π] exactly";
  let description = [{
    The timestep embedding takes sin and cos of angles up to ~1000; some
    drivers' sin and cos (NVIDIA's) reduce such angles with a short 2π and
    are ~1e-4 off there. Each f32 angle x becomes x − k·2π with k the
    nearest whole number of turns and 2π in three parts (Cody–Waite), so
    that the reduction is exact in f32 for angles up to ~25 000 and the
    driver only ever sees angles in [-π, π], where its sin and cos are
    accurate.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def UnbindPushConstants
    : Pass<"avila-unbind-push-constants", "::mlir::spirv::ModuleOp"> {
  let summary = "Drop the descriptor set and binding of push-constant "
                "variables";
  let description = [{
    `spirv-lower-abi-attrs` decorates every interface variable with the
    descriptor set and binding its ABI attribute names; Vulkan forbids both
    on a `PushConstant` variable, whose block the pipeline layout's push
    constant range describes instead.
  }];
}

def TileAttention : Pass<"avila-tile-attention", "::mlir::ModuleOp"> {
  let summary = "Run each f32 avila.fused_attention on buffers as a "
                "gpu.launch whose workgroups stage key blocks in workgroup "
                "memory";
  let description = [{
    Each `avila.fused_attention` of a kernel's host side (function marked
    `avila.dispatch`) whose operands are f32 buffers with static channels,
    at most 512 per head, becomes a `gpu.launch`: a workgroup of 64
    invocations owns 64 query rows of one (batch, head), one invocation per
    row, which loads its query row once into a private array. Per
    block of keys, the invocations copy the block's key and value rows of
    the head into workgroup memory (`memref.alloc` in
    `#spirv.storage_class<Workgroup>`, zeros past the last key), and after a
    `gpu.barrier` each runs the online softmax of
    `avila-fused-attention-to-loops` over the staged keys (running maximum
    and sum carried by the loops, the partial output in a private
    `memref.alloca`); a second barrier guards the blocks until all have
    read them. Rows past the last query compute but do not store, so that
    barriers stay uniform. The key block is the largest power of two up to
    64 whose key and value rows fit in 16 KiB (half of lavapipe's workgroup
    memory): 32 keys at head dim 40, 16 at 80, 8 at 160, 4 at 512. The grid is
    query blocks · batches · heads split over y · z within Vulkan's 65535
    per axis. Other attention is left for `avila-fused-attention-to-loops`.
    With `cooperative-matrix` (the operands f16 in memory) both products
    run on 16×16 fragments instead (`CooperativeAttention.h`): a workgroup
    of 1, 2 or 4 subgroups owns 16 query rows per subgroup, staged once as
    f16 and held as fragments; per block of 32 (or 16) keys, staged as f16
    (8 halves per load and store where the heads and rows are whole 16-byte
    words and the buffers only read, as `--avila-load-buffers-as-words`
    then binds them; the next block's rows are loaded into registers while
    the current block is multiplied), each subgroup multiplies the scores
    into f32 fragments, stored key-major, and two invocations per row (one
    per half of the subgroup, combined by `gpu.shuffle xor`) run the
    softmax over them in workgroup memory: f16 weights exp(score −
    reference), zero past the last key, and their running sum, where the
    reference is the row's maximum so far, moved only when a block exceeds
    it by more than 8. The weights times the value fragments add to output
    fragments kept in registers; when any row of the workgroup moved its
    reference (`gpu.subgroup_reduce maxui` of the subgroup's rows, one flag
    per subgroup in workgroup memory), the workgroup passes its output
    fragments through workgroup memory and multiplies each row by its
    factor. The rows are divided by their sums at the end. Heads are padded
    to whole fragments with zero channels. The largest workgroup whose
    blocks fit `max-workgroup-memory` is taken;
    where none fits, the FMA tiles.
  }];
  let options = [
    Option<"cooperativeMatrix", "cooperative-matrix", "bool",
           /*default=*/"false",
           "Multiply 16x16 f16 fragments per subgroup (KHR cooperative "
           "matrices) instead of one row per invocation">,
    Option<"subgroupSize", "subgroup-size", "int64_t", /*default=*/"32",
           "Invocations per subgroup (cooperative matrices)">,
    Option<"maxWorkgroupMemory", "max-workgroup-memory", "int64_t",
           /*default=*/"32768",
           "Bytes of workgroup memory a workgroup may use (cooperative "
           "matrices)">];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::spirv::SPIRVDialect",
                           "::mlir::vector::VectorDialect"];
}

def TileReductions : Pass<"avila-tile-reductions", "::mlir::ModuleOp"> {
  let summary = "Run each f32 sum along the innermost dimension of a "
                "kernel's linalg.generic as workgroups, one per sum";
  let description = [{
    Each `linalg.generic` on buffers of a kernel's host side (function
    marked `avila.dispatch`) whose one reduction is its innermost loop and
    whose body yields `out + term` into an f32 init indexed by the
    parallel loops (the normalizations' means and variances, and the block
    partials the linalg lowering sums long rows in) becomes a `gpu.launch`
    with a workgroup of 64 invocations per output element. Invocation i
    adds up the terms at elements i, i + 64, ... in f32 (so neighbouring
    invocations load neighbouring elements), `gpu.subgroup_reduce add`
    combines a subgroup's partials, each subgroup's first lane stores its
    total into workgroup memory (`memref.alloc` in
    `#spirv.storage_class<Workgroup>`, one slot per possible subgroup),
    after a `gpu.barrier` the invocations add up those totals, and
    invocation 0 adds the sum to the init. The
    grid is the number of sums split over y · z within Vulkan's 65535 per
    axis. Sums of a static length under 64 keep their loop: one invocation
    per row then has more parallelism to offer. The loads address the op's
    own operands through its indexing maps, for `avila-linearize-buffers`
    to flatten.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::spirv::SPIRVDialect"];
}

def GroupNormsToWorkgroups
    : Pass<"avila-group-norms-to-workgroups", "::mlir::ModuleOp"> {
  let summary = "Run each avila.fused_group_norm on buffers as one launch, "
                "a workgroup per group";
  let description = [{
    Each f32 `avila.fused_group_norm` on buffers of a kernel's host side
    (function marked `avila.dispatch`) becomes one `gpu.launch` with a
    workgroup per (n, group): 64 invocations for groups of a static length
    up to 4096 (layer norms' rows), 256 for the others. Invocation t walks
    the group's elements t, t + T, ... three times: summing them, summing
    their squared deviations from the mean (two passes, not E[x²] − E[x]²,
    which cancels), and writing the normalized, scaled and shifted value
    (through SiLU with `silu`). Each sum is accumulated in f32 in blocks of
    64 of an invocation's elements whose block sums are then added, so no
    running sum grows with the group (a VAE group norm at 1024² holds 2²²
    values), and combined across the workgroup with subgroup arithmetic
    and workgroup memory (as `avila-tile-reductions`). The statistics and
    the output are one dispatch instead of a dozen launches of sums and
    maps. The input and init are addressed through one-dimensional
    `memref.collapse_shape` views, for `avila-linearize-buffers` to
    flatten; buffers that cannot be collapsed are refused.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::spirv::SPIRVDialect"];
}

def FusedAttentionToLoops
    : Pass<"avila-fused-attention-to-loops", "::mlir::ModuleOp"> {
  let summary = "Rewrite avila.fused_attention on buffers as a parallel loop "
                "of online-softmax rows";
  let description = [{
    The portable path for devices without a flash-attention kernel: each
    f32 `avila.fused_attention` on buffers becomes one `scf.parallel` over
    (batch, head, query position), which the SIMT lowering maps one
    invocation per row. An invocation walks the keys once with the online
    softmax (running maximum and sum as loop-carried values, the head's
    partial output in a private `memref.alloca`) and writes that output
    divided by the sum, so the scores are never materialized. Only
    arith, math, scf and memref loads and stores of the op's own operands
    are emitted, so strided views stay for a later pass to linearize.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // AVILA_TARGETS_SPIRV_PASSES_TD
