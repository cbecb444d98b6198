// What a vault or a restore reads before it trusts anything (G2.7.2-e): a manifest and its
// signature file as a possibly compromised server offers them, a recovery file, a vault's
// configuration. Any bytes must give a value or a clear error; a manifest that parses must
// survive its own serialisation unchanged, and a signature never verifies over bytes it was
// not made for. Inputs that start with 'R' are audit change records as roll-forward replays them
// (G2.7.2-f): any bytes give rows applied or a clear error, inside a transaction that is then
// rolled back, and the database is as it was.
#include <cstdint>
#include <string>

#include "crypto/keys.h"
#include "resilience/backup_set.h"
#include "resilience/vault.h"
#include "store/sqlite/sqlite_store.h"

#include <cstdlib>
#include <filesystem>

using namespace minato;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const crypto::SigningKey key = crypto::SigningKey::generate();
  std::string s(reinterpret_cast<const char*>(data), size);
  // The first byte picks what the rest is.
  if (s.empty()) return 0;
  const char kind = s[0];
  std::string body = s.substr(1);
  if (kind == 'R') {
    static std::unique_ptr<store::SqliteStore> db = [] {
      static char dir[] = "/tmp/minato-fuzz-XXXXXX";
      if (::mkdtemp(dir) == nullptr) __builtin_trap();
      std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      });
      store::SqliteOptions o;
      o.create = true;
      o.synchronous = "OFF";
      auto opened = store::SqliteStore::open(std::string(dir) + "/fuzz.db", o);
      if (!opened) __builtin_trap();
      return std::move(*opened);
    }();
    auto tx = db->write();
    if (!tx) __builtin_trap();
    auto applied = (*tx)->apply_row_images(body);
    if (!applied && applied.error().message().empty()) __builtin_trap();
    tx->reset();  // rolled back
    auto rx = db->read();
    auto units = (*rx)->count_units_in_yard();
    if (!units || *units != 0) __builtin_trap();
    return 0;
  }
  switch (kind % 4) {
    case 0: {
      auto m = resilience::parse_manifest(body, "fuzz manifest");
      if (m) {
        auto again = resilience::parse_manifest(resilience::manifest_json(*m), "again");
        if (!again || again->set_id != m->set_id || again->files.size() != m->files.size() ||
            again->chunks.size() != m->chunks.size() || again->plain_bytes() != m->plain_bytes() ||
            again->stored_bytes() != m->stored_bytes()) {
          __builtin_trap();
        }
        for (const auto& f : m->files) {
          if (f.path.empty() || f.path[0] == '/' || f.path.find("..") != std::string::npos) {
            // ".." is allowed inside a name ("a..b") but never as a component.
            if (f.path.empty() || f.path[0] == '/' || f.path == ".." ||
                f.path.rfind("../", 0) == 0 || f.path.find("/../") != std::string::npos ||
                (f.path.size() >= 3 && f.path.compare(f.path.size() - 3, 3, "/..") == 0)) {
              __builtin_trap();
            }
          }
        }
      }
      break;
    }
    case 1: {
      // A signature file for a manifest: a forged one must not verify.
      std::string manifest = "{\"format\":\"minato-backup/1\"}";
      if (resilience::verify_manifest_signature(manifest, body, key.public_key(), "fuzz")) {
        __builtin_trap();
      }
      break;
    }
    case 2: {
      auto r = resilience::read_recovery_public(body, "fuzz recovery");
      if (r && (r->public_key.size() != 32 || r->signer_public.size() != 32)) __builtin_trap();
      break;
    }
    case 3: {
      auto c = resilience::parse_vault_config(body, "fuzz vault.json");
      if (c) {
        auto again = resilience::parse_vault_config(resilience::vault_config_json(*c), "again");
        if (!again || again->server != c->server || again->signer != c->signer) __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
