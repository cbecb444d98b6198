// Router: method + path pattern ("/api/v1/units/{container_id}") to handler. The route table
// is also what the OpenAPI document is checked against (tests/openapi_test).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/http.h"

namespace minato::api {

using PathParams = std::map<std::string, std::string>;

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
