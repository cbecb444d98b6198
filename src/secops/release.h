// Release artefacts (A1.3.4, G2.7.4): what a Minato release is, so that a host accepts only the
// builders' own files, unaltered, before an upgrade.
//
// A release directory holds the artefacts (the program's archive, its SBOM, ...) and
//   RELEASE.json      {"product":"minato","version":"0.2.0","created":"...",
//                      "artefacts":[{"name":"minato-0.2.0-amd64.tar","size":N,"sha256":"..."}]}
//   RELEASE.json.sig  "ed25519 <public key hex> <signature hex>\n" over RELEASE.json's bytes
//   SHA256SUMS        the same sums as `sha256sum` writes them (for `sha256sum -c`)
// The signature is checked against the keys configured in upgrade.release_keys; the artefact's
// size and SHA-256 against the manifest; the version must be newer than the running one (an
// older one is a rollback, which goes through the recorded rollback path instead).
//
//   auto m = make_manifest("0.2.0", now_us, {{"minato-0.2.0-amd64.tar", bytes}});
//   std::string text = manifest_json(*m);  std::string sig = sign_manifest(key, text);
//   auto checked = verify_manifest(text, sig, trusted_keys);   // the manifest, or why not
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/keys.h"

namespace minato::secops {

struct ReleaseArtefact {
  std::string name;  // a plain file name, no directory
  uint64_t size = 0;
  std::string sha256;  // lower-case hex
};

struct ReleaseManifest {
  std::string product = "minato";
  std::string version;  // MAJOR.MINOR.PATCH
  std::string created;  // ISO 8601 UTC
  std::vector<ReleaseArtefact> artefacts;
  std::string signer;  // the verifying key (hex), filled in by verify_manifest
};

inline constexpr std::string_view kManifestName = "RELEASE.json";
inline constexpr std::string_view kSignatureName = "RELEASE.json.sig";
inline constexpr std::string_view kSumsName = "SHA256SUMS";

// Checks a release version ("0.2.0"): three decimal numbers.
Status check_release_version(std::string_view v);
// <0, 0, >0 as a is older than, the same as, newer than b (both checked versions).
int compare_release_versions(std::string_view a, std::string_view b);

std::string manifest_json(const ReleaseManifest& m);
Result<ReleaseManifest> parse_manifest(std::string_view text);
std::string sums_text(const ReleaseManifest& m);

// The signature file's text for `manifest` (the bytes exactly as written).
std::string sign_manifest(const crypto::SigningKey& key, std::string_view manifest);

// Verifies `signature_file` over `manifest` with one of `trusted_keys` (hex), then parses it.
// kPermissionDenied when the signature is malformed, by another key, or does not verify; the
// message names the key that signed.
Result<ReleaseManifest> verify_manifest(std::string_view manifest, std::string_view signature_file,
                                        const std::vector<std::string>& trusted_keys);

// The artefact named `name` in `m`, checked against `bytes` (size and SHA-256);
// kNotFound / kDataLoss with what differs.
Result<ReleaseArtefact> check_artefact(const ReleaseManifest& m, std::string_view name,
                                       std::string_view bytes);

}  // namespace minato::secops
