// Every tool names a stray argument or an unknown option.

// RUN: not avila-check --model a --cases b stray 2>&1 | FileCheck %s --check-prefix=CHECK-STRAY
// CHECK-STRAY: avila-check: error: unexpected argument 'stray'
// RUN: not avila-check --bogus x 2>&1 | FileCheck %s --check-prefix=CHECK-OPTION
// CHECK-OPTION: avila-check: error: unknown option '--bogus'

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
