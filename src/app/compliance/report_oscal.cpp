// The compliance report as OSCAL 1.1.2 assessment-results JSON, for GRC tools that read it: one
// result for this assessment; per guideline item an observation (what the check saw, its
// values) and a finding whose target is the item (objective-id) with state satisfied or
// not-satisfied and the Minato status as its reason. UUIDs are derived from the report's id and
// the item (name-based, version 5 layout), so the same report always yields the same file.
#include <boost/json.hpp>

#include "app/compliance/report.h"
#include "common/clock.h"
#include "crypto/random.h"

namespace minato::app::compliance {
namespace json = boost::json;
namespace {

constexpr std::string_view kNs = "urn:minato:compliance";

std::string uuid_of(std::string_view report_id, std::string_view name) {
  std::string h = crypto::sha256(std::string(report_id) + "/" + std::string(name)).substr(0, 16);
  h[6] = static_cast<char>((h[6] & 0x0f) | 0x50);
  h[8] = static_cast<char>((h[8] & 0x3f) | 0x80);
  const std::string x = crypto::to_hex(h);
  return x.substr(0, 8) + "-" + x.substr(8, 4) + "-" + x.substr(12, 4) + "-" + x.substr(16, 4) +
         "-" + x.substr(20, 12);
}

json::object prop(std::string_view name, std::string_view value) {
  return {{"name", name}, {"ns", kNs}, {"value", value.empty() ? "-" : value}};
}

}  // namespace

std::string report_oscal(const Report& r) {
  const bool ja = r.meta.lang == "ja";
  const std::string at = format_utc(r.meta.generated_us);
  json::array observations, findings;
  for (const auto& i : r.assessment.items) {
    const std::string id(i.item->id);
    const std::string obs = uuid_of(r.meta.id, "observation/" + id);
    json::array props{prop("status", to_string(i.status)),
                      prop("product-status", to_string(i.product)),
                      prop("kind", to_string(i.item->kind))};
    if (!i.item->law.empty()) props.push_back(prop("law", i.item->law));
    std::string values;
    for (const auto& v : i.values) values += "- " + v.name + " = " + v.value + "\n";
    json::array evidence;
    for (const auto& e : i.evidence) {
      evidence.push_back(json::object{
          {"href", "#evidence-" + std::to_string(e.record.id)},
          {"description", e.record.title + " (" + e.record.owner + ", review by " +
                              e.record.review_by + (e.current ? ")" : ", past review)")}});
    }
    json::object o{{"uuid", obs},
                   {"title", id},
                   {"description", std::string(ja ? i.reason.ja : i.reason.en) +
                                       (values.empty() ? "" : "\n\n" + values)},
                   {"props", std::move(props)},
                   {"methods", json::array{"TEST"}},
                   {"collected", at}};
    if (!evidence.empty()) o["relevant-evidence"] = std::move(evidence);
    observations.push_back(std::move(o));
    const bool satisfied = i.status == ItemStatus::kPass || i.status == ItemStatus::kNotApplicable;
    findings.push_back(json::object{
        {"uuid", uuid_of(r.meta.id, "finding/" + id)},
        {"title", id},
        {"description", ja ? i.item->summary_ja : i.item->summary_en},
        {"target",
         json::object{{"type", "objective-id"},
                      {"target-id", id},
                      {"status", json::object{{"state", satisfied ? "satisfied" : "not-satisfied"},
                                              {"reason", to_string(i.status)}}}}},
        {"related-observations", json::array{json::object{{"observation-uuid", obs}}}}});
  }
  json::object result{{"uuid", uuid_of(r.meta.id, "result")},
                      {"title", ja ? "港湾分野ガイドラインの稼働中確認"
                                   : "Live check of the port-sector guideline"},
                      {"description", std::string(ja ? "端末: " : "Terminal: ") + r.meta.terminal +
                                          (ja ? "。監査チェックポイント " : ". Audit checkpoint ") +
                                          std::to_string(r.meta.checkpoint.size) + " (" +
                                          crypto::to_hex(r.meta.checkpoint.root) + ", key " +
                                          r.meta.checkpoint.key_id + ")"},
                      {"start", at},
                      {"end", at},
                      {"props", json::array{prop("report-id", r.meta.id),
                                            prop("audit-event", std::to_string(r.meta.event_seq))}},
                      {"reviewed-controls",
                       json::object{{"control-selections",
                                     json::array{json::object{{"include-all", json::object{}}}}}}},
                      {"observations", std::move(observations)},
                      {"findings", std::move(findings)}};
  json::object doc{
      {"assessment-results",
       json::object{
           {"uuid", uuid_of(r.meta.id, "assessment-results")},
           {"metadata",
            json::object{
                {"title", std::string(ja ? "コンプライアンス報告書 — " : "Compliance report — ") +
                              r.meta.terminal},
                {"last-modified", at},
                {"version", r.meta.id},
                {"oscal-version", "1.1.2"},
                {"props", json::array{prop("generated-by", r.meta.generated_by)}}}},
           {"import-ap", json::object{{"href", "#minato-assessment-plan"}}},
           {"results", json::array{std::move(result)}}}}};
  return json::serialize(doc) + "\n";
}

}  // namespace minato::app::compliance
