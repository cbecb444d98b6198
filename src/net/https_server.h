// HttpsServer: the TLS listener in front of the API. This header is free of Boost.Asio/Beast
// so that only net/https_server.cpp pays for compiling them.
//
// What it enforces (G2.2.1-e/f, G2.3-b/d):
//  - an explicit bind address; TLS 1.2 and 1.3 only, AEAD cipher suites only, no compression,
//    no renegotiation; HSTS;
//  - caps on connections, global and per source (an IPv6 /64), checked before the TLS
//    handshake, with room reserved for new and light clients (net/connection_limiter.h);
//  - a TLS handshake deadline and a whole-request deadline, so a client that trickles bytes
//    (slowloris) is cut off; header and body size limits (431 / 413); strict framing
//    (net/request_checks.h); every refusal reported through on_refused;
//  - no TLS session resumption (no tickets, no cache);
//  - security headers on every response, including errors it generates itself;
//  - SIGTERM/SIGINT: stop accepting, let requests in flight finish (their commits drain), exit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "common/result.h"

namespace minato::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8443;
  std::string cert_pem_path;
  std::string key_pem_path;
  int max_connections = 512;
  int max_connections_per_source = 32;
  int header_limit_bytes = 8 * 1024;
  int body_limit_bytes = 1024 * 1024;
  int handshake_timeout_s = 10;
  int request_timeout_s = 15;
  int keepalive_timeout_s = 30;
  int io_threads = 2;
  int worker_threads = 8;
  // Requests for which `is_slow` is true (logins: they wait for Argon2id) run on their own
  // threads, so however many of them wait, the other requests always find a free worker.
  std::function<bool(const api::HttpRequest&)> is_slow;
  int slow_worker_threads = 4;
  // Requests for which `is_inline` is true (short lookups from a read snapshot: they never wait
  // on the write path or the login pool) run on the I/O thread that read them, sparing two
  // thread hand-offs per request.
  std::function<bool(const api::HttpRequest&)> is_inline;
  // A larger body limit for some requests (file uploads), asked once the headers are read
  // with the method and the target; 0 keeps body_limit_bytes. Never smaller than it, never
  // larger than upload_limit_bytes (the parser reads headers with that bound).
  std::function<int64_t(std::string_view method, std::string_view target)> body_limit_for;
  int64_t upload_limit_bytes = 0;
  // Told of each slow request refused at once because every slow worker was busy.
  std::function<void(const std::string& source)> on_shed;
  // Asked for every new connection before any TLS work; false closes it (blocked sources).
  std::function<bool(const std::string& source)> admit_source;
  // A1.4.2, G2.7.3-a: told of each connection or request refused for its form or for the
  // server's limits, with its source and one of these kinds: "bad_request" (400: malformed,
  // obs-fold, bad framing), "headers_too_large" (431), "body_too_large" (413), "bad_version"
  // (505), "connection_cap" (closed before TLS by the connection limits), "tls_handshake" (no
  // TLS handshake in time, or a failed one), "request_timeout" (a request that did not arrive
  // whole in time: slowloris). Called on I/O threads: must be quick and thread-safe.
  std::function<void(const std::string& source, std::string_view kind)> on_refused;
  // Mutual TLS (the backup vault's listener): when not empty, a client must present a
  // certificate whose SHA-256 fingerprint (lower-case hex of the DER) is listed, or the
  // handshake fails. The fingerprint is passed on in HttpRequest::client_cert.
  std::vector<std::string> client_cert_sha256;
};

using Handler = std::function<api::HttpResponse(const api::HttpRequest&)>;

class HttpsServer {
 public:
  // Binds the listener (so a busy port is reported here) and loads the certificate.
  static Result<std::unique_ptr<HttpsServer>> create(const ServerOptions& options, Handler handler);
  virtual ~HttpsServer() = default;
  // Serves until SIGTERM/SIGINT or stop(); returns after in-flight requests are done.
  virtual Status run() = 0;
  // Asks run() to drain and return. Thread-safe.
  virtual void stop() = 0;
  virtual uint16_t port() const = 0;
};

// The headers every response carries.
void add_security_headers(api::HttpResponse& resp);

}  // namespace minato::net
