//===- Error.h - Errors of the runtime ---------------------------*- C++
//-*-===//
//
// The runtime reports bad input (checkpoints, artifacts, images, requests) by
// throwing avila::Error with one line that names the problem; the CLI prints
// it and exits non-zero, the server answers 4xx. Nothing else is thrown on
// purpose.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_BASE_ERROR_H
#define AVILA_RUNTIME_BASE_ERROR_H

#include <stdexcept>
#include <string>

namespace avila {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string &message) {
  throw Error(message);
}

} // namespace avila

#endif // AVILA_RUNTIME_BASE_ERROR_H
