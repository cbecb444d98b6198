// Advisory feeds (G2.7.5): OSV records, the KEV catalogue, the Debian Security Tracker's JSON
// and NVD CVE JSON 2.0 (CPE criteria) as they come on media. Any bytes
// give a feed or an error naming where; what parses survives the stored form of its affected
// packages, and matching it against installed versions taken from the feed itself (Debian
// ordering by libapt-pkg, SemVer for npm) neither crashes nor reports an advisory twice.
#include <cstdint>
#include <set>
#include <string>

#include "secops/advisory.h"
#include "secops/vuln_match.h"

using namespace minato;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto feed = secops::parse_feed(s, 1000);
  if (!feed) {
    if (feed.error().message().empty()) __builtin_trap();
    return 0;
  }
  if (feed->kind != "osv" && feed->kind != "kev" && feed->kind != "debian" && feed->kind != "nvd") {
    __builtin_trap();
  }
  secops::AdvisoryIndex index(feed->advisories);
  for (const auto& a : feed->advisories) {
    auto back = secops::affected_from_json(secops::affected_to_json(a.affected));
    if (!back || back->size() != a.affected.size()) __builtin_trap();
    for (const auto& p : a.affected) {
      std::vector<std::string> versions = p.versions;
      for (const auto& r : p.ranges) {
        for (const auto* v : {&r.introduced, &r.fixed, &r.last_affected}) {
          if (!v->empty()) versions.push_back(*v);
        }
      }
      for (const auto& v : versions) {
        // A CPE criterion is matched against Debian packages by name and upstream version.
        const auto e = p.ecosystem == "CPE" ? secops::Ecosystem::kDebian
                                            : secops::ecosystem_of_osv(p.ecosystem);
        secops::InstalledPackage pkg{e, p.name, v, "", "", ""};
        std::set<size_t> seen;
        for (const auto& m : index.match(pkg)) {
          if (!seen.insert(m.advisory).second) __builtin_trap();
        }
      }
    }
  }
  return 0;
}
