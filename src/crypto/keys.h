// Keys held in the data directory: the Ed25519 signing key (audit checkpoints, exports) and the
// sealing key that encrypts secrets at rest (TOTP seeds) with XChaCha20-Poly1305.
// G2.3-a, G2.3-c: keys are generated here, stored 0600, never printed.
//
//   auto key = SealingKey::generate();
//   std::string box = key.seal(secret, "user:alice/totp");   // associated data binds context
//   auto back = key.open(box, "user:alice/totp");
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato::crypto {

class SealingKey {
 public:
  SealingKey() = default;
  SealingKey(const SealingKey&) = default;
  SealingKey(SealingKey&&) noexcept = default;
  SealingKey& operator=(const SealingKey&) = default;
  SealingKey& operator=(SealingKey&&) noexcept = default;
  ~SealingKey();  // wipes the keys from memory

  static SealingKey generate();
  // The key at `path` and, when `path`.previous exists, the earlier keys a rotation kept.
  static Result<SealingKey> load(const std::string& path);
  // Writes the current key to `path` and the earlier ones (if any) to `path`.previous; with
  // none, removes `path`.previous. The earlier keys are written first: a crash in between
  // leaves every key on disk.
  Status save(const std::string& path) const;

  // Encrypts and authenticates `plain`; `context` is authenticated but not stored, so a sealed
  // value cannot be moved to another row. Output: nonce || ciphertext || tag.
  std::string seal(std::string_view plain, std::string_view context) const;
  // Opens a value sealed under the current key or, after a rotation, an earlier one.
  Result<std::string> open(std::string_view sealed, std::string_view context) const;
  // A keyed hash (BLAKE2b-256 under a subkey for `context`) of values that are stored only
  // to be compared, such as recovery codes: a stolen database alone cannot test guesses.
  std::string mac(std::string_view data, std::string_view context) const;
  // The same under the current key, then every earlier one: a value stored before a rotation
  // is compared against these.
  std::vector<std::string> macs(std::string_view data, std::string_view context) const;

  // G2.3-c: a new current key; the current one becomes the newest earlier key (kept to open and
  // compare what was stored under it), unless `forget` — then no earlier key is kept.
  SealingKey rotated(bool forget) const;
  // The current key alone (the earlier ones forgotten).
  SealingKey current_only() const;
  size_t earlier_keys() const { return previous_.size(); }

 private:
  std::string key_;
  std::vector<std::string> previous_;  // newest first
};

class SigningKey {
 public:
  SigningKey() = default;
  SigningKey(const SigningKey&) = default;
  SigningKey(SigningKey&&) noexcept = default;
  SigningKey& operator=(const SigningKey&) = default;
  SigningKey& operator=(SigningKey&&) noexcept = default;
  ~SigningKey();  // wipes the secret key from memory
  static SigningKey generate();
  static Result<SigningKey> load(const std::string& path);
  Status save(const std::string& path) const;

  std::string sign(std::string_view message) const;  // 64-byte detached signature
  std::string public_key() const;                    // 32 bytes
  static bool verify(std::string_view public_key, std::string_view message,
                     std::string_view signature);

 private:
  std::string secret_;  // 64 bytes (seed || public key), libsodium layout
};

}  // namespace minato::crypto
