#include "secops/vuln_match.h"

#include <algorithm>

namespace minato::secops {

namespace {

std::string key(Ecosystem e, std::string_view name) {
  return std::to_string(static_cast<int>(e)) + "/" + std::string(name);
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

AdvisoryIndex::AdvisoryIndex(const std::vector<Advisory>& advisories) {
  for (size_t i = 0; i < advisories.size(); ++i) {
    for (const auto& a : advisories[i].affected) {
      const Ecosystem e = ecosystem_of_osv(a.ecosystem);
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
  auto it = by_key_.find(key(p.ecosystem, name));
  if (it == by_key_.end()) return out;
  for (const Entry& e : it->second) {
    if (debian && !e.release.empty() && !p.debian_release.empty() &&
        e.release != p.debian_release) {
      continue;
    }
    if (std::any_of(out.begin(), out.end(),
                    [&](const AdvisoryMatch& m) { return m.advisory == e.advisory; })) {
      continue;
    }
    const AffectedPackage& a = *e.affected;
    bool hit = std::find(a.versions.begin(), a.versions.end(), version) != a.versions.end();
    std::string fixed;
    for (const auto& r : a.ranges) {
      if (in_range(p.ecosystem, version, r)) {
        hit = true;
        fixed = r.fixed;
        break;
      }
    }
    if (hit) out.push_back({e.advisory, fixed});
  }
  return out;
}

}  // namespace minato::secops
