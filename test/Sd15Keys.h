//===- Sd15Keys.h - The golden list of SD 1.5 checkpoint keys ---*- C++ -*-===//
//
// ../shared/golden/common/sd15_keys.tsv: every tensor of SD 1.5 in each
// layout, with its shape, for tests that check names against the real model
// without its weights.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TEST_SD15KEYS_H
#define AVILA_TEST_SD15KEYS_H

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace avila::test {

using KeyShapes = std::map<std::string, std::vector<int64_t>>;

/// format ("ldm", "diffusers/unet", ...) → key → shape.
inline std::map<std::string, KeyShapes> readSd15Keys() {
  std::ifstream file(AVILA_SHARED_DIR "/golden/common/sd15_keys.tsv");
  EXPECT_TRUE(file) << "cannot read sd15_keys.tsv";
  std::map<std::string, KeyShapes> keys;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::istringstream fields(line);
    std::string format, key, shapeText;
    std::getline(fields, format, '\t');
    std::getline(fields, key, '\t');
    std::getline(fields, shapeText);
    std::vector<int64_t> shape;
    for (char &c : shapeText)
      if (c == '[' || c == ']' || c == ',')
        c = ' ';
    std::istringstream dims(shapeText);
    for (int64_t dim; dims >> dim;)
      shape.push_back(dim);
    keys[format][key] = shape;
  }
  return keys;
}

} // namespace avila::test

#endif // AVILA_TEST_SD15KEYS_H
