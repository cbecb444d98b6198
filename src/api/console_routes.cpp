#include "api/console_routes.h"

#include <string_view>
#include <vector>

#include "api/json.h"
#include "console/assets.h"

namespace minato::api {

namespace {

HttpResponse not_found(const std::string& message) {
  HttpResponse r = error_response(Error(ErrorCode::kNotFound, message));
  r.status = 404;
  return r;
}

HttpResponse serve(const console::Asset& a, const HttpRequest& req) {
  HttpResponse r;
  std::string etag = "\"" + std::string(a.sha256.substr(0, 32)) + "\"";
  r.headers.emplace_back("ETag", etag);
  if (a.immutable) {
    r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    if (req.header("if-none-match") == etag) {
      r.status = 304;
      r.content_type.clear();
      return r;
    }
  }
  r.content_type = std::string(a.content_type);
  r.body = std::string(a.body);
  return r;
}

// The screens' paths, as the console's build lists them (routes.txt, one per line).
const std::vector<std::string_view>& screen_paths() {
  static const std::vector<std::string_view> paths = [] {
    std::vector<std::string_view> out;
    const auto* list = console::find("/routes.txt");
    std::string_view text = list ? list->body : std::string_view();
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      if (!line.empty() && line != "/") out.push_back(line);
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
    return out;
  }();
  return paths;
}

}  // namespace

std::optional<HttpResponse> console_response(const HttpRequest& req) {
  if (req.method != "GET" || req.path.rfind("/api/", 0) == 0 || req.path == "/api") {
    return std::nullopt;
  }
  if (console::assets().empty()) {
    return not_found("this build of minato has no console (built with MINATO_CONSOLE=OFF)");
  }
  if (req.path != "/" && req.path != "/index.html") {
    if (const auto* a = console::find(req.path)) return serve(*a, req);
    // A screen of the console ("/yard"), or a path under one ("/units/CSQU3054383"); the
    // console's router reads the rest. Anything else is not here.
    bool screen = false;
    for (std::string_view p : screen_paths()) {
      screen = screen || req.path == p ||
               (req.path.size() > p.size() && req.path.compare(0, p.size(), p) == 0 &&
                req.path[p.size()] == '/');
    }
    if (!screen) return not_found("no such page: " + req.path);
  }
  const auto* index = console::find("/index.html");
  if (index == nullptr) return not_found("the console has no index.html");
  return serve(*index, req);
}

}  // namespace minato::api
