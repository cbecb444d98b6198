// AssetService: the asset register (G1.2, G2.6.1-a, A1.3.1-3) — what the terminal's IT consists
// of, where each thing is, whose it is, what runs on it at which patch level — with the work
// done on each asset and the loans of removable media.
//
// Assets: servers, terminals, network devices, MFPs, IoT devices, removable media, with the
// ledger's fields (serial, OS, applications, patches, owner, user, place, power, network) and a
// lifecycle state (planned, in_service, maintenance, retired, disposed). Every change is an
// audited command whose record holds the fields before and after.
//
// Work records (G2.6.1-a): date, asset, work, worker and who approved it, each audited.
//
// Removable media (G1.2): a loan starts only from a request a second person approved
// (AccessService::request_media_checkout, approved by a security officer); checkout() uses the
// approval once; return_media() ends the loan. A medium out past its due date is listed as
// overdue.
//
// Inventories come in through the media intake (scanned, recorded) as CSV with a header line
// naming the columns (tag, kind, name, and any of the ledger's fields): import_csv() adds new
// tags and updates known ones, all or nothing; a bad line is reported with its number and
// column, and nothing is imported.
//
// Commands need asset.manage (asset managers); reads asset.manage or audit.read, each recorded.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/roles.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app {

class Runtime;

inline constexpr std::string_view kMediaCheckoutKind = "media.checkout";

// The register's text fields by the names the API, the CSV header and the CLI (with '-' for
// '_') use, in the register's order; the first three identify the asset.
struct AssetField {
  std::string_view name;
  std::string store::AssetRecord::*member;
};
inline const std::array<AssetField, 14> kAssetFields = {{
    {"tag", &store::AssetRecord::tag},
    {"kind", &store::AssetRecord::kind},
    {"name", &store::AssetRecord::name},
    {"serial", &store::AssetRecord::serial},
    {"os", &store::AssetRecord::os},
    {"applications", &store::AssetRecord::applications},
    {"patches", &store::AssetRecord::patches},
    {"owner", &store::AssetRecord::owner},
    {"used_by", &store::AssetRecord::used_by},
    {"place", &store::AssetRecord::place},
    {"power", &store::AssetRecord::power},
    {"network", &store::AssetRecord::network},
    {"state", &store::AssetRecord::state},
    {"notes", &store::AssetRecord::notes},
}};

struct AssetView {
  store::AssetRecord asset;
  std::vector<store::WorkRecord> work;
  std::vector<store::MediaLoanRecord> loans;
};

struct AssetImportReport {
  int64_t intake_id = 0;
  int added = 0;
  int updated = 0;
  int unchanged = 0;
};

class AssetService {
 public:
  explicit AssetService(Runtime& rt) : rt_(rt) {}

  static constexpr size_t kMaxField = 2000;
  static constexpr int kMaxImportRows = 20'000;

  // Checks the fields of `a` (tag, kind, state, lengths); the error names the field.
  static Status validate(const store::AssetRecord& a);

  // REQUIRE asset.manage.
  Result<int64_t> add(const access::Actor& actor, store::AssetRecord asset);
  // Replaces the fields of the asset with `asset.tag`.
  Status update(const access::Actor& actor, store::AssetRecord asset);
  Result<int64_t> record_work(const access::Actor& actor, const std::string& tag,
                              store::WorkRecord work);
  // Starts the loan approved by request `approval_id` (kind media.checkout, approved, not
  // expired, its medium in service and not out); the approval is used up.
  Result<int64_t> checkout(const access::Actor& actor, int64_t approval_id);
  Status return_media(const access::Actor& actor, const std::string& tag, const std::string& note);
  // G2.6.1-c/G2.6.3: the asset's data was erased by `minato decommission`: its certificate
  // (app/decommission.h) is verified — signature, audit checkpoint, and the signer when
  // `fingerprint` is given — and in one command the asset becomes disposed, a work record
  // names the erasure (date, operator and host, files, bytes, keys, the certificate's
  // SHA-256), and the whole certificate is kept in the audit event. An incomplete erasure is
  // refused: the asset is not disposed of until it is erased. Returns the work record's id.
  Result<int64_t> dispose(const access::Actor& actor, const std::string& tag,
                          const std::string& certificate, const std::string& fingerprint);
  Result<AssetImportReport> import_csv(const access::Actor& actor, const std::string& file_name,
                                       std::string data, const std::string& channel);

  // REQUIRE asset.manage or audit.read; each read is recorded.
  Result<std::vector<store::AssetRecord>> list(const access::Actor& actor);
  Result<AssetView> show(const access::Actor& actor, const std::string& tag);
  Result<std::vector<store::MediaLoanRecord>> loans_out(const access::Actor& actor);

 private:
  Status require_reader(const access::Actor& actor) const;
  Runtime& rt_;
};

// Parses an inventory CSV (RFC 4180 quoting; a header line naming columns) into assets; the
// error names the line and the column. `lines`, when given, gets the line each asset starts on.
Result<std::vector<store::AssetRecord>> parse_asset_csv(std::string_view text, int max_rows,
                                                        std::vector<int>* lines = nullptr);

}  // namespace minato::app
