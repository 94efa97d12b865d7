//===- ShapeList.cpp - Input shapes written as 2x4x64x64,2,2x77x768 -------===//

#include "runtime/artifact/ShapeList.h"
#include "runtime/base/Error.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace avila {

std::vector<std::vector<int64_t>> parseShapeList(const std::string &text) {
  std::vector<std::vector<int64_t>> shapes;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) {
    std::vector<int64_t> shape;
    std::stringstream dims(item);
    for (std::string dim; std::getline(dims, dim, 'x');) {
      char *end = nullptr;
      errno = 0;
      const long long value = std::strtoll(dim.c_str(), &end, 10);
      if (dim.empty() || *end || value < 0 || errno == ERANGE)
        fail("bad size '" + dim + "' in --shapes");
      shape.push_back(value);
    }
    shapes.push_back(shape);
  }
  return shapes;
}

} // namespace avila
