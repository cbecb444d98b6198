#include "secops/debian_tracker.h"

#include <boost/json.hpp>

#include <map>
#include <string>

namespace minato::secops {

namespace json = boost::json;

namespace {

Error bad(const std::string& where, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, where + ": " + what, "file");
}

bool is_id(std::string_view id) {
  return (id.starts_with("CVE-") || id.starts_with("TEMP-")) && id.size() <= 60;
}

// A string member or "" when absent; an error when present and not a short string.
Result<std::string> text(const json::object& o, std::string_view key, const std::string& where,
                         size_t max) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string() || v->as_string().size() > max) {
    return fail(bad(where + "." + std::string(key),
                    "is not a string of at most " + std::to_string(max) + " characters"));
  }
  return std::string(v->as_string());
}

int urgency_rank(std::string_view u) {
  if (u.starts_with("high")) return 4;
  if (u.starts_with("medium")) return 3;
  if (u.starts_with("low")) return 2;
  if (u.starts_with("unimportant")) return 1;
  return 0;  // "not yet assigned", "end-of-life", ""
}

}  // namespace

std::string_view debian_release_number(std::string_view codename) {
  static const std::map<std::string_view, std::string_view> kReleases = {
      {"buster", "10"}, {"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"}};
  auto it = kReleases.find(codename);
  return it == kReleases.end() ? std::string_view() : it->second;
}

bool is_debian_tracker(const json::value& doc) {
  if (!doc.is_object() || doc.as_object().empty()) return false;
  const auto& o = doc.as_object();
  if (o.contains("id") || o.contains("vulnerabilities") || o.contains("schema_version")) {
    return false;
  }
  const auto& first = o.begin()->value();
  return first.is_object() && !first.as_object().empty() && is_id(first.as_object().begin()->key());
}

Result<Feed> debian_tracker_feed(const json::object& doc, size_t max_entries) {
  Feed f;
  f.kind = "debian";
  std::map<std::string, size_t> by_id;  // id -> index in f.advisories
  std::map<std::string, int> urgency;   // id -> the highest urgency seen
  for (const auto& [pkg_key, per_pkg] : doc) {
    const std::string package(pkg_key);
    const std::string pw = "package " + package.substr(0, 100);
    if (package.empty() || package.size() > 100) return fail(bad(pw, "not a package name"));
    if (!per_pkg.is_object()) return fail(bad(pw, "is not an object of CVEs"));
    for (const auto& [id_key, entry] : per_pkg.as_object()) {
      const std::string id(id_key);
      const std::string at = pw + ", " + id.substr(0, 60);
      if (!is_id(id)) return fail(bad(at, "is not a CVE- or TEMP- identifier"));
      if (!entry.is_object()) return fail(bad(at, "is not an object"));
      const auto& eo = entry.as_object();
      auto description = text(eo, "description", at, 20'000);
      if (!description) return fail(description.error());
      const auto* releases = eo.if_contains("releases");
      if (releases == nullptr || !releases->is_object()) {
        return fail(bad(at, "has no releases object"));
      }
      auto [it, fresh] = by_id.emplace(id, f.advisories.size());
      if (fresh) {
        if (f.advisories.size() >= max_entries) {
          return fail(bad("the tracker", "more than " + std::to_string(max_entries) + " CVEs"));
        }
        Advisory a;
        a.id = "DEBIAN-" + id;
        if (id.starts_with("CVE-")) a.aliases.push_back(id);
        a.summary = description->substr(0, 300);
        f.advisories.push_back(std::move(a));
      }
      Advisory& a = f.advisories[it->second];
      for (const auto& [codename, rel] : releases->as_object()) {
        const std::string rw = at + ", " + std::string(codename).substr(0, 40);
        if (!rel.is_object()) return fail(bad(rw, "is not an object"));
        const auto& ro = rel.as_object();
        auto status = text(ro, "status", rw, 40);
        if (!status) return fail(status.error());
        auto fixed = text(ro, "fixed_version", rw, 200);
        if (!fixed) return fail(fixed.error());
        auto urg = text(ro, "urgency", rw, 60);
        if (!urg) return fail(urg.error());
        if (*status != "resolved" && *status != "open" && *status != "undetermined") {
          return fail(bad(rw + ".status",
                          "'" + status->substr(0, 40) + "' is not resolved, open or undetermined"));
        }
        if (*status == "resolved" && fixed->empty()) {
          return fail(bad(rw, "resolved without a fixed_version"));
        }
        const std::string_view number = debian_release_number(codename);
        if (number.empty()) continue;  // sid, experimental, releases long past
        if (urgency_rank(*urg) > urgency[id]) {
          urgency[id] = urgency_rank(*urg);
          a.severity = *urg;
        } else if (a.severity.empty()) {
          a.severity = *urg;
        }
        AffectedPackage p;
        p.ecosystem = "Debian:" + std::string(number);
        p.name = package;
        // Never affected ("0"): no range, so nothing matches — but the package is named, and a
        // CPE guess about the same CVE does not overrule Debian's own word (vuln_match.h).
        if (!(*status == "resolved" && *fixed == "0")) {
          p.ranges.push_back({"0", *status == "resolved" ? *fixed : std::string(), ""});
        }
        a.affected.push_back(std::move(p));
      }
    }
  }
  if (f.advisories.empty()) return fail(bad("the tracker", "holds no CVE"));
  return f;
}

}  // namespace minato::secops
