//===- CpuFeatures.cpp - What the CPU offers the artifact's code ----------===//

#include "runtime/hal/cpu/CpuFeatures.h"
#include "runtime/base/Error.h"

namespace avila::cpu {

namespace {

struct Feature {
  std::string_view name;
  bool (*present)();
};

// __builtin_cpu_supports takes only literals, hence one lambda per name.
#define AVILA_CPU_FEATURE(name)                                                \
  Feature {                                                                    \
    name, [] { return __builtin_cpu_supports(name) != 0; }                     \
  }

// Every feature LLVM's x86-64-v2/v3/v4 levels name, and some that only one
// vendor has. x87, cx8 and fxsr are part of x86-64 itself; crc32 is an
// SSE4.2 instruction.
const Feature kFeatures[] = {
    {"x87", [] { return true; }},
    {"cx8", [] { return true; }},
    {"fxsr", [] { return true; }},
    {"crc32", [] { return __builtin_cpu_supports("sse4.2") != 0; }},
    AVILA_CPU_FEATURE("cmov"),
    AVILA_CPU_FEATURE("mmx"),
    AVILA_CPU_FEATURE("sse"),
    AVILA_CPU_FEATURE("sse2"),
    AVILA_CPU_FEATURE("sse3"),
    AVILA_CPU_FEATURE("ssse3"),
    AVILA_CPU_FEATURE("sse4.1"),
    AVILA_CPU_FEATURE("sse4.2"),
    AVILA_CPU_FEATURE("sse4a"),
    AVILA_CPU_FEATURE("popcnt"),
    AVILA_CPU_FEATURE("cx16"),
    AVILA_CPU_FEATURE("sahf"),
    AVILA_CPU_FEATURE("avx"),
    AVILA_CPU_FEATURE("avx2"),
    AVILA_CPU_FEATURE("fma"),
    AVILA_CPU_FEATURE("fma4"),
    AVILA_CPU_FEATURE("xop"),
    AVILA_CPU_FEATURE("f16c"),
    AVILA_CPU_FEATURE("bmi"),
    AVILA_CPU_FEATURE("bmi2"),
    AVILA_CPU_FEATURE("lzcnt"),
    AVILA_CPU_FEATURE("movbe"),
    AVILA_CPU_FEATURE("xsave"),
    AVILA_CPU_FEATURE("avx512f"),
    AVILA_CPU_FEATURE("avx512bw"),
    AVILA_CPU_FEATURE("avx512cd"),
    AVILA_CPU_FEATURE("avx512dq"),
    AVILA_CPU_FEATURE("avx512vl"),
    AVILA_CPU_FEATURE("amx-tile"),
};

#undef AVILA_CPU_FEATURE

} // namespace

std::optional<bool> hasFeature(std::string_view feature) {
  __builtin_cpu_init();
  for (const Feature &known : kFeatures)
    if (known.name == feature)
      return known.present();
  return std::nullopt;
}

void requireFeatures(
    std::span<const std::string> features,
    const std::function<std::optional<bool>(std::string_view)> &has) {
  for (const std::string &feature : features) {
    const std::optional<bool> present = has(feature);
    if (!present)
      fail("the artifact's code needs CPU feature '" + feature +
           "', which this runtime does not know; recompile it for this "
           "machine");
    if (!*present)
      fail("the artifact's code needs CPU feature '" + feature +
           "', which this CPU lacks");
  }
}

} // namespace avila::cpu
