// The vulnerability register over the API (G2.7.5): advisory feeds taken in through the media
// intake, the findings (KEV and ransomware use first, with the feeds' ages and what may be
// missing), and each finding's plan. Commands need asset.manage; reads asset.manage or
// audit.read (VulnerabilityService checks and records them).
#include <boost/json.hpp>

#include "api/handlers.h"
#include "api/route_kit.h"
#include "app/runtime.h"
#include "app/views.h"

namespace minato::api {

namespace json = boost::json;

void Api::add_vuln_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  // The feed itself as the body (application/json): OSV records or the KEV catalogue.
  router_.add(
      "POST", "/api/v1/vulnerability-feeds",
      authed([this](const HttpRequest& req, const PathParams&,
                    const Caller& c) -> Result<HttpResponse> {
        std::string_view type = req.header("content-type");
        type = type.substr(0, type.find(';'));
        if (type != "application/json" && type != "application/zip") {
          return ok_json(
              json::object{{"error", json::object{{"code", "unsupported_media_type"},
                                                  {"message",
                                                   "send the feed file itself as the body, with "
                                                   "Content-Type application/json (or "
                                                   "application/zip for OSV's all.zip)"}}}},
              415);
        }
        std::string name(req.header("x-file-name"));
        auto r = rt_.vulnerabilities().import_feed(c.actor, name.empty() ? "feed.json" : name,
                                                   req.body, "api");
        if (!r) return fail(r.error());
        return ok_json(app::to_json(*r), 201);
      }));

  router_.add("GET", "/api/v1/findings",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto r = rt_.vulnerabilities().list(c.actor);
                if (!r) return fail(r.error());
                return ok_json(app::to_json(*r));
              }));

  router_.add("GET", "/api/v1/findings/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto v = rt_.vulnerabilities().show(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v));
              }));

  router_.add("PATCH", "/api/v1/findings/{id}",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                app::FindingPlan plan;
                for (const auto& field : app::kPlanFields) {
                  const std::string key(field.name);
                  auto v = b.optional_string(key.c_str(), app::VulnerabilityService::kMaxPlanField);
                  if (!v) return fail(v.error());
                  if (*v) plan[key] = std::move(**v);
                }
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.vulnerabilities().plan(c.actor, *id, plan));
                auto v = rt_.vulnerabilities().show(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v));
              })));
}

}  // namespace minato::api
