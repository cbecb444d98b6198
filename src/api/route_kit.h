// Internal to api/: what the route files share — the authenticated caller, the wrappers that
// authenticate and parse bodies, and small response helpers. Not a public header.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "access/roles.h"
#include "api/http.h"
#include "api/json.h"
#include "api/router.h"
#include "identity/sessions.h"

namespace minato::api {

struct Caller {
  identity::Session session;
  access::Actor actor;
  std::string token;
  bool via_api_token = false;  // a line's or haulier's client with a bearer token
};

using CallerHandler =
    std::function<Result<HttpResponse>(const HttpRequest&, const PathParams&, const Caller&)>;
using BodyHandler =
    std::function<Result<HttpResponse>(JsonBody&, const PathParams&, const Caller&)>;
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

// 415 unless the request says its body is JSON (a cross-site form cannot say so).
std::optional<HttpResponse> require_json(const HttpRequest& req);
HttpResponse ok_json(const boost::json::value& v, int status = 200);
// A body already serialised (a stored idempotent response).
HttpResponse raw_json(std::string body, int status);
HttpResponse no_content();
// A file handed over as a download (Content-Disposition: attachment; filename="...").
HttpResponse attachment(int status, std::string content_type, std::string body,
                        const std::string& filename);
// Parses the body as strict JSON, then calls `fn`.
CallerHandler with_body(BodyHandler fn);
// Runs a state-changing handler under the request's Idempotency-Key, if it has one: the
// command runs once per (caller, key); a retry gets the first response again with
// "Idempotent-Replayed: true". `status` is the status of a first success.
CallerHandler idempotent(int status, CallerHandler fn);
// Runs `fn`, turning an Error into its JSON response.
HttpResponse guarded(const std::function<Result<HttpResponse>()>& fn);
Result<int64_t> time_field(JsonBody& body, const char* key);
// A positive integer id from path parameter `name`, or kInvalidArgument naming it.
Result<int64_t> id_param(const PathParams& p, const char* name);

}  // namespace minato::api
