//===- CaseFolder.cpp - Kernel cases recorded for replay on a device ------===//

#include "test/kernels/CaseFolder.h"
#include "runtime/base/Error.h"
#include "runtime/base/ReadOnlyFile.h"
#include "runtime/weights/Safetensors.h"
#include "runtime/weights/SafetensorsWriter.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>

namespace avila::test {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char *kFormat = "avila-kernel-cases";
constexpr int kVersion = 1;
constexpr const char *kManifest = "manifest.json";
// Thousands of cases take a few MiB.
constexpr size_t kMaxManifestBytes = size_t(64) << 20;

std::string inputName(size_t i) { return "input." + std::to_string(i); }
std::string expectedName(size_t i) { return "expected." + std::to_string(i); }

const json &field(const json &object, const char *key,
                  const std::string &where) {
  auto found = object.find(key);
  if (found == object.end())
    fail(where + " has no \"" + key + "\"");
  return *found;
}

std::string stringField(const json &object, const char *key,
                        const std::string &where) {
  const json &value = field(object, key, where);
  if (!value.is_string())
    fail(where + ": \"" + key + "\" must be a string");
  return value.get<std::string>();
}

// A file the manifest names: a plain name, so that a folder cannot make
// replay read outside itself.
std::string fileField(const json &object, const char *key,
                      const std::string &where) {
  std::string name = stringField(object, key, where);
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string("/\\\0", 3)) != std::string::npos)
    fail(where + ": \"" + key + "\" must name a file in the folder, not '" +
         name + "'");
  return name;
}

std::vector<std::vector<int64_t>>
shapesField(const json &object, const char *key, const std::string &where) {
  const json &value = field(object, key, where);
  if (!value.is_array())
    fail(where + ": \"" + key + "\" must be a list of shapes");
  std::vector<std::vector<int64_t>> shapes;
  for (const json &shape : value) {
    if (!shape.is_array())
      fail(where + ": \"" + key + "\" must be a list of shapes");
    std::vector<int64_t> &dims = shapes.emplace_back();
    for (const json &dim : shape) {
      if (!dim.is_number_unsigned() || dim.get<uint64_t>() > uint64_t(1) << 40)
        fail(where + ": \"" + key +
             "\" holds a size that is not a non-negative integer up to 2^40");
      dims.push_back(dim.get<int64_t>());
    }
  }
  return shapes;
}

RecordedCase parseCase(const json &entry, const std::string &where) {
  if (!entry.is_object())
    fail(where + " must be an object");
  RecordedCase c;
  c.name = stringField(entry, "name", where);
  const std::string named = where + " (" + c.name + ")";
  const json &seed = field(entry, "seed", named);
  if (!seed.is_number_unsigned() || seed.get<uint64_t>() > 0xffffffffu)
    fail(named + ": \"seed\" must be an unsigned 32-bit integer");
  c.seed = seed.get<unsigned>();
  c.entryPoint = stringField(entry, "entry_point", named);
  const json &tolerance = field(entry, "tolerance", named);
  if (!tolerance.is_number() || !std::isfinite(tolerance.get<double>()) ||
      tolerance.get<double>() <= 0)
    fail(named + ": \"tolerance\" must be a positive finite number");
  c.tolerance = tolerance.get<double>();
  c.artifact = fileField(entry, "artifact", named);
  c.tensors = fileField(entry, "tensors", named);
  c.inputShapes = shapesField(entry, "inputs", named);
  c.outputShapes = shapesField(entry, "outputs", named);
  if (c.outputShapes.empty())
    fail(named + ": \"outputs\" is empty: nothing to compare");
  return c;
}

// The tensor `name` of `file`, of the shape the manifest gives.
const TensorEntry &tensor(const SafetensorsFile &file, const std::string &name,
                          const std::vector<int64_t> &shape) {
  const TensorEntry *entry = file.find(name);
  if (!entry)
    fail(file.path().string() + " has no tensor '" + name + "'");
  if (entry->shape != shape)
    fail(file.path().string() + ": tensor '" + name + "' has shape " +
         shapeToString(entry->shape) + ", the manifest says " +
         shapeToString(shape));
  return *entry;
}

HostTensor readTensor(const TensorEntry &entry) {
  HostTensor host;
  host.shape = entry.shape;
  if (entry.dtype == DType::I32) {
    host.elementType = artifact::ElementType::I32;
    host.ids.resize(entry.numElements());
    std::memcpy(host.ids.data(), entry.bytes.data(), entry.bytes.size());
    return host;
  }
  host.floats = readFloats(entry);
  return host;
}

TensorEntry entryOf(std::string name, const HostTensor &host,
                    const std::vector<int64_t> &shape) {
  if (host.shape != shape)
    fail("tensor '" + name + "' has shape " + shapeToString(host.shape) +
         ", the case says " + shapeToString(shape));
  if (host.elementType == artifact::ElementType::I32)
    return {std::move(name), DType::I32, host.shape,
            std::as_bytes(std::span(host.ids))};
  return {std::move(name), DType::F32, host.shape,
          std::as_bytes(std::span(host.floats))};
}

} // namespace

CaseFolder readCaseFolder(const fs::path &folder) {
  const fs::path path = folder / kManifest;
  const std::string where = path.string();
  const json manifest =
      json::parse(readFile(path, kMaxManifestBytes), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object())
    fail(where + " is not a JSON object");
  const json &format = field(manifest, "format", where);
  if (format != kFormat)
    fail(where + ": \"format\" is not \"" + kFormat + "\"");
  const json &version = field(manifest, "version", where);
  if (version != kVersion)
    fail(where + ": version " + version.dump() + ", this replay reads " +
         std::to_string(kVersion));

  CaseFolder contents;
  const json &flags = field(manifest, "target_flags", where);
  if (!flags.is_array())
    fail(where + ": \"target_flags\" must be a list of strings");
  for (const json &flag : flags) {
    if (!flag.is_string())
      fail(where + ": \"target_flags\" must be a list of strings");
    contents.targetFlags.push_back(flag.get<std::string>());
  }
  const json &cases = field(manifest, "cases", where);
  if (!cases.is_array() || cases.empty())
    fail(where + ": \"cases\" must be a non-empty list");
  for (size_t i = 0; i < cases.size(); ++i)
    contents.cases.push_back(
        parseCase(cases[i], where + ": case " + std::to_string(i)));
  return contents;
}

CaseTensors readCaseTensors(const fs::path &folder, const RecordedCase &c) {
  const SafetensorsFile file(folder / c.tensors);
  const size_t named = c.inputShapes.size() + c.outputShapes.size();
  if (file.index().tensors.size() != named)
    fail(file.path().string() + " holds " +
         std::to_string(file.index().tensors.size()) +
         " tensors, the manifest names " + std::to_string(named));
  CaseTensors tensors;
  for (size_t i = 0; i < c.inputShapes.size(); ++i) {
    const TensorEntry &entry = tensor(file, inputName(i), c.inputShapes[i]);
    if (entry.dtype != DType::F32 && entry.dtype != DType::I32)
      fail(file.path().string() + ": input '" + entry.name + "' has dtype " +
           dtypeName(entry.dtype) + " (F32 or I32 ids)");
    tensors.inputs.push_back(readTensor(entry));
  }
  for (size_t i = 0; i < c.outputShapes.size(); ++i) {
    const TensorEntry &entry = tensor(file, expectedName(i), c.outputShapes[i]);
    if (entry.dtype != DType::F32)
      fail(file.path().string() + ": '" + entry.name + "' has dtype " +
           dtypeName(entry.dtype) + " (F32)");
    tensors.expected.push_back(readTensor(entry));
  }
  return tensors;
}

void writeCaseTensors(const fs::path &folder, const RecordedCase &c,
                      const CaseTensors &tensors) {
  if (tensors.inputs.size() != c.inputShapes.size() ||
      tensors.expected.size() != c.outputShapes.size())
    fail("case " + c.name + ": tensor counts differ from its shapes");
  std::vector<TensorEntry> entries;
  for (size_t i = 0; i < tensors.inputs.size(); ++i)
    entries.push_back(
        entryOf(inputName(i), tensors.inputs[i], c.inputShapes[i]));
  for (size_t i = 0; i < tensors.expected.size(); ++i)
    entries.push_back(
        entryOf(expectedName(i), tensors.expected[i], c.outputShapes[i]));
  writeSafetensors(folder / c.tensors, entries,
                   {{"case", c.name}, {"seed", std::to_string(c.seed)}});
}

void writeCaseFolder(const fs::path &folder, const CaseFolder &contents) {
  json cases = json::array();
  for (const RecordedCase &c : contents.cases)
    cases.push_back({{"name", c.name},
                     {"seed", c.seed},
                     {"entry_point", c.entryPoint},
                     {"tolerance", c.tolerance},
                     {"artifact", c.artifact},
                     {"tensors", c.tensors},
                     {"inputs", c.inputShapes},
                     {"outputs", c.outputShapes}});
  const json manifest = {{"format", kFormat},
                         {"version", kVersion},
                         {"target_flags", contents.targetFlags},
                         {"cases", cases}};
  const fs::path path = folder / kManifest;
  std::ofstream out(path, std::ios::binary);
  out << manifest.dump(2) << "\n";
  if (!out)
    fail("cannot write " + path.string());
}

} // namespace avila::test
