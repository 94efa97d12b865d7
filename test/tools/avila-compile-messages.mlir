// avila-compile's messages: the model, --config, stray arguments, progress.

// A single file whose configuration shapes cannot say (tiny-sd's 32-wide
// CLIP) is refused with a message asking for --config, and --config works.
// RUN: not avila-compile %shared/golden/tiny-sd/tiny-sd-ldm-fp16.safetensors --compile-to=graph 2>&1 | FileCheck %s --check-prefix=NEEDS
// NEEDS: avila-compile: error: cannot infer the text encoder configuration {{.*}}: pass --config <diffusers folder>
// RUN: avila-compile %shared/golden/tiny-sd/tiny-sd-ldm-fp16.safetensors --config %shared/golden/tiny-sd/diffusers-fp16 --compile-to=graph --quiet | FileCheck %s --check-prefix=CONFIG
// RUN: avila-compile %shared/golden/tiny-sd/tiny-sd-ldm-fp16.safetensors --config %shared/golden/tiny-sd/diffusers-fp16/model_index.json --compile-to=graph --quiet | FileCheck %s --check-prefix=CONFIG
// CONFIG-LABEL: func.func @text_encoder(
// CONFIG: avila.attention {{.*}} heads 4 causal
// CONFIG-LABEL: func.func @unet(

// RUN: not avila-compile %t.missing.safetensors 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: avila-compile: error: no such file or folder: {{.*}}.missing.safetensors
// RUN: rm -rf %t.folder && mkdir -p %t.folder && not avila-compile %t.folder 2>&1 | FileCheck %s --check-prefix=FOLDER
// FOLDER: avila-compile: error: {{.*}}.folder is a folder but not a diffusers model (it has no unet/config.json)
// RUN: not avila-compile sd15 --config %t.folder 2>&1 | FileCheck %s --check-prefix=FOLDER
// RUN: not avila-compile sd15 --config 2>&1 | FileCheck %s --check-prefix=VALUE
// VALUE: avila-compile: error: missing value for --config

// RUN: not avila-compile sd15 stray 2>&1 | FileCheck %s --check-prefix=STRAY
// STRAY: avila-compile: error: unexpected argument 'stray' (the model is 'sd15')
// RUN: not avila-compile sd15 --bogus 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: avila-compile: error: unknown option '--bogus'

// Progress goes to stderr, one line per phase when it is not a terminal;
// --quiet keeps it silent.
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=fused 2>&1 >/dev/null | FileCheck %s --check-prefix=PROGRESS
// PROGRESS: s] dispatch
// PROGRESS-NEXT: s] linalg
// PROGRESS-NEXT: s] fused
// PROGRESS-NOT: {{.}}
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=fused --quiet 2>&1 >/dev/null | count 0

// --precision: fp16 is the Vulkan target's (f16 kernel buffers, f32
// arithmetic); x86 refuses it, and an unknown precision is named.
// RUN: not avila-compile sd15 --precision fp16 2>&1 | FileCheck %s --check-prefix=X86-FP16
// X86-FP16: avila-compile: error: --precision fp16: the x86 target computes in fp32; fp16 is for --target vulkan
// RUN: not avila-compile sd15 --target vulkan --precision fp8 2>&1 | FileCheck %s --check-prefix=PRECISION
// PRECISION: avila-compile: error: unknown precision 'fp8' (fp32 or fp16)
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --target vulkan --precision fp16 --compile-to=loops --quiet | FileCheck %s --check-prefix=FP16
// FP16: func.func @text_encoder_dispatch_{{[0-9]+}}_{{.*}}memref<{{.*}}xf16>
