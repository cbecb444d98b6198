// Plain HTTP request and response values: the API layer's view of HTTP, independent of the
// network library. The net/ wing converts Beast messages to and from these.
#pragma once

#include <functional>
#include <memory>
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

// A response that stays open after its headers and sends Server-Sent Events (the console's
// live view) until either side ends it. The net wing sends the headers, then calls open() with
// two functions, both callable from any thread: `write` queues text on the connection (whole
// events: "event: yard\ndata: {...}\n\n"), `end` closes it. When the connection is gone (the
// peer left, a write failed, the server stops), the net wing calls closed(); after that the
// functions do nothing.
class EventStream {
 public:
  virtual ~EventStream() = default;
  virtual void open(std::function<void(std::string)> write, std::function<void()> end) = 0;
  virtual void closed() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Set-Cookie
  std::shared_ptr<EventStream> stream;  // set: a text/event-stream response (body unused)
};

}  // namespace minato::api
