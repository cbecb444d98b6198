// Backup sets (G2.7.2-a/e): one target's files, compressed (zstd), encrypted (libsodium
// XChaCha20-Poly1305 secretstream) and described by a manifest signed with Ed25519.
//
// A set is a directory named by its id ("20261126T141500Z-database"):
//   manifest.json   what the set holds: target, time, schema version, audit tree size and root,
//                   every file (path, size, mode, SHA-256 of its bytes) and every stored chunk
//                   (plain size, stored size, BLAKE2b-256 of the stored bytes)
//   manifest.sig    {"key_id", "signature"}: Ed25519 over the exact bytes of manifest.json
//   payload.bin     the chunks, one after another: the files' bytes concatenated, cut into
//                   chunks, each compressed and then pushed through one secretstream (the last
//                   with the FINAL tag, so a truncated set never decrypts as complete)
//
// Each set has its own random stream key, sealed (crypto_box_seal, X25519) to a recipient's
// public key. The recipient's secret key exists only inside a recovery file, sealed under a
// passphrase (Argon2id): the live server can write sets but cannot read them back, and the
// keys target has its own recipient and passphrase (G2.3-c). The recovery file also carries the
// backup signing key's public half, authenticated by the passphrase: it is restore's trust
// anchor for manifests.
//
// Anyone may check a stored set without keys (check_stored: sizes and chunk hashes against the
// signed manifest), which is what the vault does on arrival.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/keys.h"

namespace minato::resilience {

inline constexpr std::string_view kManifestFile = "manifest.json";
inline constexpr std::string_view kSignatureFile = "manifest.sig";
inline constexpr std::string_view kPayloadFile = "payload.bin";

// ---- Recipients and recovery files -------------------------------------------------------------

struct Argon2Cost {
  uint64_t ops = 3;
  size_t mem = 64u << 20;  // bytes
};

// What a recovery file holds once opened with its passphrase.
struct Recipient {
  std::string name;           // "data" or "keys"
  std::string public_key;     // 32 bytes, X25519
  std::string secret_key;     // 32 bytes; empty when only the public half is known
  std::string signer_public;  // 32 bytes, Ed25519: the key that signs this installation's sets
};

// A new recipient: its key pair, sealed under `passphrase`. Returns the recovery file's text
// (JSON) and fills `out` (with the secret key). Refuses a passphrase under 16 characters.
Result<std::string> make_recovery_file(const std::string& name, const std::string& passphrase,
                                       const std::string& signer_public, const Argon2Cost& cost,
                                       Recipient* out);
// The public half of a recovery file (no passphrase needed; not authenticated).
Result<Recipient> read_recovery_public(std::string_view text, const std::string& origin);
// Opens a recovery file. A wrong passphrase or a changed file is kPermissionDenied/kDataLoss.
Result<Recipient> open_recovery_file(std::string_view text, const std::string& passphrase,
                                     const std::string& origin);

// ---- Manifests ---------------------------------------------------------------------------------

struct FileEntry {
  std::string path;  // relative, '/'-separated, no "..": where it goes under the restore root
  uint64_t size = 0;
  unsigned mode = 0600;
  std::string sha256;  // hex of the plain bytes
};

struct ChunkEntry {
  uint64_t plain = 0;   // bytes before compression
  uint64_t stored = 0;  // bytes in payload.bin (compressed and encrypted)
  std::string hash;     // hex BLAKE2b-256 of the stored bytes
};

struct AuditHead {
  int64_t size = 0;  // events in the snapshot
  std::string root;  // hex Merkle root of those events
  int64_t last_at_us = 0;
};

struct Manifest {
  std::string set_id;
  std::string target;
  int64_t created_us = 0;
  std::string host;
  std::string minato_version;
  int schema_version = 0;
  AuditHead audit;
  std::string recipient;      // recipient name
  std::string recipient_key;  // hex X25519 public key
  std::string sealed_key;     // hex crypto_box_seal(stream key)
  std::string stream_header;  // hex secretstream header
  int zstd_level = 0;
  uint64_t chunk_bytes = 0;
  std::vector<FileEntry> files;
  std::vector<ChunkEntry> chunks;

  uint64_t plain_bytes() const;
  uint64_t stored_bytes() const;
};

std::string manifest_json(const Manifest& m);
Result<Manifest> parse_manifest(std::string_view json, const std::string& origin);
// The set id for a target at a time: "YYYYMMDDTHHMMSSZ-<target>".
std::string make_set_id(int64_t created_us, const std::string& target);
// True for ids of that shape (safe as a directory name).
bool valid_set_id(std::string_view id);
// The time a set id names, in microseconds since the epoch. REQUIRES: valid_set_id(id).
int64_t set_time_us(std::string_view id);
// The target a set id names ("database"). REQUIRES: valid_set_id(id).
inline std::string set_target(std::string_view id) { return std::string(id.substr(17)); }

// Removes a set directory (or any tree) that was left read-only: sets are 0500 directories of
// 0400 files.
void remove_read_only_tree(const std::string& path);
// Removes what a crash left in `root`: directories named `prefix`* older than `min_age_s`
// (younger ones may belong to another process still writing). Returns how many.
int remove_stale_partials(const std::string& root, std::string_view prefix, int64_t min_age_s);

// ---- Writing -----------------------------------------------------------------------------------

struct SourceFile {
  std::string path;       // in the set (FileEntry::path)
  std::string disk_path;  // where to read it now
  unsigned mode = 0600;
};

struct WriteOptions {
  std::string target;
  int64_t created_us = 0;
  std::string host;
  std::string minato_version;
  int schema_version = 0;
  AuditHead audit;
  int zstd_level = 3;
  size_t chunk_bytes = 4u << 20;
  int threads = 2;  // compression and encryption of chunks in parallel
};

// Writes a set for `files` under `root`/<set id>: first into a hidden temporary directory,
// every file fsynced, then renamed into place, so a crash or a full disk leaves no half set
// under a set's name. Files are left read-only (0400).
Result<Manifest> write_set(const std::string& root, const std::vector<SourceFile>& files,
                           const Recipient& recipient, const crypto::SigningKey& signer,
                           const WriteOptions& options);

// ---- Reading -----------------------------------------------------------------------------------

// Reads `dir`'s manifest and checks its signature against `signer_public` (32 bytes).
Result<Manifest> read_verified_manifest(const std::string& dir, const std::string& signer_public);
// Checks the signature of manifest bytes (what the vault receives over the wire).
Status verify_manifest_signature(std::string_view manifest, std::string_view signature_file,
                                 const std::string& signer_public, const std::string& origin);
// Checks payload.bin against the manifest: its size and every chunk's hash. No keys needed.
Status check_stored(const std::string& dir, const Manifest& m);

struct ExtractProgress {
  uint64_t done = 0;   // stored bytes processed
  uint64_t total = 0;  // stored bytes in the set
};

// Decrypts and decompresses the set into `out_root` (which must exist), checking every file's
// size and SHA-256. Files are written under temporary names and renamed when whole; on any
// error the files written so far are removed.
Status extract_set(const std::string& dir, const Manifest& m, const Recipient& recipient,
                   const std::string& out_root,
                   const std::function<void(const ExtractProgress&)>& progress = {});

// Reads one stored chunk's bytes (for serving it to the vault).
Result<std::string> read_chunk(const std::string& dir, const Manifest& m, size_t index);

}  // namespace minato::resilience
