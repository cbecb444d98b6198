// RefusalLog: connections and requests refused for their form or for the server's limits
// (400/413/415/431/505 answers, connection-cap refusals, TLS handshakes that failed or never
// came, requests that did not arrive whole in time, requests without a valid session or
// token), per source and kind.
//
// A1.4.2, G2.7.3-a: an attack must be visible. One audit event per refused request would turn a
// flood into an attack on the audit log, so, as ShedLog does for shed logins, the counts are
// kept here and written as one `http.refused` event per source each minute (Runtime::
// flush_refusal_log); their sum feeds the threshold alert (G2.6.1-d). /metrics shows totals
// per kind and per source (the first kMaxMetricSources sources by name; later ones under
// "(other sources)"). Thread-safe; memory bounded.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace minato::app {

class RefusalLog {
 public:
  // The kinds HttpsServer reports (net/https_server.h, ServerOptions::on_refused).
  // ... and the API's own: "bad_request" for 400/415 answers, "unauthenticated" for requests
  // without a valid session or token (401; failed logins are audited one by one already).
  static constexpr std::array<std::string_view, 8> kKinds = {
      "bad_request",    "headers_too_large", "body_too_large",  "bad_version",
      "connection_cap", "tls_handshake",     "request_timeout", "unauthenticated"};
  static constexpr size_t kMaxSources = 10'000;
  static constexpr size_t kMaxMetricSources = 64;
  static constexpr const char* kOtherSources = "(other sources)";

  using Counts = std::array<int64_t, kKinds.size()>;

  // Index of `kind` in kKinds, or kKinds.size() for an unknown one (not counted).
  static size_t kind_index(std::string_view kind);

  void count(const std::string& source, std::string_view kind);
  // The counts since the last take(), per source, and starts afresh.
  std::map<std::string, Counts> take();
  // Totals since start.
  int64_t total() const;
  int64_t total_of(std::string_view kind) const;
  std::map<std::string, Counts> totals_by_source() const;

  // "12 malformed requests (400), 3 connections over the limits" for an audit event.
  static std::string describe(const Counts& counts);

 private:
  mutable std::mutex mu_;
  std::map<std::string, Counts> pending_;
  std::map<std::string, Counts> totals_;
  Counts by_kind_{};
  int64_t total_ = 0;
};

}  // namespace minato::app
