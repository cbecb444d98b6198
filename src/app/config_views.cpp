// JSON views of configuration control (app/views.h): the running configuration with where each
// value came from, the versions of minato.toml, a proposal; and the key inventory (G2.3-c).
#include <boost/json.hpp>

#include "app/views.h"
#include "common/clock.h"

namespace minato::app {

namespace json = boost::json;

json::array to_json(const std::vector<config::SettingChange>& changes) {
  json::array out;
  for (const auto& c : changes) {
    out.push_back(json::object{
        {"setting", c.name}, {"from", c.from}, {"to", c.to}, {"security", c.security}});
  }
  return out;
}

json::object to_json(const store::ConfigVersionRecord& v, bool with_text) {
  boost::system::error_code ec;
  json::value changes = json::parse(v.changes, ec);
  if (ec) changes = json::array();
  json::object o{{"id", v.id},
                 {"sha256", v.sha256},
                 {"kind", v.kind},
                 {"approval", v.approval_id},
                 {"changes", std::move(changes)},
                 {"recorded", format_utc(v.recorded_us)},
                 {"recorded_by", v.recorded_by}};
  if (with_text) o["text"] = v.text;
  return o;
}

json::object to_json(const ConfigView& view) {
  json::array settings;
  for (const auto& s : view.settings) {
    json::object o{{"setting", s.name},      {"value", s.value},   {"default", s.default_value},
                   {"security", s.security}, {"source", s.source}, {"line", s.line}};
    if (!s.file_value.empty() || s.source == "held" || s.source == "flag") {
      o["file_value"] = s.file_value;
    }
    if (s.version_id != 0) {
      o["since"] = json::object{{"version", s.version_id},
                                {"kind", s.version_kind},
                                {"approval", s.approval_id},
                                {"at", format_utc(s.since_us)},
                                {"by", s.by}};
    }
    settings.push_back(std::move(o));
  }
  json::array versions;
  for (const auto& v : view.versions) versions.push_back(to_json(v));
  json::array proposals;
  for (const auto& a : view.proposals) {
    boost::system::error_code ec;
    json::value p = json::parse(a.payload, ec);
    json::value changes = json::array();
    std::string sha;
    if (!ec && p.is_object()) {
      if (auto* c = p.as_object().if_contains("changes")) changes = *c;
      if (auto* s = p.as_object().if_contains("sha256"); s && s->is_string()) {
        sha = std::string(s->as_string());
      }
    }
    proposals.push_back(json::object{{"id", a.id},
                                     {"status", a.status},
                                     {"reason", a.reason},
                                     {"requested_by", a.requested_by},
                                     {"requested_at", format_utc(a.requested_us)},
                                     {"decided_by", a.decided_by},
                                     {"expires_at", format_utc(a.expires_us)},
                                     {"sha256", sha},
                                     {"changes", std::move(changes)}});
  }
  return json::object{{"file_sha256", view.file_sha256},
                      {"running_sha256", view.running_sha256},
                      {"in_force_sha256", view.in_force_sha256},
                      {"restart_needed", view.restart_needed},
                      {"held", to_json(view.held)},
                      {"settings", std::move(settings)},
                      {"versions", std::move(versions)},
                      {"proposals", std::move(proposals)}};
}

json::object to_json(const ConfigProposal& p) {
  return json::object{
      {"approval", p.approval_id}, {"sha256", p.sha256}, {"changes", to_json(p.changes)}};
}

json::object to_json(const KeyView& k) {
  auto at = [](int64_t us) { return us == 0 ? std::string() : format_utc(us); };
  return json::object{{"key", k.info.name},
                      {"purpose", k.info.purpose},
                      {"algorithm", k.info.algorithm},
                      {"rotation", k.info.rotation},
                      {"location", k.location},
                      {"present", k.present},
                      {"fingerprint", k.record.fingerprint},
                      {"subject", k.subject},
                      {"created", at(k.record.created_us)},
                      {"rotated", at(k.record.rotated_us)},
                      {"rotated_by", k.record.rotated_by},
                      {"expires", at(k.record.expires_us)},
                      {"warning", k.warning}};
}

}  // namespace minato::app
