//===- CaseFolderTest.cpp - A recorded case folder trusts nothing ---------===//

#include "test/kernels/CaseFolder.h"
#include "runtime/base/Error.h"
#include "runtime/weights/SafetensorsWriter.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

namespace avila::test {
namespace {

namespace fs = std::filesystem;

// A folder holding one case whose tensors are written (no artifact: reading
// the manifest and tensors does not open it).
class CaseFolderTest : public ::testing::Test {
protected:
  void SetUp() override {
    folder = fs::path(::testing::TempDir()) /
             ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(folder);
    fs::create_directories(folder);
    c.name = "Embeddings";
    c.seed = 4000000000u;
    c.entryPoint = "k";
    c.tolerance = 1e-5;
    c.artifact = "Embeddings.4.avila";
    c.tensors = "Embeddings.4.safetensors";
    c.inputShapes = {{2, 3}, {2}};
    c.outputShapes = {{2, 3}};
    tensors.inputs = {HostTensor{}, HostTensor{}};
    tensors.inputs[0].shape = {2, 3};
    tensors.inputs[0].floats = {1, 2, 3, 4, 5, -6};
    tensors.inputs[1].elementType = artifact::ElementType::I32;
    tensors.inputs[1].shape = {2};
    tensors.inputs[1].ids = {7, -1};
    tensors.expected = {tensors.inputs[0]};
    tensors.expected[0].floats[5] = 0.5f;
    writeCaseTensors(folder, c, tensors);
    writeCaseFolder(folder, {{"--target", "vulkan"}, {c}});
  }

  std::string manifest() const {
    std::ifstream in(folder / "manifest.json");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void writeManifest(const std::string &text) const {
    std::ofstream(folder / "manifest.json") << text;
  }
  // The manifest with the first `from` replaced by `to`.
  void editManifest(const std::string &from, const std::string &to) const {
    std::string text = manifest();
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in\n" << text;
    writeManifest(text.replace(at, from.size(), to));
  }

  // The message reading the folder and its case's tensors throws.
  std::string error() const {
    try {
      for (const RecordedCase &recorded : readCaseFolder(folder).cases)
        readCaseTensors(folder, recorded);
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }

  fs::path folder;
  RecordedCase c;
  CaseTensors tensors;
};

TEST_F(CaseFolderTest, ReadsBackWhatWasWritten) {
  const CaseFolder read = readCaseFolder(folder);
  EXPECT_EQ(read.targetFlags, (std::vector<std::string>{"--target", "vulkan"}));
  ASSERT_EQ(read.cases.size(), 1u);
  const RecordedCase &r = read.cases[0];
  EXPECT_EQ(r.name, c.name);
  EXPECT_EQ(r.seed, c.seed);
  EXPECT_EQ(r.entryPoint, c.entryPoint);
  EXPECT_EQ(r.tolerance, c.tolerance);
  EXPECT_EQ(r.artifact, c.artifact);
  EXPECT_EQ(r.tensors, c.tensors);
  EXPECT_EQ(r.inputShapes, c.inputShapes);
  EXPECT_EQ(r.outputShapes, c.outputShapes);
  const CaseTensors back = readCaseTensors(folder, r);
  ASSERT_EQ(back.inputs.size(), 2u);
  EXPECT_EQ(back.inputs[0].floats, tensors.inputs[0].floats);
  EXPECT_EQ(back.inputs[1].elementType, artifact::ElementType::I32);
  EXPECT_EQ(back.inputs[1].ids, tensors.inputs[1].ids);
  ASSERT_EQ(back.expected.size(), 1u);
  EXPECT_EQ(back.expected[0].shape, tensors.expected[0].shape);
  EXPECT_EQ(back.expected[0].floats, tensors.expected[0].floats);
}

TEST_F(CaseFolderTest, RefusesAMissingOrMalformedManifest) {
  fs::remove(folder / "manifest.json");
  EXPECT_NE(error().find("cannot open"), std::string::npos) << error();
  writeManifest("{\"format\": ");
  EXPECT_NE(error().find("is not a JSON object"), std::string::npos);
  writeManifest("[]");
  EXPECT_NE(error().find("is not a JSON object"), std::string::npos);
}

TEST_F(CaseFolderTest, RefusesInputsOfOtherTypes) {
  const std::vector<uint16_t> halves(6);
  const std::vector<int32_t> ids(2), results(6);
  const TensorEntry entries[] = {
      {"input.0", DType::F16, {2, 3}, std::as_bytes(std::span(halves))},
      {"input.1", DType::I32, {2}, std::as_bytes(std::span(ids))},
      {"expected.0", DType::F32, {2, 3}, std::as_bytes(std::span(results))}};
  writeSafetensors(folder / c.tensors, entries);
  EXPECT_NE(error().find("input 'input.0' has dtype F16 (F32 or I32 ids)"),
            std::string::npos)
      << error();
}

struct Edit {
  const char *name;
  std::string from, to;
  const char *message;
};

void PrintTo(const Edit &edit, std::ostream *os) { *os << edit.name; }

class HostileManifest : public CaseFolderTest,
                        public ::testing::WithParamInterface<Edit> {};

TEST_P(HostileManifest, IsRefusedByName) {
  editManifest(GetParam().from, GetParam().to);
  EXPECT_NE(error().find(GetParam().message), std::string::npos) << error();
}

INSTANTIATE_TEST_SUITE_P(
    Edits, HostileManifest,
    ::testing::Values(
        Edit{"OtherFormat", "avila-kernel-cases", "other",
             "\"format\" is not \"avila-kernel-cases\""},
        Edit{"NewerVersion", "\"version\": 1", "\"version\": 2",
             "version 2, this replay reads 1"},
        Edit{"NoCases", "\"cases\"", "\"cases_\"", "has no \"cases\""},
        Edit{"FlagsNotStrings", "\"vulkan\"", "3",
             "\"target_flags\" must be a list of strings"},
        Edit{"ArtifactOutside", "\"Embeddings.4.avila\"", "\"../x.avila\"",
             "\"artifact\" must name a file in the folder, not '../x.avila'"},
        Edit{"TensorsAbsolute", "\"Embeddings.4.safetensors\"",
             "\"/etc/passwd\"", "must name a file in the folder"},
        Edit{"TensorsParent", "\"Embeddings.4.safetensors\"", "\"..\"",
             "must name a file in the folder"},
        Edit{"SeedTooLarge", "4000000000", "4294967296",
             "\"seed\" must be an unsigned 32-bit integer"},
        Edit{"NegativeTolerance", "\"tolerance\": 1e-05", "\"tolerance\": -1.0",
             "\"tolerance\" must be a positive"},
        Edit{"ToleranceText", "\"tolerance\": 1e-05", "\"tolerance\": \"1\"",
             "\"tolerance\" must be a positive"},
        Edit{"NoEntryPoint", "\"entry_point\"", "\"entry\"",
             "has no \"entry_point\""},
        Edit{"NegativeSize", "\"outputs\": [\n        [\n          2",
             "\"outputs\": [\n        [\n          -2",
             "not a non-negative integer"},
        Edit{"NoOutputs", "\"outputs\": [", "\"outputs\": [], \"x\": [",
             "\"outputs\" is empty"},
        Edit{"ShapeOfTensorDiffers", "\"outputs\": [\n        [\n          2",
             "\"outputs\": [\n        [\n          3",
             "tensor 'expected.0' has shape [2, 3], the manifest says [3, 3]"},
        Edit{"FewerTensorsNamed",
             "\"inputs\": [\n        [\n          2,\n"
             "          3\n        ],",
             "\"inputs\": [", "holds 3 tensors, the manifest names 2"},
        Edit{"MissingTensorsFile", "\"Embeddings.4.safetensors\"",
             "\"missing.safetensors\"", "cannot open"}),
    [](const ::testing::TestParamInfo<Edit> &info) { return info.param.name; });

} // namespace
} // namespace avila::test
