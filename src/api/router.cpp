#include "api/router.h"

#include "api/json.h"

namespace minato::api {

void Router::add(std::string method, std::string pattern,
                 std::function<HttpResponse(const HttpRequest&, const PathParams&)> handler) {
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(handler)});
}

bool Router::match(const std::string& pattern, const std::string& path, PathParams* params) {
  size_t pi = 0, si = 0;
  while (pi < pattern.size() && si <= path.size()) {
    if (pattern[pi] == '{') {
      size_t close = pattern.find('}', pi);
      std::string name = pattern.substr(pi + 1, close - pi - 1);
      size_t end = path.find('/', si);
      if (end == std::string::npos) end = path.size();
      if (end == si) return false;  // empty segment
      (*params)[name] = path.substr(si, end - si);
      pi = close + 1;
      si = end;
    } else {
      if (si >= path.size() || pattern[pi] != path[si]) return false;
      ++pi;
      ++si;
    }
  }
  return pi == pattern.size() && si == path.size();
}

HttpResponse Router::dispatch(const HttpRequest& req) const {
  std::string allow;
  for (const auto& r : routes_) {
    PathParams params;
    if (!match(r.pattern, req.path, &params)) continue;
    if (r.method == req.method) return r.handler(req, params);
    allow += (allow.empty() ? "" : ", ") + r.method;
  }
  if (!allow.empty()) {
    auto resp = error_response(
        Error(ErrorCode::kInvalidArgument, "method " + req.method + " is not allowed here"));
    resp.status = 405;
    resp.headers.emplace_back("Allow", allow);
    return resp;
  }
  return error_response(Error(ErrorCode::kNotFound, "no such resource"));
}

}  // namespace minato::api
