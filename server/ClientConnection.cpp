//===- ClientConnection.cpp - Whether a request's client is still there ---===//

#include "server/ClientConnection.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <filesystem>

namespace avila::server {
namespace {

// An address as httplib writes it into a request (getnameinfo, numeric).
bool sameEndpoint(const sockaddr_storage &address, socklen_t length,
                  const std::string &host, int port) {
  char text[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr *>(&address), length, text,
                  sizeof text, service, sizeof service,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return false;
  return host == text && std::to_string(port) == service;
}

bool isConnection(int descriptor, const httplib::Request &request) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(descriptor, reinterpret_cast<sockaddr *>(&address),
                  &length) != 0 ||
      (address.ss_family != AF_INET && address.ss_family != AF_INET6) ||
      !sameEndpoint(address, length, request.local_addr, request.local_port))
    return false;
  length = sizeof address;
  return getpeername(descriptor, reinterpret_cast<sockaddr *>(&address),
                     &length) == 0 &&
         sameEndpoint(address, length, request.remote_addr,
                      request.remote_port);
}

} // namespace

ClientConnection::ClientConnection(const httplib::Request &request) {
  std::error_code error;
  for (const auto &entry :
       std::filesystem::directory_iterator("/proc/self/fd", error)) {
    const std::string name = entry.path().filename().string();
    int descriptor = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), descriptor)
                .ec == std::errc() &&
        isConnection(descriptor, request)) {
      socket = descriptor;
      return;
    }
  }
}

bool ClientConnection::closed() const {
  if (socket < 0)
    return false;
  // A pipelined next request is data, not a close; 0 is the peer's FIN.
  char byte;
  const ssize_t got = recv(socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got == 0 ||
         (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

} // namespace avila::server
