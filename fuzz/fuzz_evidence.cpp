// What `minato incident verify-evidence` reads on another machine (G3.1-b): an evidence bundle
// as anyone may have altered it. Inputs starting with 'A' are whole archives (tar framing,
// manifest, signature). Inputs starting with 'M' are the members themselves, separated by
// 0x01 (events, logins, checkpoints, proofs): the harness frames them in a valid archive with a
// manifest signed by a key it trusts, so the fuzzer reaches the line parsers and the proofs
// behind the signature. Any bytes must give a verdict or a clear error, never a crash; an
// archive the harness did not sign as it stands must never verify.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/evidence.h"
#include "common/tar.h"
#include "crypto/keys.h"
#include "crypto/random.h"

using namespace minato;

namespace {

void put(std::string& archive, const std::string& name, std::string_view data) {
  archive += tar_header(name, data.size(), 1'800'000'000);
  archive += data;
  archive.append((kTarBlock - data.size() % kTarBlock) % kTarBlock, '\0');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const crypto::SigningKey key = [] {
    (void)crypto::init();
    return crypto::SigningKey::generate();
  }();
  std::string s(reinterpret_cast<const char*>(data), size);
  if (s.empty()) return 0;
  const char kind = s[0];
  std::string body = s.substr(1);
  const std::string pub = key.public_key();
  const std::string id = audit::key_id_of(pub);
  if (kind != 'M') {
    auto c = audit::verify_evidence(body, {});
    if (c && c->pinned) __builtin_trap();
    (void)audit::parse_manifest(body);
    return 0;
  }
  std::vector<std::string> parts(4);
  size_t at = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    size_t end = i + 1 < parts.size() ? body.find('\x01', at) : std::string::npos;
    if (end == std::string::npos) end = body.size();
    parts[i] = body.substr(at, end - at);
    at = std::min(body.size(), end + 1);
  }
  const char* names[] = {"events.jsonl", "logins.jsonl", "checkpoints.jsonl", "proofs.json"};
  audit::EvidenceManifest m;
  m.minato_version = "fuzz";
  m.origin = "minato";
  m.incident_id = 1;
  m.created_us = int64_t{1'800'000'000} * 1'000'000;
  m.created_by = "fuzz";
  int64_t lines = 0;
  for (char c : parts[0]) lines += c == '\n';
  m.from_seq = 1;
  m.to_seq = std::max<int64_t>(1, lines);
  m.tree_size = m.to_seq + static_cast<int64_t>(size % 3);
  m.key_id = id;
  m.keys[id] = crypto::to_hex(pub);
  std::string archive;
  for (size_t i = 0; i < parts.size(); ++i) {
    put(archive, names[i], parts[i]);
    m.members.push_back(
        TarMember{names[i], parts[i].size(), crypto::to_hex(crypto::sha256(parts[i]))});
  }
  const std::string manifest = audit::manifest_json(m);
  put(archive, "manifest.json", manifest);
  put(archive, "manifest.sig", crypto::to_hex(key.sign(manifest)) + "\n");
  archive.append(2 * kTarBlock, '\0');
  auto c = audit::verify_evidence(archive, {{id, pub}});
  if (c && (!c->pinned || c->events != m.to_seq - m.from_seq + 1)) __builtin_trap();
  // The same archive with its manifest's first byte changed never verifies.
  std::string changed = archive;
  changed[archive.find("{\"format\"")] = '[';
  if (audit::verify_evidence(changed, {{id, pub}})) __builtin_trap();
  return 0;
}
