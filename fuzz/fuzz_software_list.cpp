// Software lists and release manifests (G2.6.1-b, G2.7.4, A1.3.4): dpkg-query output, `dpkg -l`
// listings and CycloneDX files brought in on media, and a release's RELEASE.json. Any bytes give
// a list or an error; what parses survives the stored form and a CycloneDX round trip unchanged,
// and every purl part decodes back to what was encoded.
#include <cstdint>
#include <string>

#include "secops/release.h"
#include "secops/sbom.h"

using namespace minato;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto m = secops::parse_manifest(s)) {
    if (m->artefacts.empty()) __builtin_trap();
    auto again = secops::parse_manifest(secops::manifest_json(*m));
    if (!again || again->artefacts.size() != m->artefacts.size()) __builtin_trap();
  }
  auto decoded = secops::purl_decode(secops::purl_encode(s));
  if (!decoded || *decoded != s) __builtin_trap();
  auto list = secops::parse_software_list(s, 500);
  if (!list) {
    if (list.error().message().empty()) __builtin_trap();
    return 0;
  }
  if (list->components.empty() || list->components.size() > 500) __builtin_trap();
  auto stored = secops::components_from_json(secops::components_to_json(list->components));
  if (!stored || stored->size() != list->components.size()) __builtin_trap();
  for (size_t i = 0; i < stored->size(); ++i) {
    const auto& a = (*stored)[i];
    const auto& b = list->components[i];
    if (a.name != b.name || a.version != b.version || a.purl != b.purl) __builtin_trap();
  }
  secops::Bom bom;
  bom.subject.name = "minato";
  bom.components = list->components;
  auto back = secops::parse_cyclonedx(secops::to_cyclonedx_json(bom), 1000);
  if (!back || back->components.size() != list->components.size()) __builtin_trap();
  return 0;
}
