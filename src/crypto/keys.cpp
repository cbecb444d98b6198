#include "crypto/keys.h"

#include <sodium.h>
#include <unistd.h>

#include "common/files.h"
#include "crypto/random.h"

namespace minato::crypto {

namespace {

constexpr std::string_view kSealHeader = "minato-sealing-key-v1 ";
constexpr std::string_view kSignHeader = "minato-ed25519-secret-v1 ";

Result<std::string> load_key(const std::string& path, std::string_view header, size_t size) {
  auto text = read_file(path, 4096);
  if (!text) return fail(text.error());
  std::string_view t = *text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
  if (t.substr(0, header.size()) != header) {
    return fail(ErrorCode::kDataLoss, "key file " + path + " is not a Minato key of this kind");
  }
  auto raw = from_hex(t.substr(header.size()));
  if (!raw || raw->size() != size) {
    return fail(ErrorCode::kDataLoss, "key file " + path + " is damaged");
  }
  return raw;
}

}  // namespace

SealingKey SealingKey::generate() {
  SealingKey k;
  k.key_ = random_bytes(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  return k;
}

SealingKey::~SealingKey() {
  if (!key_.empty()) sodium_memzero(key_.data(), key_.size());
  for (auto& k : previous_) {
    if (!k.empty()) sodium_memzero(k.data(), k.size());
  }
}

Result<SealingKey> SealingKey::load(const std::string& path) {
  auto raw = load_key(path, kSealHeader, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!raw) return fail(raw.error());
  SealingKey k;
  k.key_ = std::move(*raw);
  const std::string earlier = path + ".previous";
  if (::access(earlier.c_str(), F_OK) == 0) {
    auto text = read_file(earlier, 1 << 16);
    if (!text) return fail(text.error());
    size_t at = 0;
    while (at < text->size()) {
      size_t end = text->find('\n', at);
      if (end == std::string::npos) end = text->size();
      std::string_view line(text->data() + at, end - at);
      at = end + 1;
      if (line.empty()) continue;
      auto key = line.substr(0, kSealHeader.size()) == kSealHeader
                     ? from_hex(line.substr(kSealHeader.size()))
                     : Result<std::string>(fail(ErrorCode::kDataLoss, ""));
      if (!key || key->size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
        return fail(ErrorCode::kDataLoss, "key file " + earlier + " is damaged");
      }
      k.previous_.push_back(std::move(*key));
    }
  }
  return k;
}

Status SealingKey::save(const std::string& path) const {
  const std::string earlier = path + ".previous";
  if (!previous_.empty()) {
    std::string text;
    for (const auto& p : previous_) text += std::string(kSealHeader) + to_hex(p) + "\n";
    MINATO_TRY(write_file_atomic(earlier, text, 0600));
  }
  MINATO_TRY(write_file_atomic(path, std::string(kSealHeader) + to_hex(key_) + "\n", 0600));
  if (previous_.empty() && ::access(earlier.c_str(), F_OK) == 0) {
    // Forgotten: overwritten before it goes, so nothing of the earlier keys stays in the file.
    MINATO_TRY(overwrite_with_random(earlier));
    if (::unlink(earlier.c_str()) != 0) {
      return fail(ErrorCode::kUnavailable, "cannot remove " + earlier);
    }
  }
  return ok();
}

SealingKey SealingKey::rotated(bool forget) const {
  SealingKey next = generate();
  if (!forget) {
    next.previous_.push_back(key_);
    next.previous_.insert(next.previous_.end(), previous_.begin(), previous_.end());
  }
  return next;
}

SealingKey SealingKey::current_only() const {
  SealingKey k;
  k.key_ = key_;
  return k;
}

std::vector<std::string> SealingKey::macs(std::string_view data, std::string_view context) const {
  std::vector<std::string> out{mac(data, context)};
  for (const auto& p : previous_) {
    SealingKey earlier;
    earlier.key_ = p;
    out.push_back(earlier.mac(data, context));
  }
  return out;
}

std::string SealingKey::mac(std::string_view data, std::string_view context) const {
  // Subkey = BLAKE2b(key = sealing key, "minato-mac:" || context); then BLAKE2b(subkey, data).
  std::string label = "minato-mac:" + std::string(context);
  unsigned char subkey[crypto_generichash_KEYBYTES];
  crypto_generichash(subkey, sizeof subkey, reinterpret_cast<const unsigned char*>(label.data()),
                     label.size(), reinterpret_cast<const unsigned char*>(key_.data()),
                     key_.size());
  std::string out(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), subkey,
                     sizeof subkey);
  sodium_memzero(subkey, sizeof subkey);
  return out;
}

std::string SealingKey::seal(std::string_view plain, std::string_view context) const {
  std::string nonce = random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  std::string out = nonce;
  out.resize(nonce.size() + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data() + nonce.size()), &clen,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr,
      reinterpret_cast<const unsigned char*>(nonce.data()),
      reinterpret_cast<const unsigned char*>(key_.data()));
  out.resize(nonce.size() + clen);
  return out;
}

Result<std::string> SealingKey::open(std::string_view sealed, std::string_view context) const {
  const size_t nlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const size_t alen = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < nlen + alen) return fail(ErrorCode::kDataLoss, "sealed value is truncated");
  std::string plain(sealed.size() - nlen - alen, '\0');
  unsigned long long plen = 0;
  auto opens = [&](const std::string& key) {
    return crypto_aead_xchacha20poly1305_ietf_decrypt(
               reinterpret_cast<unsigned char*>(plain.data()), &plen, nullptr,
               reinterpret_cast<const unsigned char*>(sealed.data() + nlen), sealed.size() - nlen,
               reinterpret_cast<const unsigned char*>(context.data()), context.size(),
               reinterpret_cast<const unsigned char*>(sealed.data()),
               reinterpret_cast<const unsigned char*>(key.data())) == 0;
  };
  bool opened = opens(key_);
  for (size_t i = 0; !opened && i < previous_.size(); ++i) opened = opens(previous_[i]);
  if (!opened) {
    return fail(ErrorCode::kDataLoss, "sealed value failed authentication (wrong key or altered)");
  }
  plain.resize(plen);
  return plain;
}

SigningKey::~SigningKey() {
  if (!secret_.empty()) sodium_memzero(secret_.data(), secret_.size());
}

SigningKey SigningKey::generate() {
  SigningKey k;
  k.secret_.resize(crypto_sign_SECRETKEYBYTES);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(pk, reinterpret_cast<unsigned char*>(k.secret_.data()));
  return k;
}

Result<SigningKey> SigningKey::load(const std::string& path) {
  auto raw = load_key(path, kSignHeader, crypto_sign_SECRETKEYBYTES);
  if (!raw) return fail(raw.error());
  SigningKey k;
  k.secret_ = std::move(*raw);
  return k;
}

Status SigningKey::save(const std::string& path) const {
  return write_file_atomic(path, std::string(kSignHeader) + to_hex(secret_) + "\n", 0600);
}

std::string SigningKey::sign(std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       reinterpret_cast<const unsigned char*>(secret_.data()));
  return sig;
}

std::string SigningKey::public_key() const {
  return secret_.substr(crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES);
}

bool SigningKey::verify(std::string_view public_key, std::string_view message,
                        std::string_view signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace minato::crypto
