// Plain HTTP request and response values: the API layer's view of HTTP, independent of the
// network library. The net/ wing converts Beast messages to and from these.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minato::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/api/v1/units/CSQU3054383" (no query)
  std::string query;   // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string source;  // client IP address
  // SHA-256 fingerprint (hex) of the client's certificate on a mutual-TLS listener, else empty.
  std::string client_cert;

  // The first header with this (lower-case) name, or empty.
  std::string_view header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Set-Cookie
};

}  // namespace minato::api
