// SoftwareService: the software inventory (G2.6.1-b, G2.7.4, A1.3.4) — what software runs on
// each asset of the register, at which version, and Minato's own bill of materials.
//
// Minato's SBOM (CycloneDX 1.5 JSON) is read from the running process and its host: the
// program (version, SHA-256), the Debian packages that own every shared library it has loaded
// and the helper programs it runs (sigtool, and clamd when it is on this host), the Debian
// release, and the npm packages bundled into its console. It is made at build time
// (`minato sbom --out`, no data directory needed) and by `minato sbom` on the host it runs on.
//
// An asset's software list is imported whole, replacing the one it had, from `dpkg-query -W`
// or `dpkg -l` output or a CycloneDX JSON file, through the media intake (scanned, recorded);
// a bad line is named and nothing is imported. `record_own` puts Minato's SBOM as the list of
// the asset Minato runs on. Every import is an audited command, which also matches the new list
// against the advisories taken in (VulnerabilityService::match_in); reads are recorded.
//
// Commands need asset.manage; reads asset.manage or audit.read.
#pragma once

#include <string>
#include <vector>

#include "access/roles.h"
#include "common/result.h"
#include "secops/sbom.h"
#include "store/store.h"

namespace minato::app {

class Runtime;

struct SoftwareListView {
  std::string tag;  // the asset's
  store::SoftwareListRecord record;
  std::vector<secops::SoftwareComponent> components;
};

// What Minato's SBOM is read with: the helper programs whose packages it names.
struct SbomInputs {
  std::string sigtool = "/usr/bin/sigtool";
  std::string clamd;  // intake.clamd; "unix:..." means clamd runs on this host
  std::string dpkg_query = "/usr/bin/dpkg-query";
};

class SoftwareService {
 public:
  explicit SoftwareService(Runtime& rt) : rt_(rt) {}

  static constexpr size_t kMaxComponents = 50'000;

  // Minato's bill of materials, read now from this process and host (no permission: it says
  // what any user of the host can see; made at build time without a data directory).
  static Result<secops::Bom> minato_bom(const SbomInputs& in, int64_t now_us);

  // REQUIRE asset.manage or audit.read; recorded.
  Result<secops::Bom> sbom(const access::Actor& actor);
  Result<SoftwareListView> list_of(const access::Actor& actor, const std::string& tag);
  // Every asset's list (for matching advisories against the inventory), by tag.
  Result<std::vector<SoftwareListView>> all(const access::Actor& actor);

  // REQUIRE asset.manage. Replaces the software list of asset `tag`.
  Result<SoftwareListView> import_list(const access::Actor& actor, const std::string& tag,
                                       const std::string& file_name, std::string data,
                                       const std::string& channel);
  Result<SoftwareListView> record_own(const access::Actor& actor, const std::string& tag);

 private:
  Status require_reader(const access::Actor& actor) const;
  Result<SoftwareListView> put(const access::Actor& actor, const std::string& tag,
                               store::SoftwareListRecord list,
                               const std::vector<secops::SoftwareComponent>& components);
  Runtime& rt_;
};

}  // namespace minato::app
