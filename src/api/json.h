// Strict JSON request bodies: parse, don't validate. A body becomes typed values or a 400 that
// names the field; unknown fields, wrong types, over-long strings and deep nesting are refused.
//
//   auto r = JsonBody::parse(req.body);
//   auto name = r->string("vessel_name", 64);
//   auto kg = r->integer("gross_kg", 0, 80000);
//   MINATO_TRY(r->finish());   // refuses any field not asked for
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "api/http.h"
#include "common/result.h"

namespace minato::api {

class JsonBody {
 public:
  // `what` names the text in errors ("request body", "layout.json").
  static Result<JsonBody> parse(const std::string& body, const std::string& what = "request body");

  Result<std::string> string(const char* key, size_t max_len);
  Result<std::optional<std::string>> optional_string(const char* key, size_t max_len);
  Result<int64_t> integer(const char* key, int64_t min, int64_t max);
  // An optional array of at most `max_items` strings of at most `max_len` characters each.
  Result<std::optional<std::vector<std::string>>> optional_strings(const char* key,
                                                                   size_t max_items,
                                                                   size_t max_len);
  Result<std::optional<int64_t>> optional_integer(const char* key, int64_t min, int64_t max);
  Result<std::optional<bool>> optional_bool(const char* key);
  Result<std::optional<double>> optional_number(const char* key, double min, double max);
  // A nested object, read with the same accessors; its errors name "key.inner".
  Result<std::optional<JsonBody>> optional_object(const char* key);
  // An optional array of at most `max_items` objects (empty when absent).
  Result<std::vector<JsonBody>> objects(const char* key, size_t max_items);
  bool has(const char* key) const;
  // Refuses the body if it has a field that no accessor asked for.
  Status finish() const;

 private:
  std::string name(const char* key) const;
  std::string prefix_;  // "vgm." for a nested object
  boost::json::object obj_;
  std::set<std::string> seen_;
};

// {"error": {"code": ..., "message": ..., "field": ...}} with the status from http_status().
// Internal errors are logged and shown as a generic message that reveals nothing.
HttpResponse error_response(const Error& e);
HttpResponse json_response(int status, const boost::json::value& v);

}  // namespace minato::api
