// The compliance register over the API (issue 21): every guideline item checked now (each call
// is a recorded run; reads need compliance.read — auditors and security officers), the signed
// report, and the evidence of organisational measures (compliance.evidence — security officers),
// whose files go through the media intake (ComplianceService, app/compliance/).
//
//   GET  /api/v1/compliance                        the items, both languages, and the totals
//   POST /api/v1/compliance/reports                {lang, format} -> the report and its .sig
//   GET  /api/v1/compliance/evidence[?withdrawn=1]
//   POST /api/v1/compliance/evidence               {item, title, owner, dated, review_by,
//                                                   note?, not_applicable?, files?: [{name,
//                                                   content (base64url)}]}
//   POST /api/v1/compliance/evidence/{id}/withdrawal  {reason}
#include <boost/json.hpp>

#include "api/handlers.h"
#include "api/route_kit.h"
#include "api/router.h"
#include "app/compliance/report_service.h"
#include "app/runtime.h"
#include "common/clock.h"
#include "crypto/random.h"
#include "identity/webauthn.h"

namespace minato::api {

namespace json = boost::json;
namespace cp = app::compliance;

namespace {

json::object item_json(const cp::ItemResult& i) {
  json::array values;
  for (const auto& v : i.values)
    values.push_back(json::object{{"name", v.name}, {"value", v.value}});
  json::array evidence;
  for (const auto& e : i.evidence) evidence.push_back(cp::to_json(e));
  return {{"id", i.item->id},
          {"section", i.item->section},
          {"section_en", cp::section_title(i.item->section, false)},
          {"section_ja", cp::section_title(i.item->section, true)},
          {"law", i.item->law},
          {"kind", cp::to_string(i.item->kind)},
          {"summary_en", i.item->summary_en},
          {"summary_ja", i.item->summary_ja},
          {"status", cp::to_string(i.status)},
          {"product_status", cp::to_string(i.product)},
          {"reason_en", i.reason.en},
          {"reason_ja", i.reason.ja},
          {"values", std::move(values)},
          {"evidence", std::move(evidence)},
          {"since", format_utc(i.since_us)}};
}

}  // namespace

void Api::add_compliance_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  router_.add(
      "GET", "/api/v1/compliance",
      authed(
          [this](const HttpRequest&, const PathParams&, const Caller& c) -> Result<HttpResponse> {
            auto a = rt_.compliance().run(c.actor);
            if (!a) return fail(a.error());
            json::array items;
            for (const auto& i : a->items) items.push_back(item_json(i));
            json::object totals;
            for (auto s : {cp::ItemStatus::kPass, cp::ItemStatus::kPartial, cp::ItemStatus::kFail,
                           cp::ItemStatus::kEvidenceNeeded, cp::ItemStatus::kNotApplicable}) {
              auto it = a->totals.find(s);
              totals[cp::to_string(s)] = it == a->totals.end() ? 0 : it->second;
            }
            return ok_json(json::object{{"checked", format_utc(a->at_us)},
                                        {"totals", std::move(totals)},
                                        {"items", std::move(items)}});
          }));

  router_.add("POST", "/api/v1/compliance/reports",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto lang = b.string("lang", 2);
                    if (!lang) return fail(lang.error());
                    auto format = b.string("format", 8);
                    if (!format) return fail(format.error());
                    MINATO_TRY(b.finish());
                    auto f = cp::parse_report_format(*format);
                    if (!f) return fail(f.error());
                    auto r = cp::ReportService(rt_).make(c.actor, *lang, *f);
                    if (!r) return fail(r.error());
                    const auto& m = r->report.meta;
                    const std::string ext =
                        *f == cp::ReportFormat::kOscal ? "oscal.json" : std::string(*format);
                    const std::string name = "compliance-" + m.id + "." + ext;
                    return ok_json(
                        json::object{{"id", m.id},
                                     {"file_name", name},
                                     {"content_type", cp::content_type(*f)},
                                     {"content", identity::webauthn::base64url_encode(r->bytes)},
                                     {"signature_name", name + ".sig"},
                                     {"signature", r->signature},
                                     {"event_seq", m.event_seq},
                                     {"checkpoint", m.checkpoint.size}},
                        201);
                  })));

  router_.add("GET", "/api/v1/compliance/evidence",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"withdrawn"});
                if (!q) return fail(q.error());
                auto withdrawn = query_int(*q, "withdrawn", 0, 0, 1);
                if (!withdrawn) return fail(withdrawn.error());
                auto all = rt_.compliance().evidence(c.actor, *withdrawn == 1);
                if (!all) return fail(all.error());
                json::array out;
                for (const auto& e : *all) out.push_back(cp::to_json(e));
                return ok_json(json::object{{"evidence", std::move(out)}});
              }));

  router_.add(
      "POST", "/api/v1/compliance/evidence",
      authed(with_body([this](JsonBody& b, const PathParams&,
                              const Caller& c) -> Result<HttpResponse> {
        cp::EvidenceInput in;
        in.channel = "api";
        for (auto [key, into, max] :
             {std::tuple{"item", &in.item, size_t{16}}, std::tuple{"title", &in.title, size_t{200}},
              std::tuple{"owner", &in.owner, size_t{100}},
              std::tuple{"dated", &in.dated, size_t{10}},
              std::tuple{"review_by", &in.review_by, size_t{10}}}) {
          auto v = b.string(key, max);
          if (!v) return fail(v.error());
          *into = *v;
        }
        auto note = b.optional_string("note", 4000);
        if (!note) return fail(note.error());
        if (*note) in.note = **note;
        auto na = b.optional_bool("not_applicable");
        if (!na) return fail(na.error());
        if (*na && **na) in.kind = "not_applicable";
        auto files = b.objects("files", 10);
        if (!files) return fail(files.error());
        {
          for (auto& f : *files) {
            auto name = f.string("name", 200);
            if (!name) return fail(name.error());
            auto content = f.string("content", 2u << 20);
            if (!content) return fail(content.error());
            MINATO_TRY(f.finish());
            auto raw = identity::webauthn::base64url_decode(*content);
            if (!raw) {
              return fail(ErrorCode::kInvalidArgument,
                          "files: content of '" + name->substr(0, 80) + "' must be base64url",
                          "files");
            }
            in.files.push_back({*name, std::move(*raw)});
          }
        }
        MINATO_TRY(b.finish());
        auto e = rt_.compliance().add_evidence(c.actor, in);
        if (!e) return fail(e.error());
        return ok_json(cp::to_json(*e), 201);
      })));

  router_.add("POST", "/api/v1/compliance/evidence/{id}/withdrawal",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto reason = b.string("reason", 1000);
                if (!reason) return fail(reason.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.compliance().withdraw_evidence(c.actor, *id, *reason));
                return no_content();
              })));
}

}  // namespace minato::api
