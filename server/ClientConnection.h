//===- ClientConnection.h - Is a request's client still there --*- C++-*-===//
//
// cpp-httplib 0.11 gives a handler neither its socket nor a way to learn
// that the client left: DataSink::is_writable only polls for POLLOUT, which
// a socket whose peer has closed still passes. A TCP connection's local and
// peer addresses are unique among the open sockets of this process, and
// httplib keeps the socket open until the handler returns, so the socket
// is found by the addresses the request carries.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_CLIENTCONNECTION_H
#define AVILA_SERVER_CLIENTCONNECTION_H

#include <httplib.h>

namespace avila::server {

class ClientConnection {
public:
  explicit ClientConnection(const httplib::Request &request);

  /// Whether the client closed or reset the connection; false when its
  /// socket was not found.
  bool closed() const;

private:
  int socket = -1;
};

} // namespace avila::server

#endif // AVILA_SERVER_CLIENTCONNECTION_H
