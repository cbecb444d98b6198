#include "secops/vuln_match.h"

#include <algorithm>

#include "secops/nvd_feed.h"

namespace minato::secops {

namespace {

std::string key(Ecosystem e, std::string_view name) {
  return std::to_string(static_cast<int>(e)) + "/" + std::string(name);
}

// Whether `version` is one of the package's affected versions or in one of its ranges; `fixed`
// gets that range's fix ("" for none, or an exact version).
bool affects(const AffectedPackage& a, Ecosystem e, const std::string& version,
             std::string* fixed) {
  for (const auto& r : a.ranges) {
    if (in_range(e, version, r)) {
      *fixed = r.fixed;
      return true;
    }
  }
  return std::find(a.versions.begin(), a.versions.end(), version) != a.versions.end();
}

}  // namespace

std::string debian_release_of(const std::string& v) {
  size_t end = 0;
  while (end < v.size() && v[end] >= '0' && v[end] <= '9') ++end;
  return v.substr(0, end);
}

bool in_range(Ecosystem e, const std::string& version, const VersionRange& r) {
  if (!r.introduced.empty() && r.introduced != "0") {
    auto c = compare_versions(e, version, r.introduced);
    if (!c || *c < 0) return false;
  }
  if (!r.fixed.empty()) {
    auto c = compare_versions(e, version, r.fixed);
    if (!c || *c >= 0) return false;
  }
  if (!r.last_affected.empty()) {
    auto c = compare_versions(e, version, r.last_affected);
    if (!c || *c > 0) return false;
  }
  // A version that does not compare at all (introduced "0", nothing else) is in.
  if (r.fixed.empty() && r.last_affected.empty() && (r.introduced.empty() || r.introduced == "0")) {
    return compare_versions(e, version, version).has_value();
  }
  return true;
}

std::string upstream_version(const std::string& v) {
  size_t start = 0;
  while (start < v.size() && v[start] >= '0' && v[start] <= '9') ++start;
  start = start < v.size() && v[start] == ':' ? start + 1 : 0;
  std::string up = v.substr(start);
  if (auto dash = up.rfind('-'); dash != std::string::npos) up.resize(dash);
  for (const char* repack : {"+dfsg", "~dfsg", ".dfsg", "+ds", "~ds", "+repack", "~repack"}) {
    if (auto at = up.find(repack); at != std::string::npos && at > 0) up.resize(at);
  }
  return up;
}

AdvisoryIndex::AdvisoryIndex(const std::vector<Advisory>& advisories) : advisories_(advisories) {
  for (size_t i = 0; i < advisories.size(); ++i) {
    for (const auto& a : advisories[i].affected) {
      if (a.ecosystem == "CPE") {
        by_cpe_[cpe_name_key(a.name)].push_back({i, &a, ""});
        continue;
      }
      const Ecosystem e = ecosystem_of_osv(a.ecosystem);
      if (e == Ecosystem::kDebian) {
        auto& cves = debian_cves_[a.name];
        for (const auto& c : cve_ids(advisories[i])) cves.insert(c);
      }
      if (e == Ecosystem::kOther) continue;
      std::string release;
      if (e == Ecosystem::kDebian && a.ecosystem.size() > 7) release = a.ecosystem.substr(7);
      by_key_[key(e, a.name)].push_back({i, &a, release});
    }
  }
}

std::vector<AdvisoryMatch> AdvisoryIndex::match(const InstalledPackage& p) const {
  std::vector<AdvisoryMatch> out;
  const bool debian = p.ecosystem == Ecosystem::kDebian;
  // Debian's advisories name the source package and its version.
  const std::string& name = debian && !p.source.empty() ? p.source : p.name;
  const std::string& version = debian && !p.source_version.empty() ? p.source_version : p.version;
  static const std::vector<Entry> kNone;
  auto it = by_key_.find(key(p.ecosystem, name));
  for (const Entry& e : it == by_key_.end() ? kNone : it->second) {
    if (debian && !e.release.empty() && !p.debian_release.empty() &&
        e.release != p.debian_release) {
      continue;
    }
    if (std::any_of(out.begin(), out.end(),
                    [&](const AdvisoryMatch& m) { return m.advisory == e.advisory; })) {
      continue;
    }
    std::string fixed;
    if (affects(*e.affected, p.ecosystem, version, &fixed)) out.push_back({e.advisory, fixed});
  }
  match_cpe(p, out);
  return out;
}

void AdvisoryIndex::match_cpe(const InstalledPackage& p, std::vector<AdvisoryMatch>& out) const {
  if (by_cpe_.empty() || p.ecosystem == Ecosystem::kOther) return;
  const bool debian = p.ecosystem == Ecosystem::kDebian;
  const std::string& source = debian && !p.source.empty() ? p.source : p.name;
  const std::string version =
      debian ? upstream_version(!p.source_version.empty() ? p.source_version : p.version)
             : p.version;
  const auto known = debian ? debian_cves_.find(source) : debian_cves_.end();
  std::vector<std::string> names{cpe_name_key(p.name)};
  if (cpe_name_key(source) != names[0]) names.push_back(cpe_name_key(source));
  for (const auto& n : names) {
    auto it = by_cpe_.find(n);
    if (it == by_cpe_.end()) continue;
    for (const Entry& e : it->second) {
      if (std::any_of(out.begin(), out.end(),
                      [&](const AdvisoryMatch& m) { return m.advisory == e.advisory; })) {
        continue;
      }
      if (known != debian_cves_.end()) {
        const auto cves = cve_ids(advisories_[e.advisory]);
        if (std::any_of(cves.begin(), cves.end(),
                        [&](const std::string& c) { return known->second.count(c) > 0; })) {
          continue;  // Debian has said what this CVE means for this package
        }
      }
      std::string fixed;
      if (affects(*e.affected, p.ecosystem, version, &fixed)) {
        out.push_back({e.advisory, fixed, true});
      }
    }
  }
}

}  // namespace minato::secops
