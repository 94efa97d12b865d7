//===- Artifact.cpp - Reading and verifying compiled artifacts ------------===//

#include "runtime/artifact/Artifact.h"
#include "runtime/base/Error.h"
#include "runtime/base/ReadOnlyFile.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace avila {

namespace {

namespace fb = artifact;

template <typename T> size_t sizeOf(const flatbuffers::Vector<T> *vector) {
  return vector ? vector->size() : 0;
}

void check(bool condition, const std::string &what) {
  if (!condition)
    fail("corrupt artifact: " + what);
}

std::string weightName(const fb::Weight &weight) {
  return weight.component()->str() + "/" + weight.name()->str();
}

std::string where(const fb::EntryPoint &entry) {
  return "entry point '" + std::string(entry.name()->c_str()) + "'";
}

void verifyTensorSpecs(
    const flatbuffers::Vector<flatbuffers::Offset<fb::TensorSpec>> *specs,
    size_t exprCount, const std::string &what) {
  for (const fb::TensorSpec *spec : *specs) {
    check(spec->name() && spec->shape(),
          what + " tensor without name or shape");
    check(spec->element_type() <= fb::ElementType::MAX,
          what + " unknown element type");
    check(spec->id_limit() >= 0, what + " negative id limit");
    check(spec->id_limit() == 0 ||
              spec->element_type() == fb::ElementType::I32 ||
              spec->element_type() == fb::ElementType::I64,
          what + " id limit on a tensor that holds no ids");
    for (uint32_t expr : *spec->shape())
      check(expr < exprCount, what + " shape refers to a missing expression");
  }
}

void verifyExprs(const fb::EntryPoint &entry) {
  const std::string at = where(entry);
  for (uint32_t i = 0; i < entry.exprs()->size(); ++i) {
    const fb::Expr *expr = entry.exprs()->Get(i);
    check(expr->op() <= fb::ExprOp::MAX, at + " expression " +
                                             std::to_string(i) +
                                             " has an unknown operation");
    switch (expr->op()) {
    case fb::ExprOp::Constant:
      break;
    case fb::ExprOp::InputDim:
      check(expr->input() < entry.inputs()->size() &&
                expr->axis() <
                    entry.inputs()->Get(expr->input())->shape()->size(),
            at + " expression " + std::to_string(i) +
                " reads a missing input dimension");
      break;
    case fb::ExprOp::Add:
    case fb::ExprOp::Sub:
    case fb::ExprOp::Mul:
    case fb::ExprOp::FloorDiv:
    case fb::ExprOp::CeilDiv:
    case fb::ExprOp::Max:
      check(expr->lhs() < i && expr->rhs() < i,
            at + " expression " + std::to_string(i) +
                " uses an operand that does not precede it");
      break;
    }
  }
}

// Each scalar lies, aligned, within the block, and no two share a byte.
void verifyPushConstants(const fb::Kernel &kernel, const std::string &at) {
  if (!kernel.push_constants())
    return;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (const fb::PushConstant *constant : *kernel.push_constants()) {
    const std::string which =
        at + " push constant " + std::to_string(ranges.size());
    check(constant->type() == fb::ElementType::I32 ||
              constant->type() == fb::ElementType::I64 ||
              constant->type() == fb::ElementType::F32,
          which + " is not i32, i64 or f32");
    const uint32_t size = elementSize(constant->type());
    check(constant->offset() % size == 0,
          which + " at offset " + std::to_string(constant->offset()) +
              " is not aligned to its " + std::to_string(size) + " bytes");
    check(constant->offset() <= kMaxPushConstantBytes - size,
          which + " at offset " + std::to_string(constant->offset()) +
              " lies beyond " + std::to_string(kMaxPushConstantBytes) +
              " bytes");
    ranges.push_back({constant->offset(), constant->offset() + size});
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    check(ranges[i - 1].second <= ranges[i].first,
          at + " push constants overlap at offset " +
              std::to_string(ranges[i].first));
}

// A Vulkan kernel's SPIR-V module: a range of the code holding whole 32-bit
// words, at least the 5-word header, starting with the SPIR-V magic number.
// Other targets keep their code in one piece, so the range stays empty.
void verifyKernelCode(const fb::Artifact &root, const fb::Kernel &kernel,
                      const std::string &at) {
  const uint64_t offset = kernel.code_offset(), size = kernel.code_size();
  if (root.target() != fb::Target::Vulkan) {
    check(offset == 0 && size == 0,
          at + " has a code range, which only Vulkan kernels have");
    return;
  }
  const uint64_t codeSize = sizeOf(root.code());
  check(offset <= codeSize && size <= codeSize - offset,
        at + " code range [" + std::to_string(offset) + ", " +
            std::to_string(offset) + " + " + std::to_string(size) +
            ") lies outside the " + std::to_string(codeSize) + "-byte code");
  constexpr uint64_t kSpirvHeaderBytes = 20;
  check(offset % 4 == 0 && size % 4 == 0 && size >= kSpirvHeaderBytes,
        at + " code range of " + std::to_string(size) + " bytes at offset " +
            std::to_string(offset) +
            " is not a SPIR-V module (whole 32-bit words, at least the " +
            "20-byte header)");
  constexpr uint32_t kSpirvMagic = 0x07230203;
  uint32_t magic = 0;
  std::memcpy(&magic, root.code()->data() + offset, sizeof(magic));
  check(magic == kSpirvMagic, at + " code is not SPIR-V (no magic number)");
}

void verifyKernel(const fb::Artifact &root, const fb::Kernel &kernel) {
  check(kernel.name() != nullptr, "kernel without a name");
  const std::string at = "kernel '" + kernel.name()->str() + "'";
  check(kernel.entry_point() && kernel.entry_point()->size() > 0,
        at + " without an entry point");
  check(sizeOf(kernel.workgroup_size()) == 3,
        at + " without a 3-D workgroup size");
  int64_t invocations = 1;
  for (uint32_t size : *kernel.workgroup_size()) {
    check(size >= 1 && size <= kMaxWorkgroupInvocations,
          at + " workgroup size " + std::to_string(size));
    invocations *= size;
  }
  check(invocations <= kMaxWorkgroupInvocations,
        at + " workgroup of " + std::to_string(invocations) +
            " invocations, more than " +
            std::to_string(kMaxWorkgroupInvocations));
  check(kernel.bindings() != nullptr, at + " without bindings");
  for (fb::BindingAccess access : *kernel.bindings())
    check(access <= fb::BindingAccess::MAX, at + " binding of unknown access");
  check(kernel.input_bindings() <= kernel.bindings()->size(),
        at + " with more inputs than bindings");
  verifyPushConstants(kernel, at);
  verifyKernelCode(root, kernel, at);
}

void verifyDispatches(const fb::Artifact &root, const fb::EntryPoint &entry) {
  const std::string at = where(entry);
  const size_t exprs = entry.exprs()->size();
  for (const fb::Dispatch *dispatch : *entry.dispatches()) {
    check(dispatch->kernel() < sizeOf(root.kernels()),
          at + " dispatch of a missing kernel");
    const fb::Kernel *kernel = root.kernels()->Get(dispatch->kernel());
    check(sizeOf(dispatch->bindings()) == sizeOf(kernel->bindings()) &&
              sizeOf(dispatch->push_constants()) ==
                  sizeOf(kernel->push_constants()),
          at + " dispatch does not match its kernel's signature");
    check(sizeOf(dispatch->workgroup_count()) == 3,
          at + " dispatch without a 3-D workgroup count");
    for (uint32_t expr : *dispatch->workgroup_count())
      check(expr < exprs, at + " workgroup count expression");
    if (dispatch->push_constants())
      for (uint32_t expr : *dispatch->push_constants())
        check(expr < exprs, at + " push constant expression");
    if (!dispatch->bindings())
      continue;
    for (const fb::Binding *binding : *dispatch->bindings()) {
      check(binding->shape() != nullptr, at + " binding without a shape");
      for (uint32_t expr : *binding->shape())
        check(expr < exprs, at + " binding shape expression");
      check(binding->element_type() <= fb::ElementType::MAX,
            at + " binding of unknown element type");
      check(binding->kind() <= fb::BindingKind::MAX,
            at + " binding of unknown kind");
      switch (binding->kind()) {
      case fb::BindingKind::Input:
        check(binding->index() < entry.inputs()->size(), at + " input binding");
        break;
      case fb::BindingKind::Output:
        check(binding->index() < entry.outputs()->size(),
              at + " output binding");
        break;
      case fb::BindingKind::Arena:
        check(binding->offset() < exprs, at + " arena offset expression");
        break;
      case fb::BindingKind::Weight: {
        check(binding->index() < sizeOf(root.weights()),
              at + " weight binding");
        const fb::Weight *weight = root.weights()->Get(binding->index());
        check(binding->element_type() == weight->element_type(),
              at + " binds weight '" + weightName(*weight) + "' as " +
                  fb::EnumNameElementType(binding->element_type()) +
                  ", but the manifest declares it " +
                  fb::EnumNameElementType(weight->element_type()));
        break;
      }
      }
    }
  }
}

} // namespace

size_t elementSize(fb::ElementType type) {
  switch (type) {
  case fb::ElementType::F32:
  case fb::ElementType::I32:
    return 4;
  case fb::ElementType::F16:
  case fb::ElementType::BF16:
    return 2;
  case fb::ElementType::I64:
    return 8;
  }
  return 0;
}

uint32_t codeChecksum(std::span<const uint8_t> code) {
  // zlib's crc32 takes at most 4 GiB per call.
  uLong crc = crc32(0, Z_NULL, 0);
  for (size_t at = 0; at < code.size();) {
    const size_t chunk = std::min<size_t>(code.size() - at, 1u << 30);
    crc = crc32(crc, code.data() + at, static_cast<uInt>(chunk));
    at += chunk;
  }
  return static_cast<uint32_t>(crc);
}

const char *targetName(fb::Target target) {
  const char *name = fb::EnumNameTarget(target);
  return name[0] ? name : "unknown";
}

Artifact::Artifact(std::vector<uint8_t> bytes, std::optional<fb::Target> target)
    : storage(std::move(bytes)) {
  if (storage.size() < 8 || !fb::ArtifactBufferHasIdentifier(storage.data()))
    fail("not an Avila artifact (no AVLA identifier)");
  flatbuffers::Verifier verifier(storage.data(), storage.size(),
                                 /*max_depth=*/64, /*max_tables=*/10000000);
  if (!fb::VerifyArtifactBuffer(verifier))
    fail("corrupt artifact: the FlatBuffers verifier rejects it");
  rootTable = fb::GetArtifact(storage.data());
  const fb::Artifact &root = *rootTable;
  if (root.format_version() != kArtifactFormatVersion)
    fail("artifact format version " + std::to_string(root.format_version()) +
         " is not the version this runtime reads (" +
         std::to_string(kArtifactFormatVersion) +
         "); recompile it with the matching avila-compile");
  if (target && root.target() != *target)
    fail(std::string("the artifact is for target ") +
         targetName(root.target()) + ", not " + targetName(*target));
  const size_t codeSize = sizeOf(root.code());
  check(root.code_size() == codeSize,
        "its code is " + std::to_string(codeSize) + " bytes, but " +
            std::to_string(root.code_size()) + " were written");
  if (root.code() &&
      codeChecksum({root.code()->data(), codeSize}) != root.code_crc32())
    fail("corrupt artifact: its code does not match the checksum written "
         "with it (the file was damaged after avila-compile wrote it)");
  if (root.target_features())
    for (const flatbuffers::String *feature : *root.target_features())
      check(feature != nullptr, "a target feature without a name");
  check(root.image_size_min() >= 8 && root.image_size_min() % 8 == 0 &&
            root.image_size_min() <= root.image_size_max() &&
            root.image_size_max() <= 16384 && root.batch_max() >= 1 &&
            root.batch_max() <= 1024 && root.latent_scale() > 0 &&
            std::isfinite(root.latent_scale()),
        "generation limits out of range");
  if (root.kernels())
    for (const fb::Kernel *kernel : *root.kernels())
      verifyKernel(root, *kernel);
  if (root.weights())
    for (const fb::Weight *weight : *root.weights()) {
      check(weight->component() && weight->name() && weight->shape(),
            "weight without component, name or shape");
      check(weight->element_type() == fb::ElementType::F32 ||
                weight->element_type() == fb::ElementType::F16 ||
                weight->element_type() == fb::ElementType::BF16,
            "weight '" + weightName(*weight) + "' of element type " +
                fb::EnumNameElementType(weight->element_type()) +
                ": weights are F32, F16 or BF16");
    }
  if (root.entry_points())
    for (const fb::EntryPoint *entry : *root.entry_points()) {
      check(entry->name() && entry->inputs() && entry->outputs() &&
                entry->exprs() && entry->dispatches(),
            "entry point with missing fields");
      verifyTensorSpecs(entry->inputs(), entry->exprs()->size(),
                        where(*entry) + " input");
      verifyTensorSpecs(entry->outputs(), entry->exprs()->size(),
                        where(*entry) + " output");
      verifyExprs(*entry);
      check(entry->arena_size() < entry->exprs()->size(),
            where(*entry) + " arena size expression");
      if (const auto *equal = entry->equal_sizes()) {
        check(equal->size() % 2 == 0,
              where(*entry) + " unpaired size equality");
        for (uint32_t expr : *equal)
          check(expr < entry->exprs()->size(),
                where(*entry) + " size equality expression");
      }
      verifyDispatches(root, *entry);
    }
}

Artifact Artifact::load(const std::filesystem::path &path,
                        std::optional<fb::Target> target) {
  // Artifacts hold code and schedules, never weights: SD 1.5's is 4 MB.
  constexpr size_t kMaxArtifactBytes = size_t(1) << 30;
  const std::string text = readFile(path, kMaxArtifactBytes);
  std::vector<uint8_t> bytes(text.begin(), text.end());
  try {
    return Artifact(std::move(bytes), target);
  } catch (const Error &error) {
    fail(path.string() + ": " + error.what());
  }
}

const fb::EntryPoint *Artifact::entryPoint(std::string_view name) const {
  if (rootTable->entry_points())
    for (const fb::EntryPoint *entry : *rootTable->entry_points())
      if (entry->name()->string_view() == name)
        return entry;
  return nullptr;
}

std::vector<int64_t>
evaluateExprs(const fb::EntryPoint &entry,
              std::span<const std::vector<int64_t>> inputShapes) {
  if (inputShapes.size() != entry.inputs()->size())
    fail(where(entry) + " takes " + std::to_string(entry.inputs()->size()) +
         " inputs, got " + std::to_string(inputShapes.size()));
  std::vector<int64_t> values;
  values.reserve(entry.exprs()->size());
  for (const fb::Expr *expr : *entry.exprs()) {
    int64_t a = 0, b = 0, result = 0;
    if (expr->op() >= fb::ExprOp::Add) {
      a = values[expr->lhs()];
      b = values[expr->rhs()];
    }
    bool overflow = false;
    switch (expr->op()) {
    case fb::ExprOp::Constant:
      result = expr->value();
      break;
    case fb::ExprOp::InputDim: {
      const auto &shape = inputShapes[expr->input()];
      if (expr->axis() >= shape.size())
        fail(where(entry) + " input " + std::to_string(expr->input()) +
             " has too few dimensions");
      result = shape[expr->axis()];
      break;
    }
    case fb::ExprOp::Add:
      overflow = __builtin_add_overflow(a, b, &result);
      break;
    case fb::ExprOp::Sub:
      overflow = __builtin_sub_overflow(a, b, &result);
      break;
    case fb::ExprOp::Mul:
      overflow = __builtin_mul_overflow(a, b, &result);
      break;
    case fb::ExprOp::FloorDiv:
    case fb::ExprOp::CeilDiv:
      if (b <= 0)
        fail(where(entry) + ": division by a non-positive size");
      result = a / b;
      if (a % b != 0 && ((a < 0) == (expr->op() == fb::ExprOp::FloorDiv)))
        result += a < 0 ? -1 : 1;
      break;
    case fb::ExprOp::Max:
      result = std::max(a, b);
      break;
    }
    if (overflow)
      fail(where(entry) + ": a size overflows for these inputs");
    values.push_back(result);
  }
  return values;
}

} // namespace avila
