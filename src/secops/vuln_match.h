// Matching advisories against the software inventory (G2.7.5): which installed package, on
// which asset, is at a version an advisory says is affected — by package URL type and name
// (Debian: the source package, in the asset's Debian release when known), and by version
// ordering of the ecosystem (secops/version_order.h: libapt-pkg for Debian).
//
//   AdvisoryIndex index(advisories);           // built once per feed state
//   for (auto& m : index.match(package)) ...   // m.advisory, m.fixed ("" when none yet)
//
// Thread-safety: a built index is read-only; match() may run concurrently. The index points
// into `advisories`, which must outlive it.
#pragma once

#include <string>
#include <unordered_map>
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
};

class AdvisoryIndex {
 public:
  explicit AdvisoryIndex(const std::vector<Advisory>& advisories);

  // Every advisory whose affected versions include the package's (each advisory once).
  std::vector<AdvisoryMatch> match(const InstalledPackage& p) const;

 private:
  struct Entry {
    size_t advisory;
    const AffectedPackage* affected;
    std::string release;  // "12" of "Debian:12"; "" for any
  };
  std::unordered_map<std::string, std::vector<Entry>> by_key_;  // "<ecosystem>/<name>"
};

// The Debian release ("12") an inventory's packages are from: base-files' version, else an
// operating-system component "debian" (its version), else "".
std::string debian_release_of(const std::string& base_files_version);

// Whether `version` is in `r` (ecosystem ordering); false when it does not compare.
bool in_range(Ecosystem e, const std::string& version, const VersionRange& r);

}  // namespace minato::secops
