// Configuration control over the API (app/config_service.h): the running configuration with
// where each value came from, the versions of minato.toml, proposals under the two-person rule
// (approved like every privileged change: POST /api/v1/approvals/{id}/approve) and applying an
// approved one. Reads need config.read, change.approve or audit.read; proposing and applying
// config.write (ConfigService checks and records them).
#include <boost/json.hpp>

#include "api/handlers.h"
#include "api/route_kit.h"
#include "app/runtime.h"
#include "app/views.h"

namespace minato::api {

namespace json = boost::json;

void Api::add_config_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  router_.add("GET", "/api/v1/config",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto v = rt_.config_control().view(c.actor);
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v));
              }));

  // G2.3-c: the key inventory (rotation is at the server's CLI: `minato key rotate`).
  router_.add("GET", "/api/v1/keys",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto keys = rt_.keys().list(c.actor);
                if (!keys) return fail(keys.error());
                json::array out;
                for (const auto& k : *keys) out.push_back(app::to_json(k));
                return ok_json(json::object{{"keys", std::move(out)}});
              }));

  router_.add("GET", "/api/v1/config/versions/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto v = rt_.config_control().version(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v, true));
              }));

  // {"changes": [{"setting": "login.lockout_threshold", "value": "3"}], "reason": "..."};
  // no changes: minato.toml as it stands (its held changes).
  router_.add("POST", "/api/v1/config/proposals",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto items = b.objects("changes", 100);
                    if (!items) return fail(items.error());
                    std::vector<std::pair<std::string, std::string>> changes;
                    for (auto& item : *items) {
                      auto setting = item.string("setting", 100);
                      if (!setting) return fail(setting.error());
                      auto value = item.string("value", 4096);
                      if (!value) return fail(value.error());
                      MINATO_TRY(item.finish());
                      changes.emplace_back(std::move(*setting), std::move(*value));
                    }
                    auto reason = b.string("reason", 200);
                    if (!reason) return fail(reason.error());
                    MINATO_TRY(b.finish());
                    auto p = rt_.config_control().propose(c.actor, changes, *reason);
                    if (!p) return fail(p.error());
                    return ok_json(app::to_json(*p), 201);
                  })));

  router_.add("POST", "/api/v1/config/proposals/{id}/apply",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto r = rt_.config_control().apply(c.actor, *id);
                if (!r) return fail(r.error());
                return ok_json(app::to_json(*r));
              }));
}

}  // namespace minato::api
