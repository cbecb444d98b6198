// NVD CVE JSON 2.0 (the API's and the feed files' format), read offline as an advisory feed
// (G2.7.5), and CPE 2.3 names.
//
//   {"format": "NVD_CVE", "version": "2.0", "timestamp": "...", "vulnerabilities": [
//     {"cve": {"id", "published", "lastModified", "vulnStatus", "descriptions": [{lang, value}],
//              "metrics": {"cvssMetricV31" | "cvssMetricV30" | "cvssMetricV2": [{cvssData}]},
//              "configurations": [{"nodes": [{"cpeMatch": [{"vulnerable", "criteria",
//                  "versionStartIncluding", "versionStartExcluding", "versionEndIncluding",
//                  "versionEndExcluding"}]}]}]}}]}
//
// Each CVE becomes a record whose affected packages are its vulnerable CPE match criteria of
// applications and operating systems (part a or o; hardware is left out): ecosystem "CPE",
// name the CPE product, purl the criteria, versions the exact version or ranges from the
// bounds. Each vulnerable criterion counts on its own — an AND of "this application on that
// platform" is read as the application alone, which can only add findings, never hide one.
// versionStartExcluding is read as including (the same: one version too many at most).
// vulnStatus "Rejected" is withdrawn. No I/O here.
#pragma once

#include <string>
#include <string_view>

#include "secops/advisory.h"

namespace boost::json {
class value;
class object;
}  // namespace boost::json

namespace minato::secops {

bool is_nvd_feed(const boost::json::value& doc);
Result<Feed> nvd_feed(const boost::json::object& doc, size_t max_entries);

// A CPE 2.3 formatted string's fields, unescaped ("cpe:2.3:a:gnu:glibc:2.36:*:..." → part "a",
// vendor "gnu", product "glibc", version "2.36").
struct Cpe {
  std::string part, vendor, product, version, update;
};
Result<Cpe> parse_cpe(std::string_view text);

// The name a CPE product and a package are compared by: lower case, '_' as '-'.
std::string cpe_name_key(std::string_view name);

}  // namespace minato::secops
