//===- Infotext.cpp - A1111's generation-parameters text ------------------===//

#include "runtime/pipeline/Infotext.h"

#include "runtime/base/Error.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <sstream>
#include <vector>

namespace avila {
namespace {

std::string quoted(const std::string &value) {
  if (value.find_first_of(",:\n") == std::string::npos)
    return value;
  return nlohmann::json(value).dump();
}

// A1111 prints numbers with Python's str(): 7.0 stays "7.0", 7.5 "7.5".
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  std::string printed = text;
  if (printed.find_first_of(".e") == std::string::npos)
    printed += ".0";
  return printed;
}

// "Key: value, Key: \"quoted, value\", ..." → pairs; nullopt when the line
// is not a settings line.
std::optional<std::map<std::string, std::string>>
parseSettings(const std::string &line) {
  std::map<std::string, std::string> settings;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
      ++i;
    const size_t colon = line.find(':', i);
    if (colon == std::string::npos || colon == i)
      return std::nullopt;
    const std::string key = line.substr(i, colon - i);
    for (char c : key)
      if (!std::isalnum(static_cast<unsigned char>(c)) &&
          std::string_view(" -/_+").find(c) == std::string_view::npos)
        return std::nullopt;
    i = colon + 1;
    while (i < line.size() && line[i] == ' ')
      ++i;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      size_t end = i + 1;
      while (end < line.size() && line[end] != '"')
        end += line[end] == '\\' ? 2 : 1;
      if (end >= line.size())
        return std::nullopt;
      const nlohmann::json decoded =
          nlohmann::json::parse(line.substr(i, end + 1 - i), nullptr, false);
      if (!decoded.is_string())
        return std::nullopt;
      value = decoded.get<std::string>();
      i = end + 1;
    } else {
      const size_t comma = line.find(',', i);
      value = line.substr(i, comma == std::string::npos ? comma : comma - i);
      while (!value.empty() && value.back() == ' ')
        value.pop_back();
      i = comma == std::string::npos ? line.size() : comma;
    }
    settings[key] = value;
    while (i < line.size() && line[i] == ' ')
      ++i;
    if (i < line.size()) {
      if (line[i] != ',')
        return std::nullopt;
      ++i;
    }
  }
  if (settings.empty())
    return std::nullopt;
  return settings;
}

// The setting `key` parsed as a T (all of it), or `fallback` when absent.
template <typename T>
T setting(const std::map<std::string, std::string> &settings,
          const std::string &key, T fallback) {
  const auto found = settings.find(key);
  if (found == settings.end())
    return fallback;
  const std::string &text = found->second;
  T value{};
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    fail("infotext: '" + key + "' is not a number: " + text);
  return value;
}

// A "WxH" setting into width and height, when present.
void readSize(const std::map<std::string, std::string> &settings,
              const std::string &key, int &width, int &height) {
  const auto size = settings.find(key);
  if (size == settings.end())
    return;
  int w = 0, h = 0;
  char tail = 0;
  if (std::sscanf(size->second.c_str(), "%dx%d%c", &w, &h, &tail) != 2)
    fail("infotext: malformed " + key + " '" + size->second + "'");
  width = w;
  height = h;
}

} // namespace

std::string
loraHashesText(const std::vector<std::pair<std::string, std::string>> &hashes) {
  std::string text;
  for (const auto &[name, hash] : hashes)
    text += (text.empty() ? "" : ", ") + name + ": " + hash;
  return text;
}

std::string formatInfotext(const GenerationParameters &parameters, int64_t seed,
                           bool img2img, int64_t subseed) {
  std::ostringstream text;
  text << parameters.prompt << "\n";
  if (!parameters.negativePrompt.empty())
    text << "Negative prompt: " << parameters.negativePrompt << "\n";
  text << "Steps: " << parameters.steps
       << ", Sampler: " << quoted(a1111SamplerName(parameters.sampler));
  // The sampler's name spells out Karras ("DPM++ 2M Karras"), A1111's older
  // form; other schedules go apart, as A1111 1.9 writes them.
  if (const Schedule schedule = parameters.sampler.schedule;
      schedule != Schedule::Automatic && schedule != Schedule::Karras)
    text << ", Schedule type: " << scheduleInfo(schedule).label;
  text << ", CFG scale: " << number(parameters.cfgScale) << ", Seed: " << seed
       << ", Size: " << parameters.width << "x" << parameters.height;
  if (!parameters.modelName.empty())
    text << ", Model: " << quoted(parameters.modelName);
  if (parameters.subseedStrength != 0)
    text << ", Variation seed: " << subseed
         << ", Variation seed strength: " << number(parameters.subseedStrength);
  if (resizesSeed(parameters))
    text << ", Seed resize from: " << parameters.seedResizeFromWidth << "x"
         << parameters.seedResizeFromHeight;
  if (img2img)
    text << ", Denoising strength: " << number(parameters.strength);
  if (parameters.clipSkip != 1)
    text << ", Clip skip: " << parameters.clipSkip;
  if (parameters.batchSize > 1)
    text << ", Batch size: " << parameters.batchSize;
  text << ", RNG: "
       << (parameters.rng == NoiseSource::TorchCpu ? "CPU" : "GPU");
  if (!parameters.loraHashes.empty())
    text << ", Lora hashes: " << quoted(loraHashesText(parameters.loraHashes));
  text << ", Version: avila";
  return text.str();
}

ParsedInfotext parseInfotext(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);)
    lines.push_back(line);
  ParsedInfotext parsed;
  if (!lines.empty())
    if (auto settings = parseSettings(lines.back());
        settings && settings->size() >= 3) {
      parsed.settings = std::move(*settings);
      lines.pop_back();
    }
  std::vector<std::string> promptLines, negativeLines;
  for (const std::string &line : lines) {
    if (negativeLines.empty() && line.starts_with("Negative prompt:")) {
      const std::string rest = line.substr(16);
      negativeLines.push_back(rest.starts_with(" ") ? rest.substr(1) : rest);
      continue;
    }
    (negativeLines.empty() ? promptLines : negativeLines).push_back(line);
  }
  auto join = [](const std::vector<std::string> &parts) {
    std::string joined;
    for (size_t i = 0; i < parts.size(); ++i)
      joined += (i ? "\n" : "") + parts[i];
    return joined;
  };
  parsed.prompt = join(promptLines);
  parsed.negativePrompt = join(negativeLines);
  return parsed;
}

GenerationParameters parametersFromInfotext(const std::string &text) {
  const ParsedInfotext parsed = parseInfotext(text);
  const auto &settings = parsed.settings;
  GenerationParameters parameters;
  parameters.prompt = parsed.prompt;
  parameters.negativePrompt = parsed.negativePrompt;
  parameters.steps = setting(settings, "Steps", parameters.steps);
  parameters.cfgScale = setting(settings, "CFG scale", parameters.cfgScale);
  parameters.seed = setting(settings, "Seed", parameters.seed);
  parameters.strength =
      setting(settings, "Denoising strength", parameters.strength);
  parameters.batchSize = setting(settings, "Batch size", parameters.batchSize);
  if (auto sampler = settings.find("Sampler"); sampler != settings.end())
    parameters.sampler = parseSamplerName(sampler->second);
  // Newer A1111 writes the schedule apart from the sampler.
  if (auto schedule = settings.find("Schedule type");
      schedule != settings.end()) {
    const Schedule spacing = parseScheduleName(schedule->second);
    if (spacing != Schedule::Automatic)
      parameters.sampler.schedule = spacing;
  }
  parameters.clipSkip = setting(settings, "Clip skip", parameters.clipSkip);
  parameters.subseed = setting(settings, "Variation seed", parameters.subseed);
  parameters.subseedStrength =
      setting(settings, "Variation seed strength", parameters.subseedStrength);
  readSize(settings, "Size", parameters.width, parameters.height);
  readSize(settings, "Seed resize from", parameters.seedResizeFromWidth,
           parameters.seedResizeFromHeight);
  if (auto model = settings.find("Model"); model != settings.end())
    parameters.modelName = model->second;
  if (auto rng = settings.find("RNG"); rng != settings.end())
    parameters.rng =
        rng->second == "CPU" ? NoiseSource::TorchCpu : NoiseSource::TorchCuda;
  else
    parameters.rng = NoiseSource::TorchCuda; // A1111's default
  return parameters;
}

} // namespace avila
