#include "api/json.h"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include <cstdio>
#include <set>
#include <vector>

namespace minato::api {

namespace json = boost::json;

namespace {

// A SAX handler that finds a key given twice in one object, comparing keys after unescaping
// ("a" and "\u0061" are one key). Bodies are strict: RFC 8259 leaves duplicates to the
// reader, and a reader that keeps the last one would let a proxy and the API disagree.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::string duplicate;  // the first key seen twice

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    keys_.pop_back();
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!keys_.back().insert(key_).second) {
      duplicate = key_;
      ec = json::error::syntax;
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_number_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, boost::system::error_code&) { return true; }
  bool on_double(double, json::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  std::vector<std::set<std::string>> keys_;
  std::string key_;
};

// The first key that stands twice in one object of `text` (valid JSON), or "".
std::string duplicate_key(const std::string& text, const json::parse_options& opts) {
  json::basic_parser<DuplicateKeyFinder> p(opts);
  boost::system::error_code ec;
  p.write_some(false, text.data(), text.size(), ec);
  return p.handler().duplicate;
}

}  // namespace

Result<JsonBody> JsonBody::parse(const std::string& body, const std::string& what) {
  json::parse_options opts;
  opts.max_depth = 16;
  opts.allow_comments = false;
  opts.allow_trailing_commas = false;
  opts.allow_invalid_utf8 = false;
  json::stream_parser p({}, opts);
  boost::system::error_code ec;
  size_t used = p.write_some(body.data(), body.size(), ec);
  if (!ec) p.finish(ec);
  if (ec) {
    // Where it went wrong, as an editor counts: line and column of the first bad byte.
    size_t line = 1, col = 1;
    for (size_t i = 0; i < used && i < body.size(); ++i) {
      if (body[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return fail(ErrorCode::kInvalidArgument,
                what + " is not valid JSON at line " + std::to_string(line) + ", column " +
                    std::to_string(col) + " (" + ec.message() + ")",
                "body");
  }
  json::value v = p.release();
  if (!v.is_object()) {
    return fail(ErrorCode::kInvalidArgument, what + " must be a JSON object", "body");
  }
  if (std::string dup = duplicate_key(body, opts); !dup.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                what + " gives the key \"" + dup.substr(0, 64) + "\" more than once",
                dup.substr(0, 64));
  }
  JsonBody b;
  b.obj_ = std::move(v.as_object());
  return b;
}

bool JsonBody::has(const char* key) const { return obj_.contains(key); }

std::string JsonBody::name(const char* key) const { return prefix_ + key; }

Result<std::optional<int64_t>> JsonBody::optional_integer(const char* key, int64_t min,
                                                          int64_t max) {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) {
    seen_.insert(key);
    return std::optional<int64_t>();
  }
  auto v = integer(key, min, max);
  if (!v) return fail(v.error());
  return std::optional<int64_t>(*v);
}

Result<std::optional<bool>> JsonBody::optional_bool(const char* key) {
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) {
    return fail(ErrorCode::kInvalidArgument, name(key) + " must be true or false", name(key));
  }
  return std::optional<bool>(it->value().as_bool());
}

Result<std::optional<double>> JsonBody::optional_number(const char* key, double min, double max) {
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::optional<double>();
  const json::value& v = it->value();
  double d = 0;
  if (v.is_double()) {
    d = v.as_double();
  } else if (v.is_int64()) {
    d = static_cast<double>(v.as_int64());
  } else {
    return fail(ErrorCode::kInvalidArgument, name(key) + " must be a number", name(key));
  }
  if (!(d >= min && d <= max)) {
    return fail(ErrorCode::kInvalidArgument,
                name(key) + " must be from " + std::to_string(min) + " to " + std::to_string(max),
                name(key));
  }
  return std::optional<double>(d);
}

Result<std::optional<JsonBody>> JsonBody::optional_object(const char* key) {
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::optional<JsonBody>();
  if (!it->value().is_object()) {
    return fail(ErrorCode::kInvalidArgument, name(key) + " must be an object", name(key));
  }
  JsonBody inner;
  inner.obj_ = it->value().as_object();
  inner.prefix_ = name(key) + ".";
  return std::optional<JsonBody>(std::move(inner));
}

Result<std::vector<JsonBody>> JsonBody::objects(const char* key, size_t max_items) {
  seen_.insert(key);
  std::vector<JsonBody> out;
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return out;
  if (!it->value().is_array() || it->value().as_array().size() > max_items) {
    return fail(
        ErrorCode::kInvalidArgument,
        name(key) + " must be an array of at most " + std::to_string(max_items) + " objects",
        name(key));
  }
  size_t i = 0;
  for (const auto& e : it->value().as_array()) {
    if (!e.is_object()) {
      return fail(ErrorCode::kInvalidArgument, name(key) + " must hold objects", name(key));
    }
    JsonBody inner;
    inner.obj_ = e.as_object();
    inner.prefix_ = name(key) + "[" + std::to_string(i++) + "].";
    out.push_back(std::move(inner));
  }
  return out;
}

Result<std::optional<std::string>> JsonBody::optional_string(const char* key, size_t max_len) {
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return fail(ErrorCode::kInvalidArgument, name(key) + " must be a string", name(key));
  }
  const json::string& s = it->value().as_string();
  if (s.size() > max_len) {
    return fail(ErrorCode::kInvalidArgument,
                name(key) + " must be at most " + std::to_string(max_len) + " characters",
                name(key));
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
                name(key) + " must be an array of at most " + std::to_string(max_items) +
                    " strings of at most " + std::to_string(max_len) + " characters",
                name(key));
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
  if (!*v) return fail(ErrorCode::kInvalidArgument, name(key) + " is required", name(key));
  return std::move(**v);
}

Result<int64_t> JsonBody::integer(const char* key, int64_t min, int64_t max) {
  seen_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end())
    return fail(ErrorCode::kInvalidArgument, name(key) + " is required", name(key));
  const json::value& v = it->value();
  int64_t n = 0;
  if (v.is_int64()) {
    n = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v.as_uint64());
  } else {
    return fail(ErrorCode::kInvalidArgument, name(key) + " must be an integer", name(key));
  }
  if (n < min || n > max) {
    return fail(ErrorCode::kInvalidArgument,
                name(key) + " must be from " + std::to_string(min) + " to " + std::to_string(max),
                name(key));
  }
  return n;
}

Status JsonBody::finish() const {
  for (const auto& kv : obj_) {
    std::string k(kv.key());
    if (!seen_.contains(k)) {
      std::string shown = prefix_ + (k.size() > 40 ? k.substr(0, 40) + "..." : k);
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
