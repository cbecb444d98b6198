// What this host runs Minato with (G2.7.4, A1.3.4), read from the system, for Minato's own
// SBOM: the shared libraries loaded into this process (dl_iterate_phdr), the Debian packages
// that own them and the helper programs Minato runs, at their installed versions (dpkg-query),
// and the Debian release.
//
//   auto libs = loaded_objects();                       // "/usr/lib/x86_64-linux-gnu/libssl.so.3",
//   ... auto pkgs = debian_packages_owning(libs, "linked"); // libssl3 3.0.15-1~deb12u1 amd64, ...
//
// Each component's note says why it is listed ("linked: <path>", "runs: <path>"). A file no
// package owns (a library built by hand) is listed as such, never left out silently.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "secops/sbom.h"

namespace minato::secops {

// The shared objects mapped into this process, by path (the executable and the vDSO left out).
std::vector<std::string> loaded_objects();

// The installed Debian packages that own `paths` (dpkg-query -S, with /lib and /usr/lib taken as
// one under the merged /usr), at their versions (dpkg-query -W). `why` prefixes each note
// ("linked", "runs"). A path no package owns is a component of type "file" with its SHA-256.
// kUnavailable when dpkg-query cannot be run.
Result<std::vector<SoftwareComponent>> debian_packages_owning(
    const std::vector<std::string>& paths, const std::string& why,
    const std::string& dpkg_query = "/usr/bin/dpkg-query");

// The Debian release (/etc/debian_version) as an operating-system component; empty name when
// the host is not Debian.
SoftwareComponent debian_release();

}  // namespace minato::secops
