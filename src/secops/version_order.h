// Version ordering for matching advisories against the software inventory (G2.7.5): which of
// two versions of a package is older, by the rules of the package's ecosystem.
//
//   Debian: libapt-pkg's own comparison (debVS), the one apt and dpkg use — never a hand-made
//           one ("1.2~rc1" < "1.2", epochs, "+deb12u1" revisions);
//   npm and other SemVer ecosystems: SemVer 2.0.0 precedence (pre-releases before releases,
//           build metadata ignored); a version that is not SemVer does not compare.
//
//   auto c = compare_versions(Ecosystem::kDebian, "2.36-9+deb12u3", "2.36-9+deb12u14");  // < 0
#pragma once

#include <optional>
#include <string_view>

namespace minato::secops {

enum class Ecosystem { kDebian, kNpm, kOther };

// The ecosystem of an OSV "ecosystem" value ("Debian:12" → kDebian, "npm" → kNpm).
Ecosystem ecosystem_of_osv(std::string_view osv_ecosystem);
// The ecosystem of a package URL's type ("pkg:deb/..." → kDebian, "pkg:npm/..." → kNpm).
Ecosystem ecosystem_of_purl(std::string_view purl);

// <0, 0, >0 as a is older than, the same as, newer than b; nullopt when either does not parse
// as a version of that ecosystem (kOther: never).
std::optional<int> compare_versions(Ecosystem e, std::string_view a, std::string_view b);

// Debian only (libapt-pkg).
int compare_debian_versions(std::string_view a, std::string_view b);
// SemVer 2.0.0 precedence; nullopt if either is not SemVer ("1.2.3", "1.2.3-rc.1+build").
std::optional<int> compare_semver(std::string_view a, std::string_view b);

}  // namespace minato::secops
