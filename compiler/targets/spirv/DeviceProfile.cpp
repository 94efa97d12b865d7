//===- DeviceProfile.cpp - The device profiles: known ones and files ------===//

#include "compiler/targets/spirv/DeviceProfile.h"
#include "compiler/targets/spirv/LocalDevice.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

namespace avila::spirv {

namespace {

// `generic` asks only what today's tiles need of any Vulkan 1.3 desktop
// device; the others are the devices the kernels are measured on, with the
// limits their drivers report and the tiles measured fastest there.
// Each names what differs from DeviceProfile's defaults.
const DeviceProfile kProfiles[] = {
    {.name = "generic"},
    {.name = "generic-fp16", .float16 = true},
    {.name = "lavapipe", .subgroupSize = 8, .float16 = true},
    {.name = "nvidia-h100",
     .subgroupSize = 32,
     .maxWorkgroupMemory = 48 * 1024,
     .maxStorageBufferRange = (uint64_t{1} << 32) - 1,
     .float16 = true,
     .cooperativeMatrix = true,
     .contractionTile = {128, 64, 64, 4, 4, 2, 5760},
     .loopWorkgroupSize = 256},
};

// The name that asks the local device.
constexpr llvm::StringLiteral kAuto = "auto";

// A profile file is small; anything larger is not one.
constexpr uint64_t kMaxProfileBytes = 64 * 1024;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

const DeviceProfile *knownProfile(llvm::StringRef name) {
  for (const DeviceProfile &profile : kProfiles)
    if (profile.name == name)
      return &profile;
  return nullptr;
}

// Reads the keys of one JSON object into fields, refusing keys it does not
// know and values out of their range, so that a typo never passes silently.
class FieldReader {
public:
  FieldReader(const llvm::json::Object &object, std::string where)
      : object(object), where(std::move(where)) {}

  template <typename T>
  void integer(llvm::StringRef key, T &field, int64_t min, int64_t max) {
    known.push_back(key.str());
    const llvm::json::Value *value = object.get(key);
    if (!value || error)
      return;
    std::optional<int64_t> number = value->getAsInteger();
    if (!number || *number < min || *number > max) {
      error = fail(where + "'" + key + "' must be an integer from " +
                   llvm::Twine(min) + " to " + llvm::Twine(max));
      return;
    }
    field = static_cast<T>(*number);
  }

  void boolean(llvm::StringRef key, bool &field) {
    known.push_back(key.str());
    const llvm::json::Value *value = object.get(key);
    if (!value || error)
      return;
    if (std::optional<bool> flag = value->getAsBoolean())
      field = *flag;
    else
      error = fail(where + "'" + key + "' must be true or false");
  }

  // A key read elsewhere.
  void alreadyRead(llvm::StringRef key) { known.push_back(key.str()); }

  const llvm::json::Object *child(llvm::StringRef key) {
    known.push_back(key.str());
    const llvm::json::Value *value = object.get(key);
    if (!value || error)
      return nullptr;
    if (const llvm::json::Object *inner = value->getAsObject())
      return inner;
    error = fail(where + "'" + key + "' must be an object");
    return nullptr;
  }

  llvm::Error finish() {
    if (error)
      return std::move(*error);
    for (const auto &entry : object)
      if (!llvm::is_contained(known, entry.first.str()))
        return fail(where + "unknown key '" + entry.first.str() +
                    "' (the keys: " + llvm::join(known, ", ") + ")");
    return llvm::Error::success();
  }

private:
  const llvm::json::Object &object;
  std::string where;
  std::vector<std::string> known;
  std::optional<llvm::Error> error;
};

llvm::Expected<DeviceProfile> profileFile(llvm::StringRef path) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file)
    return fail("cannot read device profile '" + path +
                "': " + file.getError().message());
  if ((*file)->getBufferSize() > kMaxProfileBytes)
    return fail("device profile '" + path + "' is over " +
                llvm::Twine(kMaxProfileBytes) + " bytes");
  auto json = llvm::json::parse((*file)->getBuffer());
  if (!json)
    return fail("device profile '" + path +
                "' is not JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return fail("device profile '" + path + "' must be a JSON object");
  std::string base = "generic";
  if (const llvm::json::Value *named = root->get("base")) {
    std::optional<llvm::StringRef> text = named->getAsString();
    if (!text || !knownProfile(*text))
      return fail("device profile '" + path + "': 'base' must name one of " +
                  llvm::join(deviceProfileNames(), ", "));
    base = text->str();
  }
  DeviceProfile profile = *knownProfile(base);
  profile.name = path.str();
  const std::string where = "device profile '" + path.str() + "': ";
  FieldReader fields(*root, where);
  fields.integer("subgroup_size", profile.subgroupSize, 0, 128);
  fields.integer("max_workgroup_memory", profile.maxWorkgroupMemory, 1024,
                 1 << 20);
  fields.integer("max_workgroup_invocations", profile.maxWorkgroupInvocations,
                 1, 4096);
  fields.integer("max_storage_buffer_range", profile.maxStorageBufferRange,
                 1 << 20, (int64_t{1} << 32) - 1);
  fields.boolean("float16", profile.float16);
  fields.boolean("cooperative_matrix", profile.cooperativeMatrix);
  fields.integer("loop_workgroup_size", profile.loopWorkgroupSize, 1, 4096);
  const llvm::json::Object *tile = fields.child("contraction_tile");
  fields.alreadyRead("base");
  if (llvm::Error error = fields.finish())
    return std::move(error);
  if (profile.loopWorkgroupSize > profile.maxWorkgroupInvocations)
    return fail(where + "'loop_workgroup_size' " +
                std::to_string(profile.loopWorkgroupSize) +
                " is more than 'max_workgroup_invocations' " +
                std::to_string(profile.maxWorkgroupInvocations));
  if (!tile)
    return profile;
  ContractionTile &shape = profile.contractionTile;
  FieldReader tileFields(*tile, where + "contraction_tile: ");
  tileFields.integer("rows", shape.rows, 1, 1024);
  tileFields.integer("cols", shape.cols, 1, 1024);
  tileFields.integer("depth", shape.depth, 1, 1024);
  tileFields.integer("thread_rows", shape.threadRows, 1, 64);
  tileFields.integer("thread_cols", shape.threadCols, 1, 64);
  tileFields.integer("subgroup_fragments", shape.subgroupFragments, 1, 16);
  tileFields.integer("depth_split", shape.depthSplit, 0, int64_t{1} << 24);
  if (llvm::Error error = tileFields.finish())
    return std::move(error);
  return profile;
}

// The device's own limits; the tile and loop workgroup size of the known
// profile it is closest to: nvidia-h100's where it multiplies cooperative
// matrices, else generic's.
llvm::Expected<DeviceProfile> localProfile() {
  auto profile = localDeviceCapabilities();
  if (!profile)
    return fail("--device-profile auto reads this machine's Vulkan device, "
                "and there is none (name a profile instead): " +
                llvm::toString(profile.takeError()));
  profile->name = kAuto.str();
  const DeviceProfile *closest =
      knownProfile(profile->cooperativeMatrix ? "nvidia-h100" : "generic");
  profile->contractionTile = closest->contractionTile;
  profile->loopWorkgroupSize = std::min<int64_t>(
      closest->loopWorkgroupSize, profile->maxWorkgroupInvocations);
  return profile;
}

} // namespace

std::vector<std::string> deviceProfileNames() {
  std::vector<std::string> names;
  for (const DeviceProfile &profile : kProfiles)
    names.push_back(profile.name);
  return names;
}

llvm::Expected<DeviceProfile> deviceProfile(llvm::StringRef name) {
  if (name.ends_with(".json"))
    return profileFile(name);
  if (const DeviceProfile *profile = knownProfile(name))
    return *profile;
  if (name == kAuto)
    return localProfile();
  return fail("unknown device profile '" + name +
              "' (the profiles: " + llvm::join(deviceProfileNames(), ", ") +
              ", auto for this machine's Vulkan device, or a .json file)");
}

std::string describeDeviceProfile(const DeviceProfile &profile) {
  const ContractionTile &tile = profile.contractionTile;
  return "subgroup " + std::to_string(profile.subgroupSize) +
         ", workgroup memory " + std::to_string(profile.maxWorkgroupMemory) +
         " bytes, " + std::to_string(profile.maxWorkgroupInvocations) +
         " invocations, storage buffer range " +
         std::to_string(profile.maxStorageBufferRange) + " bytes, fp16 " +
         (profile.float16 ? "yes" : "no") + ", cooperative matrices " +
         (profile.cooperativeMatrix ? "yes" : "no") + ", contraction tile " +
         std::to_string(tile.rows) + " x " + std::to_string(tile.cols) + " x " +
         std::to_string(tile.depth) + ", loop workgroups of " +
         std::to_string(profile.loopWorkgroupSize);
}

} // namespace avila::spirv
