//===- Safetensors.cpp - Reading safetensors files ------------------------===//

#include "runtime/weights/Safetensors.h"
#include "runtime/base/Error.h"
#include "runtime/base/Float16.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace avila {

namespace {

struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8},         {DType::F32, "F32", 4},
    {DType::F16, "F16", 2},         {DType::BF16, "BF16", 2},
    {DType::F8_E4M3, "F8_E4M3", 1}, {DType::F8_E5M2, "F8_E5M2", 1},
    {DType::I64, "I64", 8},         {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},         {DType::I8, "I8", 1},
    {DType::U64, "U64", 8},         {DType::U32, "U32", 4},
    {DType::U16, "U16", 2},         {DType::U8, "U8", 1},
    {DType::Bool, "BOOL", 1},
};

const DTypeInfo &info(DType dtype) {
  return kDTypes[static_cast<size_t>(dtype)];
}

uint64_t readLittleEndian64(const std::byte *bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

// A non-negative JSON integer, or an error naming `what`.
uint64_t unsignedField(const nlohmann::json &value, const std::string &what) {
  if (!value.is_number_unsigned())
    fail(what + " must be a non-negative integer");
  return value.get<uint64_t>();
}

TensorEntry parseEntry(const std::string &name, const nlohmann::json &field,
                       std::span<const std::byte> data,
                       const std::string &where) {
  if (!field.is_object())
    fail(where + ": entry must be an object");
  auto dtypeField = field.find("dtype");
  auto shapeField = field.find("shape");
  auto offsetsField = field.find("data_offsets");
  if (dtypeField == field.end() || shapeField == field.end() ||
      offsetsField == field.end())
    fail(where + ": entry needs dtype, shape and data_offsets");
  if (!dtypeField->is_string())
    fail(where + ": dtype must be a string");
  const std::string dtypeText = dtypeField->get<std::string>();
  auto known =
      std::find_if(std::begin(kDTypes), std::end(kDTypes),
                   [&](const DTypeInfo &d) { return dtypeText == d.name; });
  if (known == std::end(kDTypes))
    fail(where + ": unknown dtype '" + dtypeText + "'");

  TensorEntry entry{name, known->dtype, {}, {}};
  if (!shapeField->is_array() || shapeField->size() > 16)
    fail(where + ": shape must be an array of at most 16 sizes");
  uint64_t count = 1;
  for (const nlohmann::json &dim : *shapeField) {
    uint64_t size = unsignedField(dim, where + ": each shape entry");
    if (size > (uint64_t{1} << 40) ||
        (size != 0 && count > (uint64_t{1} << 48) / size))
      fail(where + ": shape " + shapeField->dump() + " is too large");
    count *= size;
    entry.shape.push_back(static_cast<int64_t>(size));
  }
  if (!offsetsField->is_array() || offsetsField->size() != 2)
    fail(where + ": data_offsets must be [begin, end]");
  const uint64_t begin = unsignedField((*offsetsField)[0], where + ": begin");
  const uint64_t end = unsignedField((*offsetsField)[1], where + ": end");
  if (begin > end || end > data.size())
    fail(where + ": data_offsets [" + std::to_string(begin) + ", " +
         std::to_string(end) + "] lie outside the " +
         std::to_string(data.size()) + " data bytes");
  if (end - begin != count * known->size)
    fail(where + ": " + dtypeText + " " + shapeToString(entry.shape) +
         " needs " + std::to_string(count * known->size) + " bytes but " +
         std::to_string(end - begin) + " are given");
  entry.bytes = data.subspan(begin, end - begin);
  return entry;
}

} // namespace

const char *dtypeName(DType dtype) { return info(dtype).name; }
size_t dtypeSize(DType dtype) { return info(dtype).size; }

int64_t TensorEntry::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

SafetensorsIndex parseSafetensors(std::span<const std::byte> file,
                                  const std::string &what) {
  if (file.size() < 8)
    fail(what + ": not a safetensors file (shorter than its 8-byte header "
                "length)");
  const uint64_t headerSize = readLittleEndian64(file.data());
  if (headerSize > kMaxSafetensorsHeader || headerSize > file.size() - 8) {
    // Not safetensors; say so plainly when it is a PyTorch pickle (a zip
    // archive, or a bare pickle stream with its protocol marker).
    const auto b0 = static_cast<uint8_t>(file[0]);
    const auto b1 = static_cast<uint8_t>(file[1]);
    if ((b0 == 'P' && b1 == 'K') || (b0 == 0x80 && b1 >= 2 && b1 <= 5))
      fail(what + ": this is a PyTorch pickle checkpoint, which can run "
                  "arbitrary code when loaded; convert it to .safetensors "
                  "first");
  }
  if (headerSize > kMaxSafetensorsHeader)
    fail(what + ": header length " + std::to_string(headerSize) +
         " exceeds the " + std::to_string(kMaxSafetensorsHeader) +
         "-byte limit (not a safetensors file, or a corrupt one)");
  if (headerSize > file.size() - 8)
    fail(what + ": header length " + std::to_string(headerSize) +
         " runs past the end of the " + std::to_string(file.size()) +
         "-byte file (truncated?)");
  const char *headerText = reinterpret_cast<const char *>(file.data() + 8);
  std::span<const std::byte> data = file.subspan(8 + headerSize);

  nlohmann::json header = nlohmann::json::parse(
      headerText, headerText + headerSize, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded())
    fail(what + ": header is not valid UTF-8 JSON");
  if (!header.is_object())
    fail(what + ": header must be a JSON object");

  SafetensorsIndex index;
  for (const auto &[name, field] : header.items()) {
    if (name == "__metadata__") {
      if (!field.is_object())
        fail(what + ": __metadata__ must be an object");
      for (const auto &[key, value] : field.items())
        if (value.is_string())
          index.metadata[key] = value.get<std::string>();
      continue;
    }
    index.tensors.emplace(
        name, parseEntry(name, field, data, what + ": tensor '" + name + "'"));
  }

  std::vector<const TensorEntry *> byOffset;
  for (const auto &[name, entry] : index.tensors)
    if (!entry.bytes.empty())
      byOffset.push_back(&entry);
  std::sort(byOffset.begin(), byOffset.end(),
            [](const TensorEntry *a, const TensorEntry *b) {
              return a->bytes.data() < b->bytes.data();
            });
  for (size_t i = 1; i < byOffset.size(); ++i) {
    const TensorEntry &previous = *byOffset[i - 1], &next = *byOffset[i];
    if (previous.bytes.data() + previous.bytes.size() > next.bytes.data())
      fail(what + ": tensors '" + previous.name + "' and '" + next.name +
           "' overlap");
  }
  return index;
}

void readFloats(const TensorEntry &entry, std::span<float> out) {
  const size_t count = static_cast<size_t>(entry.numElements());
  if (out.size() != count)
    fail("tensor '" + entry.name + "' has " + std::to_string(count) +
         " values, not " + std::to_string(out.size()));
  const std::byte *source = entry.bytes.data();
  switch (entry.dtype) {
  case DType::F32:
    std::memcpy(out.data(), source, count * sizeof(float));
    break;
  case DType::F16:
  case DType::BF16:
    for (size_t i = 0; i < count; ++i) {
      uint16_t bits;
      std::memcpy(&bits, source + 2 * i, sizeof(bits));
      out[i] = entry.dtype == DType::F16 ? halfBitsToFloat(bits)
                                         : bfloat16BitsToFloat(bits);
    }
    break;
  default:
    fail("tensor '" + entry.name + "' has dtype " + dtypeName(entry.dtype) +
         "; weights must be F32, F16 or BF16");
  }
}

std::vector<float> readFloats(const TensorEntry &entry) {
  std::vector<float> values(static_cast<size_t>(entry.numElements()));
  readFloats(entry, values);
  return values;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path &path)
    : file(std::make_unique<MappedFile>(path)),
      parsed(parseSafetensors(file->bytes(), path.string())) {}

const TensorEntry *SafetensorsFile::find(std::string_view name) const {
  auto it = parsed.tensors.find(name);
  return it == parsed.tensors.end() ? nullptr : &it->second;
}

} // namespace avila
