// Router: method + path pattern ("/api/v1/units/{container_id}") to handler. The route table
// is also what the OpenAPI document is checked against (tests/openapi_test).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/http.h"
#include "common/result.h"

namespace minato::api {

using PathParams = std::map<std::string, std::string>;

// Parses a query string ("a=1&b=x%20y"): percent-decoding, '+' as space. Refuses names not in
// `allowed`, a name given twice, more than 16 parameters, values over 256 bytes, and bad
// escapes, naming the parameter.
Result<std::map<std::string, std::string>> parse_query(std::string_view query,
                                                       const std::vector<std::string>& allowed);
// An integer query parameter in [min, max], or `fallback` when absent.
Result<int64_t> query_int(const std::map<std::string, std::string>& q, const std::string& name,
                          int64_t fallback, int64_t min, int64_t max);

struct Route {
  std::string method;
  std::string pattern;
  std::function<HttpResponse(const HttpRequest&, const PathParams&)> handler;
};

class Router {
 public:
  void add(std::string method, std::string pattern,
           std::function<HttpResponse(const HttpRequest&, const PathParams&)> handler);
  // 404 for an unknown path, 405 (with Allow) for a known path with another method.
  HttpResponse dispatch(const HttpRequest& req) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  static bool match(const std::string& pattern, const std::string& path, PathParams* params);
  std::vector<Route> routes_;
};

}  // namespace minato::api
