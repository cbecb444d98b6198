// Who may log in from where (G2.1.1-a, G2.2.2-f), as security staff work with it: the source
// addresses blocked now after repeated failed logins, the early end of a block, and the rules
// of each role (sources, login hours). A role rule is changed under the two-person rule
// (POST /api/v1/approvals, kind role.rule), never directly.
#include <boost/json.hpp>

#include "api/handlers.h"
#include "common/clock.h"

namespace minato::api {

namespace json = boost::json;

void Api::add_source_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  router_.add(
      "GET", "/api/v1/source-blocks",
      authed(
          [this](const HttpRequest&, const PathParams&, const Caller& c) -> Result<HttpResponse> {
            auto blocks = rt_.identity().source_blocks(c.actor);
            if (!blocks) return fail(blocks.error());
            json::array arr;
            for (const auto& b : *blocks) {
              arr.push_back(json::object{{"source", b.source}, {"until", format_utc(b.until_us)}});
            }
            const auto& policy = rt_.identity().source_policy();
            return ok_json(json::object{{"blocks", std::move(arr)},
                                        {"policy", json::object{{"threshold", policy.threshold},
                                                                {"window_s", policy.window_s},
                                                                {"block_s", policy.block_s}}}});
          }));

  router_.add("POST", "/api/v1/source-blocks/unblock",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto source = b.string("source", 64);
                    if (!source) return fail(source.error());
                    auto reason = b.string("reason", 200);
                    if (!reason) return fail(reason.error());
                    MINATO_TRY(b.finish());
                    MINATO_TRY(rt_.identity().unblock_source(c.actor, *source, *reason));
                    return ok_json(json::object{{"source", *source}, {"blocked", false}});
                  })));

  router_.add("GET", "/api/v1/role-rules",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto rules = rt_.access().role_rules(c.actor);
                if (!rules) return fail(rules.error());
                json::array arr;
                for (const auto& r : *rules) {
                  arr.push_back(json::object{{"role", r.role},
                                             {"allowed_sources", r.allowed_sources},
                                             {"login_window", r.login_window},
                                             {"updated", format_utc(r.updated_us)},
                                             {"granted_by", r.granted_by}});
                }
                return ok_json(json::object{{"rules", std::move(arr)}});
              }));
}

}  // namespace minato::api
