// Software lists (G2.6.1-b, G2.7.4, A1.3.4): what software runs on a component, at which
// version, as package URLs — read from what the component's own tools print (dpkg-query) or
// from a CycloneDX bill of materials, and written as CycloneDX 1.5 JSON. No I/O here: the
// caller hands in the bytes (through the media intake) and gets the components or an error
// that names the line or the JSON path.
//
//   auto list = parse_software_list(bytes, 50'000);   // dpkg-query output or CycloneDX JSON
//   list->format                                       // "dpkg-query" | "cyclonedx"
//   for (auto& c : list->components) ... c.name, c.version, c.purl
//
//   Bom bom{...};  std::string json = to_cyclonedx_json(bom);
//
// dpkg-query input: one package per line, fields separated by tabs, as
//   dpkg-query -W
//   -f='${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n'
// (${binary:Package} for the name; the source fields, or the architecture and the source
// fields, may be left out), or plain `dpkg-query -W` (name TAB version). Lines of `dpkg -l` (ii
// name  version  arch ...) are accepted too; packages not installed (state other than "ii"/"hi")
// are left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato::secops {

struct SoftwareComponent {
  std::string type = "library";  // CycloneDX component type: library | application | ...
  std::string name;
  std::string version;
  std::string arch;      // Debian architecture, when known
  std::string purl;      // pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64
  std::string cpe;       // CPE 2.3, when the source gave one
  std::string supplier;  // "Debian", "npm", ...
  std::string sha256;    // hex, of the file it is, when known (Minato's own binary)
  std::string note;      // why it is listed: "linked: /usr/lib/x86_64-linux-gnu/libssl.so.3"
  // A Debian binary package's source package and its version, when known (Debian's advisories
  // name source packages: libc6 is built from glibc). Empty: the same as name / version.
  std::string source;
  std::string source_version;
};

struct SoftwareList {
  std::string format;  // "dpkg-query" | "dpkg-l" | "cyclonedx"
  std::vector<SoftwareComponent> components;
};

// The package URL of a Debian binary package (purl spec, type "deb"): name and version
// percent-encoded where the spec asks ('+' → %2B, ':' (epoch) → %3A); a source package that
// differs goes in the "upstream" qualifier ("glibc", or "glibc@2.36-9" when its version differs).
std::string debian_purl(std::string_view name, std::string_view version, std::string_view arch,
                        std::string_view source = "", std::string_view source_version = "");
std::string npm_purl(std::string_view name, std::string_view version);
// Percent-encoding as the purl spec wants it for a name, version or qualifier value.
std::string purl_encode(std::string_view s);
// The inverse; kInvalidArgument on a broken escape.
Result<std::string> purl_decode(std::string_view s);

// Parses a software list; at most `max_components` components (kInvalidArgument beyond). The
// format is recognised by the content: '{' opens CycloneDX JSON, anything else is dpkg output.
Result<SoftwareList> parse_software_list(std::string_view text, size_t max_components);
Result<SoftwareList> parse_dpkg_list(std::string_view text, size_t max_components);
Result<SoftwareList> parse_cyclonedx(std::string_view text, size_t max_components);

// A CycloneDX 1.5 bill of materials: `subject` is the thing described (metadata.component),
// `components` what it consists of or runs with.
struct Bom {
  std::string serial;  // urn:uuid:...
  int64_t timestamp_us = 0;
  SoftwareComponent subject;
  std::vector<SoftwareComponent> components;
};
std::string to_cyclonedx_json(const Bom& bom);

// The components as compact JSON (stored with an asset) and back.
std::string components_to_json(const std::vector<SoftwareComponent>& components);
Result<std::vector<SoftwareComponent>> components_from_json(std::string_view json);

}  // namespace minato::secops
