#include "crypto/tls_cert.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string_view>

#include "crypto/random.h"

namespace minato::crypto {

namespace {

struct Del {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Del>;

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Error ssl_error(const std::string& what) {
  return Error(ErrorCode::kInternal, "TLS certificate: " + what);
}

bool add_ext(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

Result<SelfSignedCert> make_self_signed_cert(const std::string& common_name,
                                             const std::vector<std::string>& dns_names,
                                             const std::vector<std::string>& ip_addresses) {
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return fail(ssl_error("cannot generate an ECDSA P-256 key"));
  Ptr<X509> cert(X509_new());
  if (!cert) return fail(ssl_error("out of memory"));
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return fail(ssl_error("no randomness"));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 397L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Minato TOS"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);

  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  if (!add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_ext(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_ext(cert.get(), NID_subject_key_identifier, "hash") ||
      (!san.empty() && !add_ext(cert.get(), NID_subject_alt_name, san))) {
    return fail(ssl_error("cannot add extensions"));
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail(ssl_error("cannot sign"));

  Ptr<BIO> cbio(BIO_new(BIO_s_mem()));
  Ptr<BIO> kbio(BIO_new(BIO_s_mem()));
  if (!cbio || !kbio || PEM_write_bio_X509(cbio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(kbio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return fail(ssl_error("cannot encode PEM"));
  }
  return SelfSignedCert{bio_string(cbio.get()), bio_string(kbio.get())};
}

Status check_cert_and_key(const std::string& cert_pem, const std::string& key_pem) {
  Ptr<BIO> cbio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  Ptr<BIO> kbio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  Ptr<X509> cert(PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr));
  if (!cert) return fail(ErrorCode::kInvalidArgument, "TLS certificate is not a PEM certificate");
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr));
  if (!key)
    return fail(ErrorCode::kInvalidArgument, "TLS key is not an unencrypted PEM private key");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return fail(ErrorCode::kInvalidArgument, "TLS certificate and key do not belong together");
  }
  return ok();
}

std::string cert_fingerprint_sha256(const x509_st* cert) {
  if (cert == nullptr) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), n));
}

Result<std::string> cert_fingerprint_sha256(const std::string& cert_pem) {
  Ptr<BIO> cbio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  Ptr<X509> cert(PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr));
  if (!cert) return fail(ErrorCode::kInvalidArgument, "not a PEM certificate");
  std::string fp = cert_fingerprint_sha256(cert.get());
  if (fp.empty()) return fail(ssl_error("cannot hash the certificate"));
  return fp;
}

namespace {
Result<int64_t> asn1_time_us(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return fail(ErrorCode::kInvalidArgument, "the certificate's validity does not parse");
  }
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000;
}
}  // namespace

Result<CertValidity> cert_validity(const std::string& cert_pem) {
  Ptr<BIO> cbio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  Ptr<X509> cert(PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr));
  if (!cert) return fail(ErrorCode::kInvalidArgument, "not a PEM certificate");
  CertValidity v;
  auto from = asn1_time_us(X509_get0_notBefore(cert.get()));
  if (!from) return fail(from.error());
  auto until = asn1_time_us(X509_get0_notAfter(cert.get()));
  if (!until) return fail(until.error());
  v.not_before_us = *from;
  v.not_after_us = *until;
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert.get()), subject, sizeof subject);
  v.subject = subject;
  return v;
}

}  // namespace minato::crypto
