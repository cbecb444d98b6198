#include "api/router.h"

#include <algorithm>

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

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode(std::string_view s, const std::string& name) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return fail(ErrorCode::kInvalidArgument, "bad %-escape in query parameter " + name, name);
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_query(std::string_view query,
                                                       const std::vector<std::string>& allowed) {
  std::map<std::string, std::string> out;
  size_t count = 0;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    if (++count > 16) return fail(ErrorCode::kInvalidArgument, "too many query parameters");
    size_t eq = part.find('=');
    auto name = decode(part.substr(0, eq), "name");
    if (!name) return fail(name.error());
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return fail(ErrorCode::kInvalidArgument,
                  "unknown query parameter '" + name->substr(0, 40) + "' (known: " + list + ")",
                  name->substr(0, 40));
    }
    auto value =
        decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), *name);
    if (!value) return fail(value.error());
    if (value->size() > 256) {
      return fail(ErrorCode::kInvalidArgument, "query parameter " + *name + " is too long", *name);
    }
    if (!out.emplace(*name, std::move(*value)).second) {
      return fail(ErrorCode::kInvalidArgument, "query parameter " + *name + " is given twice",
                  *name);
    }
  }
  return out;
}

Result<int64_t> query_int(const std::map<std::string, std::string>& q, const std::string& name,
                          int64_t fallback, int64_t min, int64_t max) {
  auto it = q.find(name);
  if (it == q.end()) return fallback;
  const std::string& v = it->second;
  int64_t n = 0;
  bool ok = !v.empty() && v.size() <= 18;
  for (char c : v) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    n = n * 10 + (c - '0');
  }
  if (!ok || n < min || n > max) {
    return fail(
        ErrorCode::kInvalidArgument,
        name + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
        name);
  }
  return n;
}

}  // namespace minato::api
