#include "api/json.h"

#include <boost/json.hpp>

#include <cstdio>

namespace minato::api {

namespace json = boost::json;

Result<JsonBody> JsonBody::parse(const std::string& body) {
  json::parse_options opts;
  opts.max_depth = 16;
  opts.allow_comments = false;
  opts.allow_trailing_commas = false;
  opts.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) {
    return fail(ErrorCode::kInvalidArgument,
                "request body is not valid JSON (" + ec.message() + ")", "body");
  }
  if (!v.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "request body must be a JSON object", "body");
  }
  JsonBody b;
  b.obj_ = std::move(v.as_object());
  return b;
}

bool JsonBody::has(const char* key) const { return obj_.contains(key); }

Result<std::optional<std::string>> JsonBody::optional_string(const char* key, size_t max_len) {
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return fail(ErrorCode::kInvalidArgument, std::string(key) + " must be a string", key);
  }
  const json::string& s = it->value().as_string();
  if (s.size() > max_len) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(key) + " must be at most " + std::to_string(max_len) + " characters",
                key);
  }
  return std::optional<std::string>(std::string(s));
}

Result<std::optional<std::vector<std::string>>> JsonBody::optional_strings(const char* key,
                                                                           size_t max_items,
                                                                           size_t max_len) {
  using Out = std::optional<std::vector<std::string>>;
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return Out();
  const auto bad = [&] {
    return fail(ErrorCode::kInvalidArgument,
                std::string(key) + " must be an array of at most " + std::to_string(max_items) +
                    " strings of at most " + std::to_string(max_len) + " characters",
                key);
  };
  if (!it->value().is_array() || it->value().as_array().size() > max_items) return bad();
  std::vector<std::string> out;
  for (const auto& e : it->value().as_array()) {
    if (!e.is_string() || e.as_string().size() > max_len) return bad();
    out.emplace_back(e.as_string());
  }
  return Out(std::move(out));
}

Result<std::string> JsonBody::string(const char* key, size_t max_len) {
  auto v = optional_string(key, max_len);
  if (!v) return fail(v.error());
  if (!*v) return fail(ErrorCode::kInvalidArgument, std::string(key) + " is required", key);
  return std::move(**v);
}

Result<int64_t> JsonBody::integer(const char* key, int64_t min, int64_t max) {
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end())
    return fail(ErrorCode::kInvalidArgument, std::string(key) + " is required", key);
  const json::value& v = it->value();
  int64_t n = 0;
  if (v.is_int64()) {
    n = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v.as_uint64());
  } else {
    return fail(ErrorCode::kInvalidArgument, std::string(key) + " must be an integer", key);
  }
  if (n < min || n > max) {
    return fail(
        ErrorCode::kInvalidArgument,
        std::string(key) + " must be from " + std::to_string(min) + " to " + std::to_string(max),
        key);
  }
  return n;
}

Status JsonBody::finish() const {
  for (const auto& kv : obj_) {
    std::string k(kv.key());
    if (!seen_.contains(k)) {
      std::string shown = k.size() > 40 ? k.substr(0, 40) + "..." : k;
      return fail(ErrorCode::kInvalidArgument, "unknown field '" + shown + "'", shown);
    }
  }
  return ok();
}

HttpResponse json_response(int status, const json::value& v) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

HttpResponse error_response(const Error& e) {
  std::string message = e.message();
  if (e.code() == ErrorCode::kInternal || e.code() == ErrorCode::kDataLoss) {
    std::fprintf(stderr, "minato: internal error: %s\n", e.message().c_str());
    message = "internal error; the event has been logged";
  }
  json::object err{{"code", to_string(e.code())}, {"message", message}};
  if (!e.field().empty()) err["field"] = e.field();
  return json_response(http_status(e.code()), json::object{{"error", std::move(err)}});
}

}  // namespace minato::api
