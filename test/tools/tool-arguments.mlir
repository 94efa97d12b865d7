// Every tool names a stray argument or an unknown option.

// RUN: not avila-check --model a --cases b stray 2>&1 | FileCheck %s --check-prefix=CHECK-STRAY
// CHECK-STRAY: avila-check: error: unexpected argument 'stray'
// RUN: not avila-check --bogus x 2>&1 | FileCheck %s --check-prefix=CHECK-OPTION
// CHECK-OPTION: avila-check: error: unknown option '--bogus'
// avila-check runs artifacts only, and says where the interpreter went.
// RUN: not avila-check --model a --cases b 2>&1 | FileCheck %s --check-prefix=CHECK-ARTIFACT
// CHECK-ARTIFACT: avila-check: error: --artifact is required (avila-check-interpreter runs the networks on the reference interpreter)
// RUN: not avila-check-interpreter --model a --cases b --artifact c 2>&1 | FileCheck %s --check-prefix=INTERPRETER-OPTION
// INTERPRETER-OPTION: avila-check-interpreter: error: unknown option '--artifact'
// RUN: not avila-check-interpreter --model a --cases b stray 2>&1 | FileCheck %s --check-prefix=INTERPRETER-STRAY
// INTERPRETER-STRAY: avila-check-interpreter: error: unexpected argument 'stray'

// RUN: not avila-agree a.avila 2>&1 | FileCheck %s --check-prefix=AGREE-MISSING
// AGREE-MISSING: avila-agree: error: two artifacts and --entry are required
// RUN: not avila-agree a.avila b.avila c.avila --entry unet 2>&1 | FileCheck %s --check-prefix=AGREE-STRAY
// AGREE-STRAY: avila-agree: error: unexpected argument 'c.avila'
// RUN: not avila-agree a.avila b.avila --entry unet --max-rel-l2 -1 2>&1 | FileCheck %s --check-prefix=AGREE-BOUND
// AGREE-BOUND: avila-agree: error: --max-rel-l2 must be a positive number, not '-1'
// RUN: not avila-agree a.avila b.avila --entry unet --input-seed x 2>&1 | FileCheck %s --check-prefix=AGREE-SEED
// AGREE-SEED: avila-agree: error: --input-seed must be a whole number from 0 to 4294967295, not 'x'
// RUN: not avila-agree a.avila b.avila --entry middle 2>&1 | FileCheck %s --check-prefix=AGREE-ENTRY
// AGREE-ENTRY: avila-agree: error: no SD 1.5 shapes known for 'middle': give --shapes
// RUN: not avila-agree a.avila b.avila --entry unet --shapes 2xqx4 2>&1 | FileCheck %s --check-prefix=AGREE-SHAPES
// AGREE-SHAPES: avila-agree: error: bad size 'q' in --shapes

// RUN: not avila-inspect a.avila stray 2>&1 | FileCheck %s --check-prefix=INSPECT-STRAY
// INSPECT-STRAY: avila-inspect: error: unexpected argument 'stray' (the artifact is 'a.avila')
// RUN: not avila-inspect a.avila --bogus 2>&1 | FileCheck %s --check-prefix=INSPECT-OPTION
// INSPECT-OPTION: avila-inspect: error: unknown option '--bogus'
// RUN: not avila-inspect a.avila --shapes 2>&1 | FileCheck %s --check-prefix=INSPECT-VALUE
// INSPECT-VALUE: avila-inspect: error: missing value for --shapes
// RUN: not avila-inspect a.avila --disassemble 2>&1 | FileCheck %s --check-prefix=INSPECT-KERNEL
// INSPECT-KERNEL: avila-inspect: error: missing value for --disassemble
// RUN: not avila-inspect a.avila --dump-kernel k 2>&1 | FileCheck %s --check-prefix=INSPECT-DUMP
// INSPECT-DUMP: avila-inspect: error: --dump-kernel wants -o <file.spv>
// RUN: not avila-inspect a.avila --disassemble k --dump-kernels d 2>&1 | FileCheck %s --check-prefix=INSPECT-ONE
// INSPECT-ONE: avila-inspect: error: --disassemble, --dump-kernel and --dump-kernels go one at a time

// RUN: not avila-eval %s stray.mlir 2>&1 | FileCheck %s --check-prefix=EVAL-STRAY
// EVAL-STRAY: avila-eval: error: unexpected argument 'stray.mlir'
