#include "identity/webauthn.h"

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <memory>

#include "crypto/random.h"

namespace minato::identity::webauthn {

namespace {

constexpr uint8_t kFlagUserPresent = 0x01;
constexpr uint8_t kFlagUserVerified = 0x04;
constexpr uint8_t kFlagAttested = 0x40;
constexpr uint8_t kFlagExtensions = 0x80;
constexpr size_t kMaxInput = 64 * 1024;

Error refused(std::string_view check, std::string_view why) {
  return Error(ErrorCode::kUnauthenticated,
               "WebAuthn " + std::string(check) + " check failed: " + std::string(why),
               std::string(check));
}

// --- CBOR (libcbor) ---------------------------------------------------------------------------

struct CborDeleter {
  void operator()(cbor_item_t* p) const { cbor_decref(&p); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborDeleter>;

// Walks one CBOR item at the front of `d` without allocating and returns its length, or 0 if
// it is not well-formed, uses indefinite lengths, nests deeper than 16, or declares more
// elements than there are bytes left. libcbor 0.8 allocates for a declared map or array size
// before reading its elements, so a 10-byte input claiming 2^31 entries exhausted memory:
// found by fuzz_webauthn; every input passes this check first.
size_t cbor_well_formed(std::string_view d, int depth = 0) {
  if (d.empty() || depth > 16) return 0;
  const auto b = static_cast<uint8_t>(d[0]);
  const int major = b >> 5, info = b & 31;
  size_t pos = 1;
  uint64_t arg = 0;
  if (info < 24) {
    arg = static_cast<uint64_t>(info);
  } else if (info <= 27) {
    size_t n = size_t{1} << (info - 24);
    if (d.size() < pos + n) return 0;
    for (size_t i = 0; i < n; ++i) arg = (arg << 8) | static_cast<uint8_t>(d[pos + i]);
    pos += n;
  } else {
    return 0;  // reserved, or indefinite length / break
  }
  const uint64_t rest = d.size() - pos;
  switch (major) {
    case 0:
    case 1:
    case 7:
      return pos;
    case 2:
    case 3:
      return arg <= rest ? pos + static_cast<size_t>(arg) : 0;
    case 4:
    case 5: {
      const uint64_t items = major == 4 ? arg : arg * 2;
      if (arg > rest || items > rest) return 0;  // each element takes at least one byte
      for (uint64_t i = 0; i < items; ++i) {
        size_t n = cbor_well_formed(d.substr(pos), depth + 1);
        if (n == 0) return 0;
        pos += n;
      }
      return pos;
    }
    case 6: {
      size_t n = cbor_well_formed(d.substr(pos), depth + 1);
      return n == 0 ? 0 : pos + n;
    }
  }
  return 0;
}

// Decodes one CBOR item from the front of `data`; `*used` is how many bytes it took.
CborItem cbor_decode(std::string_view data, size_t* used) {
  if (cbor_well_formed(data) == 0) return nullptr;
  cbor_load_result res{};
  cbor_item_t* item = cbor_load(reinterpret_cast<cbor_data>(data.data()), data.size(), &res);
  if (item == nullptr || res.error.code != CBOR_ERR_NONE) {
    if (item != nullptr) cbor_decref(&item);
    return nullptr;
  }
  *used = res.read;
  return CborItem(item);
}

std::optional<int64_t> cbor_int(const cbor_item_t* i) {
  if (cbor_isa_uint(i)) {
    uint64_t v = cbor_get_int(i);
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (cbor_isa_negint(i)) {
    uint64_t v = cbor_get_int(i);
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return -1 - static_cast<int64_t>(v);
  }
  return std::nullopt;
}

std::optional<std::string> cbor_bytes(const cbor_item_t* i) {
  if (!cbor_isa_bytestring(i) || !cbor_bytestring_is_definite(i)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(i)),
                     cbor_bytestring_length(i));
}

std::optional<std::string> cbor_text(const cbor_item_t* i) {
  if (!cbor_isa_string(i) || !cbor_string_is_definite(i)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(i)), cbor_string_length(i));
}

// The value of a map entry whose key is the text `key` (or the integer `ikey`).
const cbor_item_t* map_find(const cbor_item_t* map, std::string_view key) {
  if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    auto k = cbor_text(pairs[i].key);
    if (k && *k == key) return pairs[i].value;
  }
  return nullptr;
}
const cbor_item_t* map_find(const cbor_item_t* map, int64_t ikey) {
  if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    auto k = cbor_int(pairs[i].key);
    if (k && *k == ikey) return pairs[i].value;
  }
  return nullptr;
}

// --- keys and signatures (OpenSSL) ------------------------------------------------------------

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct CoseKey {
  int alg = 0;
  Pkey key;
};

Result<CoseKey> parse_cose_key(std::string_view bytes) {
  size_t used = 0;
  CborItem map = cbor_decode(bytes, &used);
  if (!map || used != bytes.size() || !cbor_isa_map(map.get())) {
    return fail(refused("publicKey", "the credential public key is not a COSE_Key map"));
  }
  auto field_int = [&](int64_t k) -> std::optional<int64_t> {
    const cbor_item_t* v = map_find(map.get(), k);
    return v != nullptr ? cbor_int(v) : std::nullopt;
  };
  auto field_bytes = [&](int64_t k) -> std::optional<std::string> {
    const cbor_item_t* v = map_find(map.get(), k);
    return v != nullptr ? cbor_bytes(v) : std::nullopt;
  };
  auto kty = field_int(1), alg = field_int(3), crv = field_int(-1);
  auto x = field_bytes(-2);
  CoseKey out;
  if (alg == kES256 && kty == 2 && crv == 1) {
    auto y = field_bytes(-3);
    if (!x || !y || x->size() != 32 || y->size() != 32) {
      return fail(refused("publicKey", "an ES256 key needs 32-byte x and y"));
    }
    std::string point = "\x04" + *x + *y;
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    EVP_PKEY* pkey = nullptr;
    bool ok = ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
              EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok || pkey == nullptr) {
      EVP_PKEY_free(pkey);
      return fail(refused("publicKey", "the ES256 key is not a point on P-256"));
    }
    out.key.reset(pkey);
    // EVP_PKEY_fromdata checks the encoding; make sure the point is on the curve, too.
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    bool on_curve = check != nullptr && EVP_PKEY_public_check(check) == 1;
    EVP_PKEY_CTX_free(check);
    if (!on_curve) return fail(refused("publicKey", "the ES256 key is not a point on P-256"));
  } else if (alg == kEdDSA && kty == 1 && crv == 6) {
    if (!x || x->size() != 32) return fail(refused("publicKey", "an Ed25519 key needs 32-byte x"));
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size());
    if (pkey == nullptr) return fail(refused("publicKey", "the Ed25519 key is not valid"));
    out.key.reset(pkey);
  } else {
    return fail(refused("alg", "only ES256 (-7) on P-256 and EdDSA (-8) on Ed25519 are accepted"));
  }
  out.alg = static_cast<int>(*alg);
  return out;
}

bool verify_signature(EVP_PKEY* key, int alg, std::string_view message, std::string_view sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  const EVP_MD* md = alg == kES256 ? EVP_sha256() : nullptr;
  bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// --- client data and authenticator data -------------------------------------------------------

Status check_client_data(const RelyingParty& rp, std::string_view challenge,
                         std::string_view client_data_json, std::string_view expected_type) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(client_data_json, ec);
  if (ec || !v.is_object())
    return fail(refused("clientData", "clientDataJSON is not a JSON object"));
  const auto& o = v.as_object();
  auto str = [&](const char* k) -> std::optional<std::string> {
    auto it = o.find(k);
    if (it == o.end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().as_string());
  };
  if (str("type") != std::string(expected_type)) {
    return fail(refused("type", "clientData type is not " + std::string(expected_type)));
  }
  auto ch = str("challenge");
  auto raw =
      ch ? base64url_decode(*ch) : Result<std::string>(fail(ErrorCode::kInvalidArgument, ""));
  if (!raw || !crypto::constant_time_equal(*raw, challenge)) {
    return fail(refused("challenge", "not the challenge issued for this ceremony"));
  }
  if (str("origin") != rp.origin) {
    return fail(refused(
        "origin", "origin '" + str("origin").value_or("").substr(0, 80) + "' is not " + rp.origin));
  }
  if (auto it = o.find("crossOrigin");
      it != o.end() && !(it->value().is_bool() && !it->value().as_bool())) {
    return fail(refused("crossOrigin", "cross-origin ceremonies are refused"));
  }
  return ok();
}

struct AuthData {
  std::string rp_id_hash;
  uint8_t flags = 0;
  uint32_t sign_count = 0;
  std::string aaguid, credential_id, public_key;  // with attested credential data
};

Result<AuthData> parse_auth_data(std::string_view d, bool expect_attested) {
  if (d.size() < 37) return fail(refused("authenticatorData", "shorter than 37 bytes"));
  AuthData a;
  a.rp_id_hash = std::string(d.substr(0, 32));
  a.flags = static_cast<uint8_t>(d[32]);
  for (size_t i = 33; i < 37; ++i) a.sign_count = (a.sign_count << 8) | static_cast<uint8_t>(d[i]);
  size_t pos = 37;
  if (a.flags & kFlagAttested) {
    if (!expect_attested) {
      return fail(refused("flags", "an assertion must not carry attested credential data"));
    }
    if (d.size() < pos + 18) return fail(refused("authenticatorData", "attested data truncated"));
    a.aaguid = std::string(d.substr(pos, 16));
    size_t len = (static_cast<uint8_t>(d[pos + 16]) << 8) | static_cast<uint8_t>(d[pos + 17]);
    pos += 18;
    if (len == 0 || len > 1023 || d.size() < pos + len) {
      return fail(refused("authenticatorData", "credential id length is not valid"));
    }
    a.credential_id = std::string(d.substr(pos, len));
    pos += len;
    size_t used = 0;
    CborItem key = cbor_decode(d.substr(pos), &used);
    if (!key) return fail(refused("publicKey", "the credential public key is not CBOR"));
    a.public_key = std::string(d.substr(pos, used));
    pos += used;
  } else if (expect_attested) {
    return fail(refused("flags", "registration without attested credential data"));
  }
  if (a.flags & kFlagExtensions) {
    size_t used = 0;
    CborItem ext = cbor_decode(d.substr(pos), &used);
    if (!ext || !cbor_isa_map(ext.get())) {
      return fail(refused("authenticatorData", "extensions are not a CBOR map"));
    }
    pos += used;
  }
  if (pos != d.size()) return fail(refused("authenticatorData", "trailing bytes"));
  return a;
}

Status check_flags_and_rp(const RelyingParty& rp, const AuthData& a) {
  if (!crypto::constant_time_equal(a.rp_id_hash, crypto::sha256(rp.id))) {
    return fail(refused("rpIdHash", "made for another relying party than " + rp.id));
  }
  if (!(a.flags & kFlagUserPresent)) return fail(refused("flags", "the user was not present"));
  if (rp.require_user_verification && !(a.flags & kFlagUserVerified)) {
    return fail(refused("flags", "user verification is required but was not performed"));
  }
  return ok();
}

Status verify_packed(const cbor_item_t* stmt, const CoseKey& cred_key,
                     const std::string& signed_data) {
  const cbor_item_t* alg_item = map_find(stmt, "alg");
  const cbor_item_t* sig_item = map_find(stmt, "sig");
  auto alg_opt = alg_item != nullptr ? cbor_int(alg_item) : std::nullopt;
  auto sig = sig_item != nullptr ? cbor_bytes(sig_item) : std::nullopt;
  if (!alg_opt || !sig) {
    return fail(refused("attestation", "packed statement without alg and sig"));
  }
  const int64_t alg = alg_opt.value_or(0);
  const cbor_item_t* x5c = map_find(stmt, "x5c");
  if (x5c == nullptr) {  // self attestation: signed by the credential key itself
    if (alg != cred_key.alg) {
      return fail(refused("attestation", "self attestation with another algorithm"));
    }
    if (!verify_signature(cred_key.key.get(), cred_key.alg, signed_data, *sig)) {
      return fail(refused("signature", "the self attestation signature does not verify"));
    }
    return ok();
  }
  if (!cbor_isa_array(x5c) || cbor_array_size(x5c) == 0) {
    return fail(refused("attestation", "x5c is not a certificate list"));
  }
  auto der = cbor_bytes(cbor_array_handle(x5c)[0]);
  if (!der) return fail(refused("attestation", "x5c[0] is not a certificate"));
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der->size()));
  if (cert == nullptr) return fail(refused("attestation", "x5c[0] is not a DER certificate"));
  std::unique_ptr<X509, decltype(&X509_free)> holder(cert, X509_free);
  if (X509_get_version(cert) != 2 || (X509_get_extension_flags(cert) & EXFLAG_CA)) {
    return fail(refused("attestation", "the attestation certificate must be v3 and not a CA"));
  }
  if (alg != kES256 && alg != kEdDSA) {
    return fail(refused("alg", "attestation algorithm is not ES256 or EdDSA"));
  }
  if (!verify_signature(X509_get0_pubkey(cert), static_cast<int>(alg), signed_data, *sig)) {
    return fail(refused("signature", "the attestation signature does not verify"));
  }
  return ok();
}

}  // namespace

std::string base64url_encode(std::string_view raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() > 2 * kMaxInput) {
    return fail(ErrorCode::kInvalidArgument, "base64url value too long");
  }
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return fail(ErrorCode::kInvalidArgument, "not base64url");
  }
  out.resize(len);
  return out;
}

Result<Credential> verify_registration(const RelyingParty& rp, std::string_view challenge,
                                       const RegistrationResponse& r) {
  if (r.client_data_json.size() > kMaxInput || r.attestation_object.size() > kMaxInput) {
    return fail(refused("size", "response too large"));
  }
  MINATO_TRY(check_client_data(rp, challenge, r.client_data_json, "webauthn.create"));
  size_t used = 0;
  CborItem att = cbor_decode(r.attestation_object, &used);
  if (!att || used != r.attestation_object.size() || !cbor_isa_map(att.get())) {
    return fail(refused("attestationObject", "not a CBOR map"));
  }
  const cbor_item_t* fmt_item = map_find(att.get(), "fmt");
  const cbor_item_t* stmt = map_find(att.get(), "attStmt");
  const cbor_item_t* auth_item = map_find(att.get(), "authData");
  auto fmt = fmt_item != nullptr ? cbor_text(fmt_item) : std::nullopt;
  auto auth_bytes = auth_item != nullptr ? cbor_bytes(auth_item) : std::nullopt;
  if (!fmt || stmt == nullptr || !cbor_isa_map(stmt) || !auth_bytes) {
    return fail(refused("attestationObject", "fmt, attStmt and authData are required"));
  }
  auto auth = parse_auth_data(*auth_bytes, true);
  if (!auth) return fail(auth.error());
  MINATO_TRY(check_flags_and_rp(rp, *auth));
  auto key = parse_cose_key(auth->public_key);
  if (!key) return fail(key.error());

  const std::string signed_data = *auth_bytes + crypto::sha256(r.client_data_json);
  if (*fmt == "none") {
    if (cbor_map_size(stmt) != 0) {
      return fail(refused("attestation", "a 'none' attestation must have an empty statement"));
    }
  } else if (*fmt == "packed") {
    MINATO_TRY(verify_packed(stmt, *key, signed_data));
  } else {
    return fail(
        refused("attestation", "attestation format '" + fmt->substr(0, 32) + "' is not accepted"));
  }
  Credential c;
  c.id = auth->credential_id;
  c.public_key = auth->public_key;
  c.alg = key->alg;
  c.sign_count = auth->sign_count;
  c.aaguid = auth->aaguid;
  c.fmt = *fmt;
  c.user_verified = (auth->flags & kFlagUserVerified) != 0;
  return c;
}

Result<uint32_t> verify_assertion(const RelyingParty& rp, std::string_view challenge,
                                  const Credential& stored, const AssertionResponse& r) {
  if (r.client_data_json.size() > kMaxInput || r.authenticator_data.size() > kMaxInput ||
      r.signature.size() > 1024) {
    return fail(refused("size", "response too large"));
  }
  MINATO_TRY(check_client_data(rp, challenge, r.client_data_json, "webauthn.get"));
  auto auth = parse_auth_data(r.authenticator_data, false);
  if (!auth) return fail(auth.error());
  MINATO_TRY(check_flags_and_rp(rp, *auth));
  auto key = parse_cose_key(stored.public_key);
  if (!key) return fail(key.error());
  const std::string signed_data = r.authenticator_data + crypto::sha256(r.client_data_json);
  if (!verify_signature(key->key.get(), key->alg, signed_data, r.signature)) {
    return fail(refused("signature", "the assertion signature does not verify"));
  }
  // §7.2 step 21: a counter that does not grow means a cloned authenticator (both zero means
  // the authenticator keeps no counter).
  if ((auth->sign_count != 0 || stored.sign_count != 0) && auth->sign_count <= stored.sign_count) {
    return fail(refused("counter", "sign counter " + std::to_string(auth->sign_count) +
                                       " did not grow past " + std::to_string(stored.sign_count) +
                                       " (cloned authenticator?)"));
  }
  return auth->sign_count;
}

}  // namespace minato::identity::webauthn
