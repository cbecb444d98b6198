// EDI over the API (G2.7.1-c/d): a line's or planner's upload goes through the same media
// intake as `minato edi import` — quarantine, SHA-256, type check, clamd scan, record — and is
// then imported in one audited transaction. The intake record is readable by planners and
// auditors. Uploads are the raw file as the body; larger than server.body_limit_bytes, use the
// CLI.
#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>

#include "api/handlers.h"
#include "api/route_kit.h"
#include "app/runtime.h"
#include "app/views.h"

namespace minato::api {

namespace json = boost::json;

namespace {

bool upload_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  return t == "application/edifact" || t == "application/octet-stream" || t == "text/plain";
}

// 415 unless the body is sent as a file (imports and previews alike).
std::optional<HttpResponse> upload_refusal(const HttpRequest& req) {
  if (upload_type(req.header("content-type"))) return std::nullopt;
  return ok_json(json::object{{"error", json::object{{"code", "unsupported_media_type"},
                                                     {"message",
                                                      "send the file itself as the body, with "
                                                      "Content-Type application/edifact, "
                                                      "text/plain or application/octet-stream"}}}},
                 415);
}

// The `strictness` query parameter (lenient when absent).
Result<edi::Strictness> strictness_param(const std::map<std::string, std::string>& q) {
  auto it = q.find("strictness");
  if (it == q.end()) return edi::Strictness::kLenient;
  auto s = edi::parse_strictness(it->second);
  if (!s) {
    return fail(ErrorCode::kInvalidArgument, "strictness must be lenient or strict", "strictness");
  }
  return *s;
}

// The file's name as the client gives it (X-File-Name), for the intake record.
std::string file_name(const HttpRequest& req) {
  std::string name(req.header("x-file-name"));
  return name.empty() ? "upload.edi" : name;
}

}  // namespace

void Api::add_edi_routes() {
  router_.add("POST", "/api/v1/edi/imports",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                if (auto refused = upload_refusal(req)) return *refused;
                auto q = parse_query(req.query, {"visit", "port", "strictness"});
                if (!q) return fail(q.error());
                app::EdiImportOptions opt;
                if (auto it = q->find("visit"); it != q->end()) opt.visit_id = it->second;
                opt.port = rt_.config().locode;
                if (auto it = q->find("port"); it != q->end()) opt.port = it->second;
                auto strictness = strictness_param(*q);
                if (!strictness) return fail(strictness.error());
                opt.strictness = *strictness;
                auto r = rt_.edi().import_file(c.actor, file_name(req), req.body, "api", opt);
                if (!r) return fail(r.error());
                return ok_json(json::parse(app::response_json(*r)),
                               r->already_imported ? 200 : 201);
              }));
  // The preview before an import: the file through the intake, then read and mapped; nothing
  // is applied. The console posts the same file to /api/v1/edi/imports after.
  router_.add("POST", "/api/v1/edi/inspections",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                if (auto refused = upload_refusal(req)) return *refused;
                auto q = parse_query(req.query, {"strictness"});
                if (!q) return fail(q.error());
                auto strictness = strictness_param(*q);
                if (!strictness) return fail(strictness.error());
                const std::string name = file_name(req);
                auto r = rt_.edi().inspect_file(c.actor, name, req.body, "api", *strictness);
                if (!r) return fail(r.error());
                json::array warnings;
                for (const auto& w : r->warnings) warnings.emplace_back(w);
                return ok_json(json::object{{"this_intake_id", r->intake_id},
                                            {"sha256", r->sha256},
                                            {"warnings", std::move(warnings)},
                                            {"inspection", std::move(r->inspection)}});
              }));
  router_.add("GET", "/api/v1/edi/intake",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"limit"});
                if (!q) return fail(q.error());
                int limit = 50;
                if (auto it = q->find("limit"); it != q->end()) {
                  limit = 0;
                  for (char ch : it->second) {
                    if (ch < '0' || ch > '9' || limit > 1000) {
                      return fail(ErrorCode::kInvalidArgument, "limit must be 1-1000", "limit");
                    }
                    limit = limit * 10 + (ch - '0');
                  }
                  if (limit < 1 || limit > 1000) {
                    return fail(ErrorCode::kInvalidArgument, "limit must be 1-1000", "limit");
                  }
                }
                auto list = rt_.intake().list(c.actor, limit);
                if (!list) return fail(list.error());
                json::array out;
                for (const auto& r : *list) out.push_back(app::to_json(r));
                return ok_json(json::object{{"intake", std::move(out)}});
              }));
}

}  // namespace minato::api
