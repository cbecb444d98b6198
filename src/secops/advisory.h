// Advisory feeds (G2.7.5, G2.7.1-a), read offline from files brought in through the media
// intake, and matched against the software inventory. No I/O here.
//
//   OSV JSON (https://ossf.github.io/osv-schema/): one record, or an array of records;
//     affected[].package {ecosystem, name, purl}, ranges[] of type ECOSYSTEM or SEMVER with
//     events (introduced, fixed, last_affected, limit), and exact versions[]. GIT ranges are
//     left out (they name commits, not installed versions).
//     A record with "withdrawn" set is kept as withdrawn, affecting nothing: its findings
//     resolve.
//   CISA KEV JSON (known exploited vulnerabilities): vulnerabilities[] {cveID, vendorProject,
//     product, vulnerabilityName, dateAdded, dueDate, knownRansomwareCampaignUse,
//     requiredAction}.
//   Debian Security Tracker JSON (secops/debian_tracker.h): per source package, per CVE, per
//     release {status, fixed_version, urgency} — as OSV records "DEBIAN-CVE-..." of Debian:N.
//   NVD CVE JSON 2.0 (secops/nvd_feed.h): vulnerabilities[].cve with configurations of CPE
//     match criteria — as records whose affected packages have ecosystem "CPE".
//
//   auto feed = parse_feed(bytes, 200'000);   // kind osv, kev, debian or nvd, or an error
//
// A malformed record refuses the whole file, naming the record (index and id) and the field:
// nothing is half-imported.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato::secops {

// One interval of affected versions: [introduced, fixed) or [introduced, last_affected].
// introduced "0" (or empty) means from the first version; fixed and last_affected empty: open.
struct VersionRange {
  std::string introduced;
  std::string fixed;
  std::string last_affected;
};

struct AffectedPackage {
  std::string ecosystem;  // "Debian:12", "npm"
  std::string name;       // for Debian, the source package ("glibc")
  std::string purl;
  std::vector<VersionRange> ranges;
  std::vector<std::string> versions;  // exact affected versions
};

struct Advisory {
  std::string id;                    // "DSA-5514-1", "GHSA-...", "CVE-2023-4911"
  std::vector<std::string> aliases;  // with OSV's "upstream" ids (DEBIAN-CVE-x names CVE-x)
  std::string summary;
  std::string published;
  std::string modified;   // RFC 3339
  std::string severity;   // the first severity given (a CVSS vector), or a database's rating
  std::string withdrawn;  // when it was withdrawn (RFC 3339); "" = in force
  std::vector<AffectedPackage> affected;
};

struct KevEntry {
  std::string cve;
  std::string vendor;
  std::string product;
  std::string name;
  std::string date_added;  // YYYY-MM-DD
  std::string due_date;
  bool ransomware = false;  // knownRansomwareCampaignUse == "Known"
  std::string action;
};

struct Feed {
  std::string kind;    // "osv" | "kev" | "debian" | "nvd"
  std::string newest;  // the newest date in it (modified, or KEV's dateReleased)
  std::vector<Advisory> advisories;
  std::vector<KevEntry> kev;
};

Result<Feed> parse_feed(std::string_view text, size_t max_entries);

// One OSV record (a JSON object) as parse_feed reads it; `where` names it in errors.
Result<Advisory> parse_osv_record(std::string_view text, const std::string& where);

// The CVE identifiers an advisory is known by (its id and aliases that are CVEs).
std::vector<std::string> cve_ids(const Advisory& a);

// Advisories stored compactly (the affected packages as JSON) and back.
std::string affected_to_json(const std::vector<AffectedPackage>& affected);
Result<std::vector<AffectedPackage>> affected_from_json(std::string_view json);

}  // namespace minato::secops
