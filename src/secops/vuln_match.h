// Matching advisories against the software inventory (G2.7.5): which installed package, on
// which asset, is at a version an advisory says is affected — by package URL type and name
// (Debian: the source package, in the asset's Debian release when known), and by version
// ordering of the ecosystem (secops/version_order.h: libapt-pkg for Debian).
//
//   AdvisoryIndex index(advisories);           // built once per feed state
//   for (auto& m : index.match(package)) ...   // m.advisory, m.fixed ("" when none yet)
//
// NVD's CPE criteria (ecosystem "CPE") match by product name against a package's name and, for
// Debian, its source package, comparing the package's upstream version (epoch, Debian revision
// and repack suffixes such as +dfsg taken off) by the ecosystem's ordering. A Debian package
// whose CVE Debian's own data names (fixed, open or not affected) is judged by Debian alone: a
// fix backported into a Debian revision leaves the upstream version as it was, and only Debian
// knows that. A CPE match is marked as such (AdvisoryMatch::by_cpe).
//
// Thread-safety: a built index is read-only; match() may run concurrently. The index points
// into `advisories`, which must outlive it.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "secops/advisory.h"
#include "secops/version_order.h"

namespace minato::secops {

struct InstalledPackage {
  Ecosystem ecosystem = Ecosystem::kOther;
  std::string name;  // binary package (Debian) or package name
  std::string version;
  std::string source;          // Debian source package ("" = name)
  std::string source_version;  // "" = version
  std::string debian_release;  // "12", when the asset's release is known
};

struct AdvisoryMatch {
  size_t advisory = 0;  // index into the advisories the index was built from
  std::string fixed;    // the version that fixes it, "" when no fix is known
  bool by_cpe = false;  // by an NVD CPE criterion on the upstream version
};

class AdvisoryIndex {
 public:
  explicit AdvisoryIndex(const std::vector<Advisory>& advisories);

  // Every advisory whose affected versions include the package's (each advisory once).
  std::vector<AdvisoryMatch> match(const InstalledPackage& p) const;

 private:
  void match_cpe(const InstalledPackage& p, std::vector<AdvisoryMatch>& out) const;
  struct Entry {
    size_t advisory;
    const AffectedPackage* affected;
    std::string release;  // "12" of "Debian:12"; "" for any
  };
  const std::vector<Advisory>& advisories_;
  std::unordered_map<std::string, std::vector<Entry>> by_key_;  // "<ecosystem>/<name>"
  std::unordered_map<std::string, std::vector<Entry>> by_cpe_;  // cpe_name_key(product)
  // Debian source package -> the CVEs Debian's data names for it.
  std::unordered_map<std::string, std::unordered_set<std::string>> debian_cves_;
};

// The upstream part of a Debian version: "1:2.36-9+deb12u3" → "2.36", "1.2.3+dfsg-1" → "1.2.3".
std::string upstream_version(const std::string& debian_version);

// The Debian release ("12") an inventory's packages are from: base-files' version, else an
// operating-system component "debian" (its version), else "".
std::string debian_release_of(const std::string& base_files_version);

// Whether `version` is in `r` (ecosystem ordering); false when it does not compare.
bool in_range(Ecosystem e, const std::string& version, const VersionRange& r);

}  // namespace minato::secops
