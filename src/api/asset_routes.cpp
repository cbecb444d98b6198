// The asset register over the API (G1.2, G2.6.1-a, A1.3.1-3): assets, their work records, media
// loans on approved requests, inventory CSV through the media intake. Commands need
// asset.manage; reads asset.manage or audit.read (AssetService checks and records them).
#include <boost/json.hpp>

#include "api/handlers.h"
#include "api/route_kit.h"
#include "app/runtime.h"
#include "app/views.h"

namespace minato::api {

namespace json = boost::json;

namespace {

// The ledger's fields a body may give (all optional: those absent stay as they are).
Status read_fields(JsonBody& b, store::AssetRecord& a) {
  for (const auto& f : app::kAssetFields) {
    if (f.name == "tag") continue;  // named by the path or given first
    const std::string key(f.name);
    auto v = b.optional_string(key.c_str(), app::AssetService::kMaxField);
    if (!v) return fail(v.error());
    if (*v) a.*f.member = std::move(**v);
  }
  return ok();
}

}  // namespace

void Api::add_asset_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  router_.add("GET", "/api/v1/assets",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto all = rt_.assets().list(c.actor);
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& a : *all) arr.push_back(app::to_json(a));
                return ok_json(json::object{{"assets", std::move(arr)}});
              }));

  router_.add("POST", "/api/v1/assets",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    store::AssetRecord a;
                    auto tag = b.string("tag", 32);
                    if (!tag) return fail(tag.error());
                    a.tag = *tag;
                    a.state = "in_service";
                    MINATO_TRY(read_fields(b, a));
                    MINATO_TRY(b.finish());
                    auto id = rt_.assets().add(c.actor, a);
                    if (!id) return fail(id.error());
                    auto v = rt_.assets().show(c.actor, a.tag);
                    if (!v) return fail(v.error());
                    return ok_json(app::to_json(*v), 201);
                  })));

  router_.add("GET", "/api/v1/assets/{tag}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto v = rt_.assets().show(c.actor, p.at("tag"));
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v));
              }));

  router_.add("PATCH", "/api/v1/assets/{tag}",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto v = rt_.assets().show(c.actor, p.at("tag"));
                if (!v) return fail(v.error());
                store::AssetRecord a = v->asset;
                MINATO_TRY(read_fields(b, a));
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.assets().update(c.actor, a));
                auto after = rt_.assets().show(c.actor, a.tag);
                if (!after) return fail(after.error());
                return ok_json(app::to_json(*after));
              })));

  router_.add("POST", "/api/v1/assets/{tag}/work",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                store::WorkRecord w;
                auto date = b.string("date", 10);
                if (!date) return fail(date.error());
                auto work = b.string("work", app::AssetService::kMaxField);
                if (!work) return fail(work.error());
                auto worker = b.string("worker", 200);
                if (!worker) return fail(worker.error());
                auto approved = b.optional_string("approved_by", 200);
                if (!approved) return fail(approved.error());
                MINATO_TRY(b.finish());
                w.work_date = *date;
                w.work = *work;
                w.worker = *worker;
                w.approved_by = approved->value_or("");
                auto id = rt_.assets().record_work(c.actor, p.at("tag"), w);
                if (!id) return fail(id.error());
                return ok_json(json::object{{"id", *id}}, 201);
              })));

  // G2.6.1-c, G2.6.3: the asset's data was erased; its signed certificate disposes of it.
  router_.add("POST", "/api/v1/assets/{tag}/disposal",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto cert = b.string("certificate", 256 * 1024);
                if (!cert) return fail(cert.error());
                auto fingerprint = b.optional_string("fingerprint", 64);
                if (!fingerprint) return fail(fingerprint.error());
                MINATO_TRY(b.finish());
                auto id =
                    rt_.assets().dispose(c.actor, p.at("tag"), *cert, fingerprint->value_or(""));
                if (!id) return fail(id.error());
                auto v = rt_.assets().show(c.actor, p.at("tag"));
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v), 201);
              })));

  // G1.2: a medium goes out only on a request a security officer approved.
  router_.add("POST", "/api/v1/assets/{tag}/checkout-requests",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto holder = b.string("holder", 200);
                if (!holder) return fail(holder.error());
                auto purpose = b.string("purpose", app::AssetService::kMaxField);
                if (!purpose) return fail(purpose.error());
                auto days = b.integer("days", 1, 30);
                if (!days) return fail(days.error());
                MINATO_TRY(b.finish());
                auto id = rt_.access().request_media_checkout(c.actor, p.at("tag"), *holder,
                                                              *purpose, static_cast<int>(*days));
                if (!id) return fail(id.error());
                return ok_json(json::object{{"approval", *id}}, 201);
              })));

  router_.add("GET", "/api/v1/media-loans",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto loans = rt_.assets().loans_out(c.actor);
                if (!loans) return fail(loans.error());
                json::array arr;
                const int64_t now = rt_.clock().now_us();
                for (const auto& l : *loans) arr.push_back(app::to_json(l, now));
                return ok_json(json::object{{"loans", std::move(arr)}});
              }));

  router_.add("POST", "/api/v1/media-loans",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto approval = b.integer("approval", 1, INT64_MAX);
                    if (!approval) return fail(approval.error());
                    MINATO_TRY(b.finish());
                    auto id = rt_.assets().checkout(c.actor, *approval);
                    if (!id) return fail(id.error());
                    return ok_json(json::object{{"loan", *id}}, 201);
                  })));

  router_.add("POST", "/api/v1/assets/{tag}/return",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto note = b.optional_string("note", app::AssetService::kMaxField);
                if (!note) return fail(note.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.assets().return_media(c.actor, p.at("tag"), note->value_or("")));
                auto v = rt_.assets().show(c.actor, p.at("tag"));
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v));
              })));

  // An inventory CSV as the body (text/csv), through the media intake, all or nothing.
  router_.add("POST", "/api/v1/asset-imports",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                std::string_view type = req.header("content-type");
                type = type.substr(0, type.find(';'));
                if (type != "text/csv" && type != "text/plain") {
                  return ok_json(
                      json::object{{"error", json::object{{"code", "unsupported_media_type"},
                                                          {"message",
                                                           "send the CSV file itself as the body, "
                                                           "with Content-Type text/csv"}}}},
                      415);
                }
                std::string name(req.header("x-file-name"));
                auto r = rt_.assets().import_csv(c.actor, name.empty() ? "inventory.csv" : name,
                                                 req.body, "api");
                if (!r) return fail(r.error());
                return ok_json(json::object{{"intake", r->intake_id},
                                            {"added", r->added},
                                            {"updated", r->updated},
                                            {"unchanged", r->unchanged}},
                               201);
              }));
}

}  // namespace minato::api
