// Incidents (G3.1): the register, incident mode's containment measures, the timeline and the
// report. Commands need incident.manage (security officers); reads incident.manage or
// audit.read (IncidentService checks both and records each read).
#include <boost/json.hpp>

#include "api/handlers.h"
#include "app/views.h"
#include "common/clock.h"
#include "common/files.h"

namespace minato::api {

namespace json = boost::json;

namespace {

// Larger bundles stay on the server (the console says where).
constexpr int64_t kMaxEvidenceDownload = int64_t{256} << 20;

Result<app::Measure> measure_field(JsonBody& b) {
  auto name = b.string("measure", 16);
  if (!name) return fail(name.error());
  auto m = app::measure_from(*name);
  if (!m) {
    return fail(ErrorCode::kInvalidArgument,
                "measure is sessions, tokens, vendors, listener, freeze or operations", "measure");
  }
  return *m;
}

json::object view_json(const app::IncidentView& v) {
  json::object out = app::to_json(v.incident);
  json::array timeline;
  for (const auto& e : v.timeline) timeline.push_back(app::to_json(e));
  out["timeline"] = std::move(timeline);
  return out;
}

}  // namespace

void Api::add_incident_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  router_.add("GET", "/api/v1/incidents",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"limit"});
                if (!q) return fail(q.error());
                auto limit = query_int(*q, "limit", 50, 1, 500);
                if (!limit) return fail(limit.error());
                auto all = rt_.incidents().list(c.actor, static_cast<int>(*limit));
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& i : *all) arr.push_back(app::to_json(i));
                return ok_json(json::object{{"incidents", std::move(arr)}});
              }));

  router_.add("POST", "/api/v1/incidents",
              authed(with_body([this](JsonBody& b, const PathParams&,
                                      const Caller& c) -> Result<HttpResponse> {
                auto severity = b.string("severity", 16);
                if (!severity) return fail(severity.error());
                auto summary = b.string("summary", app::IncidentService::kMaxSummary);
                if (!summary) return fail(summary.error());
                auto names = b.optional_strings("contain", 6, 16);
                if (!names) return fail(names.error());
                MINATO_TRY(b.finish());
                std::vector<app::Measure> measures;
                for (const auto& n : names->value_or(std::vector<std::string>{})) {
                  auto m = app::measure_from(n);
                  if (!m) {
                    return fail(ErrorCode::kInvalidArgument,
                                "unknown measure '" + n +
                                    "' (sessions, tokens, vendors, listener, freeze, operations)",
                                "contain");
                  }
                  measures.push_back(*m);
                }
                auto id = rt_.incidents().open(c.actor, *severity, *summary, measures);
                if (!id) return fail(id.error());
                auto v = rt_.incidents().show(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(view_json(*v), 201);
              })));

  router_.add("GET", "/api/v1/incidents/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto v = rt_.incidents().show(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(view_json(*v));
              }));

  router_.add("POST", "/api/v1/incidents/{id}/entries",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto kind = b.string("kind", 16);
                if (!kind) return fail(kind.error());
                auto text = b.string("text", app::IncidentService::kMaxText);
                if (!text) return fail(text.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.incidents().record(c.actor, *id, *kind, *text));
                return ok_json(json::object{{"incident", *id}, {"kind", *kind}}, 201);
              })));

  router_.add("PUT", "/api/v1/incidents/{id}/report",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                std::vector<std::pair<std::string, std::string>> fields;
                for (auto key : app::kReportFields) {
                  std::string k(key);
                  auto v = b.optional_string(k.c_str(), app::IncidentService::kMaxText);
                  if (!v) return fail(v.error());
                  if (*v) fields.emplace_back(k, **v);
                }
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.incidents().update_report(c.actor, *id, fields));
                auto v = rt_.incidents().show(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(view_json(*v));
              })));

  // G3.1-b: the evidence bundle, made and handed over as a tar file (kept in the data
  // directory too); `minato incident verify-evidence` checks it anywhere.
  router_.add("POST", "/api/v1/incidents/{id}/evidence",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                app::EvidenceRequest req;
                req.incident_id = *id;
                for (auto [key, into] : {std::pair{"from", &req.from_us}, {"to", &req.to_us}}) {
                  auto v = b.optional_string(key, 32);
                  if (!v) return fail(v.error());
                  if (*v && !parse_utc(**v, into)) {
                    return fail(ErrorCode::kInvalidArgument,
                                std::string(key) + " must look like 2026-12-01T00:00:00Z", key);
                  }
                }
                MINATO_TRY(b.finish());
                auto path = rt_.evidence().kept_path(*id);
                if (!path) return fail(path.error());
                req.path = *path;
                auto made = rt_.evidence().write(c.actor, req);
                if (!made) return fail(made.error());
                if (made->bytes > kMaxEvidenceDownload) {
                  return fail(ErrorCode::kFailedPrecondition,
                              "the bundle is " + std::to_string(made->bytes >> 20) +
                                  " MiB, more than the console hands over; it is kept on the "
                                  "server at " +
                                  *path);
                }
                auto bytes = read_file(*path, static_cast<size_t>(kMaxEvidenceDownload));
                if (!bytes) return fail(bytes.error());
                return attachment(201, "application/x-tar", std::move(*bytes),
                                  path->substr(path->rfind('/') + 1));
              })));

  router_.add("POST", "/api/v1/incidents/{id}/measures",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto m = measure_field(b);
                if (!m) return fail(m.error());
                auto reason = b.string("reason", app::IncidentService::kMaxText);
                if (!reason) return fail(reason.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.incidents().contain(c.actor, *id, *m, *reason));
                return ok_json(json::object{{"measure", app::to_string(*m)}, {"on", true}}, 201);
              })));

  router_.add("POST", "/api/v1/incidents/{id}/close",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto reason = b.string("reason", app::IncidentService::kMaxText);
                if (!reason) return fail(reason.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.incidents().close(c.actor, *id, *reason));
                auto v = rt_.incidents().show(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(view_json(*v));
              })));

  router_.add("GET", "/api/v1/containment",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto all = rt_.incidents().measures(c.actor);
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& m : *all) arr.push_back(app::to_json(m));
                return ok_json(json::object{{"measures", std::move(arr)}});
              }));

  router_.add("POST", "/api/v1/containment/release",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto m = measure_field(b);
                    if (!m) return fail(m.error());
                    auto reason = b.string("reason", app::IncidentService::kMaxText);
                    if (!reason) return fail(reason.error());
                    MINATO_TRY(b.finish());
                    MINATO_TRY(rt_.incidents().release(c.actor, *m, *reason));
                    return ok_json(json::object{{"measure", app::to_string(*m)}, {"on", false}});
                  })));
}

}  // namespace minato::api
