//===- Checkpoint.h - SD 1.x weights in either layout users have -*- C++
//-*-===//
//
// A checkpoint is a single safetensors file in the original (LDM) layout or a
// diffusers folder. Either way the networks ask for tensors by their
// canonical (diffusers) name within a component; single files translate the
// name through a key map made from the model configuration (models/).
// Pickle files are refused: loading them can run arbitrary code.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_WEIGHTS_CHECKPOINT_H
#define AVILA_RUNTIME_WEIGHTS_CHECKPOINT_H

#include "runtime/weights/Component.h"
#include "runtime/weights/Safetensors.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace avila {

class Checkpoint {
public:
  enum class Layout { SingleFile, Diffusers };

  /// Opens a .safetensors file or a diffusers folder. Throws avila::Error for
  /// pickle files, missing or malformed files.
  explicit Checkpoint(const std::filesystem::path &path);
  ~Checkpoint();
  Checkpoint(Checkpoint &&) noexcept;

  Layout layout() const { return fileLayout; }
  const std::filesystem::path &path() const { return rootPath; }

  /// Every tensor of a single-file checkpoint with its shape, by file key.
  std::map<std::string, std::vector<int64_t>> singleFileShapes() const;
  /// Where a single file finds each canonical name (unused for folders).
  void setKeyTranslator(KeyTranslator translator) {
    keyTranslator = std::move(translator);
  }

  /// The tensor for a canonical name, or nullptr.
  const TensorEntry *find(Component component, const std::string &name) const;

  /// Throws as readWeight does when the weight is missing or of another
  /// shape, reading nothing.
  void checkWeight(Component component, const std::string &name,
                   const std::vector<int64_t> &shape) const {
    checkedEntry(component, name, shape);
  }
  /// The values of a weight as float. The stored shape must equal `shape`,
  /// except that trailing unit dimensions may differ (a 1×1 conv weight
  /// serves a linear layer). Throws naming the tensor and both shapes.
  std::vector<float> readWeight(Component component, const std::string &name,
                                const std::vector<int64_t> &shape) const;
  /// The same, converted into `out` (sized to the element count): how
  /// weights go straight into upload buffers without another copy.
  void readWeight(Component component, const std::string &name,
                  const std::vector<int64_t> &shape,
                  std::span<float> out) const;

private:
  struct Part;
  const Part *partFor(Component component) const;
  std::string fileKey(Component component, const std::string &name) const;
  const TensorEntry &checkedEntry(Component component, const std::string &name,
                                  const std::vector<int64_t> &shape) const;

  std::filesystem::path rootPath;
  Layout fileLayout;
  std::vector<std::unique_ptr<Part>> parts;
  KeyTranslator keyTranslator;
};

/// The name diffusers before 0.14 saved a VAE attention weight under
/// (`.query.` for `.to_q.`, ...), or nullopt for other weights.
std::optional<std::string> legacyVaeName(const std::string &name);

/// Throws when `path` names a PyTorch pickle checkpoint (by extension).
void refusePickle(const std::filesystem::path &path);

} // namespace avila

#endif // AVILA_RUNTIME_WEIGHTS_CHECKPOINT_H
