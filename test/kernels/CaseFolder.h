//===- CaseFolder.h - Kernel cases recorded for a device --------*- C++ -*-===//
//
// A folder of kernel cases compiled and interpreted on one machine
// (avila-kernel-record, which links the compiler) and run on another
// (avila-kernel-replay, which links only the runtime):
//
//   manifest.json        {"format": "avila-kernel-cases", "version": 1,
//                         "target_flags": [...], "cases": [{"name", "seed",
//                         "entry_point", "tolerance", "artifact", "tensors",
//                         "inputs": [shapes], "outputs": [shapes]}, ...]}
//   <case>.avila         the case's artifact
//   <case>.safetensors   input.<i> (F32 or I32 ids) and expected.<i> (F32,
//                        the reference interpreter's results)
//
// The folder is untrusted: reading it checks every field, that every file
// named is a plain name inside the folder, and that the tensors have the
// shapes the manifest gives.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TEST_KERNELS_CASEFOLDER_H
#define AVILA_TEST_KERNELS_CASEFOLDER_H

#include "runtime/executor/Executable.h"

#include <filesystem>
#include <string>
#include <vector>

namespace avila::test {

struct RecordedCase {
  std::string name;
  unsigned seed = 0;
  std::string entryPoint;
  /// The largest relative L2 difference any result may have.
  double tolerance = 0;
  /// File names inside the folder.
  std::string artifact, tensors;
  std::vector<std::vector<int64_t>> inputShapes, outputShapes;
};

struct CaseFolder {
  /// The target flags the cases were compiled with, each with its value.
  std::vector<std::string> targetFlags;
  std::vector<RecordedCase> cases;
};

/// A case's inputs and the results it must reproduce.
struct CaseTensors {
  std::vector<HostTensor> inputs, expected;
};

/// Reads and checks `folder`'s manifest. Throws avila::Error naming the
/// first problem.
CaseFolder readCaseFolder(const std::filesystem::path &folder);
/// Reads `c`'s tensors from `folder`; throws as above.
CaseTensors readCaseTensors(const std::filesystem::path &folder,
                            const RecordedCase &c);

/// Writes `c`'s tensors into `folder` (its shapes must match them) and
/// fills in nothing else; throws avila::Error when it cannot.
void writeCaseTensors(const std::filesystem::path &folder,
                      const RecordedCase &c, const CaseTensors &tensors);
/// Writes `folder`'s manifest; throws as above.
void writeCaseFolder(const std::filesystem::path &folder,
                     const CaseFolder &contents);

} // namespace avila::test

#endif // AVILA_TEST_KERNELS_CASEFOLDER_H
