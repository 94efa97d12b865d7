//===- ApiError.h - A request's failure with its HTTP status -----*- C++-*-===//

#ifndef AVILA_SERVER_APIERROR_H
#define AVILA_SERVER_APIERROR_H

#include <stdexcept>
#include <string>

namespace avila::server {

/// Answered as A1111 answers errors: status, and a JSON body
/// {"error": kind, "detail": message, "body": "", "errors": message}.
class ApiError : public std::runtime_error {
public:
  ApiError(int status, const std::string &message,
           std::string kind = "HTTPException")
      : std::runtime_error(message), status(status), kind(std::move(kind)) {}
  int status;
  std::string kind;
};

/// 422: the request is well-formed HTTP but its content is not acceptable.
[[noreturn]] inline void invalid(const std::string &message) {
  throw ApiError(422, message, "RequestValidationError");
}

} // namespace avila::server

#endif // AVILA_SERVER_APIERROR_H
