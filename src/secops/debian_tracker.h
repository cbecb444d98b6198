// The Debian Security Tracker's JSON (the whole tracker as one object), read offline as an
// advisory feed (G2.7.5): for each source package, each CVE (or TEMP- id), each release
//   {"status": "resolved" | "open" | "undetermined", "fixed_version": "...", "urgency": "..."}
// Each CVE becomes one record "DEBIAN-<id>" (as OSV names the same data) whose affected
// packages are the source packages of the releases Minato knows (buster 10, bullseye 11,
// bookworm 12, trixie 13, forky 14; sid and others are left out), ecosystem "Debian:N":
//   resolved with fixed_version "0"   not affected (left out)
//   resolved with a version           affected before it: [0, fixed)
//   open / undetermined               affected, no fix yet: [0, ∞)
// Versions are compared later by libapt-pkg (secops/version_order.h). The tracker carries no
// date: the feed's age counts from its import. No I/O here.
#pragma once

#include <string_view>

#include "secops/advisory.h"

namespace boost::json {
class value;
class object;
}  // namespace boost::json

namespace minato::secops {

// Whether `doc` has the tracker's shape: an object of packages whose first entry is an object
// of CVE-/TEMP- ids.
bool is_debian_tracker(const boost::json::value& doc);
// The tracker as records; a malformed entry refuses the whole file, naming the package, the
// id and the release. More than `max_entries` ids: refused.
Result<Feed> debian_tracker_feed(const boost::json::object& doc, size_t max_entries);

// The Debian release number of a codename ("bookworm" → "12"), "" when not known.
std::string_view debian_release_number(std::string_view codename);

}  // namespace minato::secops
