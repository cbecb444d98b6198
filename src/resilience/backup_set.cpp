#include "resilience/backup_set.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <future>
#include <memory>

#include "audit/event.h"
#include "common/clock.h"
#include "common/files.h"
#include "crypto/random.h"

namespace minato::resilience {

namespace json = boost::json;

namespace {

constexpr std::string_view kRecoveryFormat = "minato-recovery/1";
constexpr std::string_view kManifestFormat = "minato-backup/1";

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* u8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::string errno_text() { return std::strerror(errno); }

std::string blake2b_hex(std::string_view data) {
  std::string h(crypto_generichash_BYTES, '\0');
  crypto_generichash(u8(h), h.size(), u8(data), data.size(), nullptr, 0);
  return crypto::to_hex(h);
}

// Reads a JSON document no larger than the caller allowed, with a message naming `origin`.
Result<json::object> parse_object(std::string_view text, const std::string& origin) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return fail(ErrorCode::kDataLoss, origin + " is not a JSON object" +
                                          (ec ? " (" + ec.message() + ")" : std::string()));
  }
  return std::move(v.as_object());
}

Result<std::string> get_string(const json::object& o, std::string_view key,
                               const std::string& origin) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) {
    return fail(ErrorCode::kDataLoss, origin + ": field '" + std::string(key) + "' is missing");
  }
  return std::string(v->as_string());
}

Result<int64_t> get_int(const json::object& o, std::string_view key, const std::string& origin) {
  auto* v = o.if_contains(key);
  if (!v || !(v->is_int64() || v->is_uint64())) {
    return fail(ErrorCode::kDataLoss,
                origin + ": field '" + std::string(key) + "' is missing or not a number");
  }
  int64_t n = v->is_int64() ? v->as_int64() : static_cast<int64_t>(v->as_uint64());
  if (n < 0) return fail(ErrorCode::kDataLoss, origin + ": field '" + std::string(key) + "' < 0");
  return n;
}

Result<std::string> get_hex(const json::object& o, std::string_view key, size_t bytes,
                            const std::string& origin) {
  auto s = get_string(o, key, origin);
  if (!s) return fail(s.error());
  auto raw = crypto::from_hex(*s);
  if (!raw || (bytes != 0 && raw->size() != bytes)) {
    return fail(ErrorCode::kDataLoss, origin + ": field '" + std::string(key) + "' is damaged");
  }
  return raw;
}

// A key derived from a passphrase for a recovery file.
Result<std::string> derive(const std::string& passphrase, std::string_view salt, uint64_t ops,
                           size_t mem) {
  std::string key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
  if (crypto_pwhash(u8(key), key.size(), passphrase.data(), passphrase.size(), u8(salt), ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(ErrorCode::kResourceExhausted, "not enough memory to derive the recovery key");
  }
  return key;
}

// What a recovery file's ciphertext is bound to: everything in it but the ciphertext.
std::string recovery_ad(const std::string& name, std::string_view pub, std::string_view signer,
                        std::string_view salt, uint64_t ops, size_t mem) {
  return std::string(kRecoveryFormat) + "\n" + name + "\n" + crypto::to_hex(pub) + "\n" +
         crypto::to_hex(signer) + "\n" + crypto::to_hex(salt) + "\n" + std::to_string(ops) + "\n" +
         std::to_string(mem);
}

bool safe_relative_path(std::string_view p) {
  if (p.empty() || p.size() > 512 || p.front() == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    auto part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  for (char c : p) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return false;
  }
  return true;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

Status write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return fail(errno == ENOSPC ? ErrorCode::kResourceExhausted : ErrorCode::kUnavailable,
                  "cannot write " + what + ": " + errno_text());
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Reads up to `n` bytes; fewer only at the end of the file.
Result<size_t> read_full(int fd, char* buf, size_t n, const std::string& what) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail(ErrorCode::kUnavailable, "cannot read " + what + ": " + errno_text());
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

Status fsync_path(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return fail(ErrorCode::kUnavailable, "cannot fsync " + path + ": " + errno_text());
  }
  return {};
}

Result<std::string> compress(std::string_view plain, int level) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), level);
  if (ZSTD_isError(n)) {
    return fail(ErrorCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  out.resize(n);
  return out;
}

// SHA-256 of files through OpenSSL, which uses the CPU's SHA extensions where there are some
// (about 5 times libsodium's portable code on this kind of machine).
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { init(); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void init() { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  void update(const void* data, size_t n) { EVP_DigestUpdate(ctx_, data, n); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, md, &n);
    return crypto::to_hex(std::string_view(reinterpret_cast<char*>(md), n));
  }

 private:
  EVP_MD_CTX* ctx_;
};

std::string stream_ad(const std::string& set_id) { return "minato-backup/1 " + set_id; }

}  // namespace

// ---- Recovery files ----------------------------------------------------------------------------

namespace {

// The floor for any recovery passphrase; the application applies its full policy first
// (identity::PasswordUse::kBackupPassphrase).
Status check_passphrase(const std::string& passphrase, const std::string& what) {
  if (passphrase.size() < 16) {
    return fail(ErrorCode::kInvalidArgument,
                what + " must be at least 16 characters (it protects every backup)", what);
  }
  if (passphrase.size() > 1024) {
    return fail(ErrorCode::kInvalidArgument, what + " is longer than 1024 characters", what);
  }
  return {};
}

}  // namespace

Result<std::string> make_recovery_file(const std::string& name, const std::string& passphrase,
                                       const std::string& signer_public, const Argon2Cost& cost,
                                       Recipient* out) {
  MINATO_TRY(check_passphrase(passphrase, "passphrase"));
  if (signer_public.size() != crypto_sign_PUBLICKEYBYTES) {
    return fail(ErrorCode::kInvalidArgument, "signer public key must be 32 bytes");
  }
  Recipient r;
  r.name = name;
  r.signer_public = signer_public;
  r.public_key.resize(crypto_box_PUBLICKEYBYTES);
  r.secret_key.resize(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(u8(r.public_key), u8(r.secret_key));
  std::string salt = crypto::random_bytes(crypto_pwhash_SALTBYTES);
  auto key = derive(passphrase, salt, cost.ops, cost.mem);
  if (!key) return fail(key.error());
  std::string ad = recovery_ad(name, r.public_key, signer_public, salt, cost.ops, cost.mem);
  std::string nonce = crypto::random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  std::string box(r.secret_key.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long box_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(u8(box), &box_len, u8(r.secret_key),
                                             r.secret_key.size(), u8(ad), ad.size(), nullptr,
                                             u8(nonce), u8(*key));
  sodium_memzero(key->data(), key->size());
  json::object o{{"format", kRecoveryFormat},
                 {"name", name},
                 {"public_key", crypto::to_hex(r.public_key)},
                 {"signer", crypto::to_hex(signer_public)},
                 {"kdf", json::object{{"alg", "argon2id13"},
                                      {"salt", crypto::to_hex(salt)},
                                      {"ops", cost.ops},
                                      {"mem", cost.mem}}},
                 {"sealed_secret", crypto::to_hex(nonce + box)}};
  if (out) *out = std::move(r);
  return json::serialize(o) + "\n";
}

namespace {

struct RecoveryFields {
  Recipient pub;
  std::string salt;
  uint64_t ops = 0;
  size_t mem = 0;
  std::string sealed;
};

Result<RecoveryFields> parse_recovery(std::string_view text, const std::string& origin) {
  auto o = parse_object(text, origin);
  if (!o) return fail(o.error());
  auto format = get_string(*o, "format", origin);
  if (!format) return fail(format.error());
  if (*format != kRecoveryFormat) {
    return fail(ErrorCode::kDataLoss, origin + " is not a Minato recovery file (" + *format + ")");
  }
  RecoveryFields f;
  auto name = get_string(*o, "name", origin);
  auto pub = get_hex(*o, "public_key", crypto_box_PUBLICKEYBYTES, origin);
  auto signer = get_hex(*o, "signer", crypto_sign_PUBLICKEYBYTES, origin);
  auto sealed = get_hex(*o, "sealed_secret", 0, origin);
  for (const auto* r : {&name, &pub, &signer, &sealed}) {
    if (!*r) return fail(r->error());
  }
  auto* kdf = o->if_contains("kdf");
  if (!kdf || !kdf->is_object()) return fail(ErrorCode::kDataLoss, origin + ": 'kdf' is missing");
  auto salt = get_hex(kdf->as_object(), "salt", crypto_pwhash_SALTBYTES, origin);
  auto ops = get_int(kdf->as_object(), "ops", origin);
  auto mem = get_int(kdf->as_object(), "mem", origin);
  if (!salt) return fail(salt.error());
  if (!ops || !mem) return fail(!ops ? ops.error() : mem.error());
  if (*ops < 1 || *ops > 64 || *mem < 8192 || *mem > (int64_t{4} << 30)) {
    return fail(ErrorCode::kDataLoss, origin + ": Argon2id cost out of range");
  }
  f.pub.name = *name;
  f.pub.public_key = *pub;
  f.pub.signer_public = *signer;
  f.salt = *salt;
  f.ops = static_cast<uint64_t>(*ops);
  f.mem = static_cast<size_t>(*mem);
  f.sealed = *sealed;
  return f;
}

}  // namespace

Result<Recipient> read_recovery_public(std::string_view text, const std::string& origin) {
  auto f = parse_recovery(text, origin);
  if (!f) return fail(f.error());
  return f->pub;
}

Result<Recipient> open_recovery_file(std::string_view text, const std::string& passphrase,
                                     const std::string& origin) {
  auto f = parse_recovery(text, origin);
  if (!f) return fail(f.error());
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (f->sealed.size() !=
      kNonce + crypto_box_SECRETKEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return fail(ErrorCode::kDataLoss, origin + ": sealed secret has the wrong size");
  }
  auto key = derive(passphrase, f->salt, f->ops, f->mem);
  if (!key) return fail(key.error());
  std::string ad =
      recovery_ad(f->pub.name, f->pub.public_key, f->pub.signer_public, f->salt, f->ops, f->mem);
  std::string secret(crypto_box_SECRETKEYBYTES, '\0');
  unsigned long long len = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      u8(secret), &len, nullptr, u8(f->sealed) + kNonce, f->sealed.size() - kNonce, u8(ad),
      ad.size(), u8(f->sealed), u8(*key));
  sodium_memzero(key->data(), key->size());
  if (rc != 0) {
    return fail(ErrorCode::kPermissionDenied,
                origin + ": wrong passphrase, or the recovery file was changed");
  }
  // The secret must match the public key it claims (a file assembled from two others).
  std::string derived(crypto_box_PUBLICKEYBYTES, '\0');
  crypto_scalarmult_base(u8(derived), u8(secret));
  if (derived != f->pub.public_key) {
    return fail(ErrorCode::kDataLoss, origin + ": secret key does not match its public key");
  }
  Recipient r = std::move(f->pub);
  r.secret_key = std::move(secret);
  return r;
}

// ---- Manifests ---------------------------------------------------------------------------------

uint64_t Manifest::plain_bytes() const {
  uint64_t n = 0;
  for (const auto& f : files) n += f.size;
  return n;
}

uint64_t Manifest::stored_bytes() const {
  uint64_t n = 0;
  for (const auto& c : chunks) n += c.stored;
  return n;
}

std::string make_set_id(int64_t created_us, const std::string& target) {
  return format_utc(created_us, "%Y%m%dT%H%M%SZ") + "-" + target;
}

bool valid_set_id(std::string_view id) {
  if (id.size() < 18 || id.size() > 64 || id[8] != 'T' || id[15] != 'Z' || id[16] != '-') {
    return false;
  }
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && (id[i] < '0' || id[i] > '9')) return false;
  }
  for (size_t i = 17; i < id.size(); ++i) {
    char c = id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void remove_read_only_tree(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d) {
    ::chmod(path.c_str(), 0700);
    while (auto* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      std::string p = path + "/" + n;
      struct stat st {};
      if (::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        remove_read_only_tree(p);
      } else {
        ::unlink(p.c_str());
      }
    }
    ::closedir(d);
  }
  ::rmdir(path.c_str());
}

int remove_stale_partials(const std::string& root, std::string_view prefix, int64_t min_age_s) {
  int removed = 0;
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) return 0;
  std::vector<std::string> stale;
  const int64_t now = static_cast<int64_t>(::time(nullptr));
  while (auto* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.compare(0, prefix.size(), prefix) != 0) continue;
    struct stat st {};
    if (::lstat((root + "/" + n).c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
        now - static_cast<int64_t>(st.st_mtime) >= min_age_s) {
      stale.push_back(root + "/" + n);
    }
  }
  ::closedir(d);
  for (const auto& p : stale) {
    remove_read_only_tree(p);
    ++removed;
  }
  return removed;
}

int64_t set_time_us(std::string_view id) {
  std::tm tm{};
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = 0; i < len; ++i) v = v * 10 + (id[pos + i] - '0');
    return v;
  };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000;
}

std::string manifest_json(const Manifest& m) {
  json::array files;
  for (const auto& f : m.files) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", f.mode & 07777);
    files.push_back(
        json::object{{"path", f.path}, {"size", f.size}, {"mode", mode}, {"sha256", f.sha256}});
  }
  json::array chunks;
  for (const auto& c : m.chunks) {
    chunks.push_back(json::object{{"plain", c.plain}, {"stored", c.stored}, {"blake2b", c.hash}});
  }
  json::object o{{"format", kManifestFormat},
                 {"set", m.set_id},
                 {"target", m.target},
                 {"created", format_utc(m.created_us)},
                 {"created_us", m.created_us},
                 {"host", m.host},
                 {"minato_version", m.minato_version},
                 {"schema_version", m.schema_version},
                 {"audit", json::object{{"size", m.audit.size},
                                        {"root", m.audit.root},
                                        {"last_at_us", m.audit.last_at_us}}},
                 {"recipient", m.recipient},
                 {"recipient_key", m.recipient_key},
                 {"sealed_key", m.sealed_key},
                 {"stream_header", m.stream_header},
                 {"compression", "zstd"},
                 {"zstd_level", m.zstd_level},
                 {"chunk_bytes", m.chunk_bytes},
                 {"files", std::move(files)},
                 {"chunks", std::move(chunks)}};
  return json::serialize(o) + "\n";
}

Result<Manifest> parse_manifest(std::string_view text, const std::string& origin) {
  auto o = parse_object(text, origin);
  if (!o) return fail(o.error());
  auto format = get_string(*o, "format", origin);
  if (!format) return fail(format.error());
  if (*format != kManifestFormat) {
    return fail(ErrorCode::kDataLoss, origin + ": unknown backup format '" + *format + "'");
  }
  Manifest m;
  auto str = [&](std::string_view k, std::string* into) -> Status {
    auto v = get_string(*o, k, origin);
    if (!v) return fail(v.error());
    *into = std::move(*v);
    return {};
  };
  MINATO_TRY(str("set", &m.set_id));
  MINATO_TRY(str("target", &m.target));
  MINATO_TRY(str("host", &m.host));
  MINATO_TRY(str("minato_version", &m.minato_version));
  MINATO_TRY(str("recipient", &m.recipient));
  MINATO_TRY(str("recipient_key", &m.recipient_key));
  MINATO_TRY(str("sealed_key", &m.sealed_key));
  MINATO_TRY(str("stream_header", &m.stream_header));
  if (!valid_set_id(m.set_id)) return fail(ErrorCode::kDataLoss, origin + ": bad set id");
  auto created = get_int(*o, "created_us", origin);
  auto schema = get_int(*o, "schema_version", origin);
  auto level = get_int(*o, "zstd_level", origin);
  auto chunk_bytes = get_int(*o, "chunk_bytes", origin);
  for (const auto* r : {&created, &schema, &level, &chunk_bytes}) {
    if (!*r) return fail(r->error());
  }
  m.created_us = *created;
  m.schema_version = static_cast<int>(*schema);
  m.zstd_level = static_cast<int>(*level);
  m.chunk_bytes = static_cast<uint64_t>(*chunk_bytes);
  auto* audit = o->if_contains("audit");
  if (!audit || !audit->is_object()) return fail(ErrorCode::kDataLoss, origin + ": no 'audit'");
  auto asize = get_int(audit->as_object(), "size", origin);
  auto aroot = get_string(audit->as_object(), "root", origin);
  auto alast = get_int(audit->as_object(), "last_at_us", origin);
  if (!asize || !aroot || !alast) return fail(ErrorCode::kDataLoss, origin + ": bad 'audit'");
  m.audit = {*asize, *aroot, *alast};
  auto* files = o->if_contains("files");
  auto* chunks = o->if_contains("chunks");
  if (!files || !files->is_array() || !chunks || !chunks->is_array()) {
    return fail(ErrorCode::kDataLoss, origin + ": 'files' or 'chunks' is missing");
  }
  for (const auto& fv : files->as_array()) {
    if (!fv.is_object()) return fail(ErrorCode::kDataLoss, origin + ": bad file entry");
    const auto& fo = fv.as_object();
    FileEntry f;
    auto path = get_string(fo, "path", origin);
    auto size = get_int(fo, "size", origin);
    auto mode = get_string(fo, "mode", origin);
    auto sha = get_string(fo, "sha256", origin);
    if (!path || !size || !mode || !sha) return fail(ErrorCode::kDataLoss, origin + ": bad file");
    if (!safe_relative_path(*path)) {
      return fail(ErrorCode::kDataLoss, origin + ": unsafe file path '" + *path + "'");
    }
    f.path = *path;
    f.size = static_cast<uint64_t>(*size);
    f.mode = static_cast<unsigned>(std::strtoul(mode->c_str(), nullptr, 8)) & 0700;
    f.sha256 = *sha;
    m.files.push_back(std::move(f));
  }
  uint64_t plain = 0;
  for (const auto& cv : chunks->as_array()) {
    if (!cv.is_object()) return fail(ErrorCode::kDataLoss, origin + ": bad chunk entry");
    const auto& co = cv.as_object();
    auto p = get_int(co, "plain", origin);
    auto s = get_int(co, "stored", origin);
    auto h = get_string(co, "blake2b", origin);
    if (!p || !s || !h) return fail(ErrorCode::kDataLoss, origin + ": bad chunk");
    if (*p > int64_t{256} << 20 || *s > int64_t{512} << 20) {
      return fail(ErrorCode::kDataLoss, origin + ": chunk larger than any Minato writes");
    }
    m.chunks.push_back({static_cast<uint64_t>(*p), static_cast<uint64_t>(*s), *h});
    plain += static_cast<uint64_t>(*p);
  }
  if (plain != m.plain_bytes()) {
    return fail(ErrorCode::kDataLoss, origin + ": chunks and files disagree on the size");
  }
  if (m.chunks.empty()) return fail(ErrorCode::kDataLoss, origin + ": no chunks");
  return m;
}

// ---- Writing -----------------------------------------------------------------------------------

Result<Manifest> write_set(const std::string& root, const std::vector<SourceFile>& files,
                           const Recipient& recipient, const crypto::SigningKey& signer,
                           const WriteOptions& options) {
  if (recipient.public_key.size() != crypto_box_PUBLICKEYBYTES) {
    return fail(ErrorCode::kFailedPrecondition, "backup recipient has no public key");
  }
  Manifest m;
  m.set_id = make_set_id(options.created_us, options.target);
  m.target = options.target;
  m.created_us = options.created_us;
  m.host = options.host;
  m.minato_version = options.minato_version;
  m.schema_version = options.schema_version;
  m.audit = options.audit;
  m.recipient = recipient.name;
  m.recipient_key = crypto::to_hex(recipient.public_key);
  m.zstd_level = options.zstd_level;
  m.chunk_bytes = options.chunk_bytes;

  const std::string final_dir = root + "/" + m.set_id;
  struct stat st {};
  if (::stat(final_dir.c_str(), &st) == 0) {
    return fail(ErrorCode::kAlreadyExists, "backup set " + m.set_id + " already exists");
  }
  const std::string tmp = root + "/.partial-" + m.set_id;
  remove_read_only_tree(tmp);
  MINATO_TRY(make_dir(tmp, 0700, true));
  auto result = [&]() -> Status {
    // The stream key: random, used once, sealed to the recipient.
    std::string key(crypto_secretstream_xchacha20poly1305_KEYBYTES, '\0');
    crypto_secretstream_xchacha20poly1305_keygen(u8(key));
    std::string sealed(crypto_box_SEALBYTES + key.size(), '\0');
    crypto_box_seal(u8(sealed), u8(key), key.size(), u8(recipient.public_key));
    m.sealed_key = crypto::to_hex(sealed);
    crypto_secretstream_xchacha20poly1305_state state;
    std::string header(crypto_secretstream_xchacha20poly1305_HEADERBYTES, '\0');
    crypto_secretstream_xchacha20poly1305_init_push(&state, u8(header), u8(key));
    sodium_memzero(key.data(), key.size());
    m.stream_header = crypto::to_hex(header);
    const std::string ad = stream_ad(m.set_id);

    const std::string payload_path = tmp + "/" + std::string(kPayloadFile);
    Fd out(::open(payload_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.get() < 0) {
      return fail(ErrorCode::kUnavailable, "cannot create " + payload_path + ": " + errno_text());
    }
    const int threads = std::max(1, options.threads);

    // Reads the files in order into chunk-sized buffers.
    size_t file_index = 0;
    Fd in;
    Sha256 sha;
    uint64_t file_done = 0;
    uint64_t total = 0;
    for (const auto& f : files) {
      if (!safe_relative_path(f.path)) {
        return fail(ErrorCode::kInvalidArgument, "unsafe path in a backup set: " + f.path);
      }
      if (::stat(f.disk_path.c_str(), &st) != 0) {
        return fail(ErrorCode::kNotFound, "cannot back up " + f.disk_path + ": " + errno_text());
      }
      m.files.push_back({f.path, static_cast<uint64_t>(st.st_size), f.mode & 0700, ""});
      total += static_cast<uint64_t>(st.st_size);
    }
    auto open_next = [&]() -> Status {
      in.reset();
      const auto& f = files[file_index];
      in = Fd(::open(f.disk_path.c_str(), O_RDONLY | O_CLOEXEC));
      if (in.get() < 0) {
        return fail(ErrorCode::kUnavailable, "cannot read " + f.disk_path + ": " + errno_text());
      }
      sha.init();
      file_done = 0;
      return {};
    };
    auto finish_file = [&]() -> Status {
      auto& e = m.files[file_index];
      if (file_done != e.size) {
        return fail(ErrorCode::kConflict,
                    files[file_index].disk_path + " changed size while it was backed up");
      }
      e.sha256 = sha.hex();
      in.reset();
      ++file_index;
      return {};
    };
    // Fills `buf` with up to chunk_bytes of the concatenated files.
    auto fill = [&](std::string& buf) -> Status {
      buf.resize(options.chunk_bytes);
      size_t have = 0;
      while (have < buf.size() && file_index < files.size()) {
        if (in.get() < 0) MINATO_TRY(open_next());
        const auto& e = m.files[file_index];
        size_t want =
            static_cast<size_t>(std::min<uint64_t>(buf.size() - have, e.size - file_done));
        auto got = read_full(in.get(), buf.data() + have, want, files[file_index].disk_path);
        if (!got) return fail(got.error());
        if (*got != want) {
          return fail(ErrorCode::kConflict,
                      files[file_index].disk_path + " changed size while it was backed up");
        }
        sha.update(buf.data() + have, want);
        have += want;
        file_done += want;
        if (file_done == e.size) MINATO_TRY(finish_file());
      }
      buf.resize(have);
      return {};
    };

    // A pipeline: this thread reads (and hashes) chunk after chunk and hands each to its own
    // compression job; the oldest job's result is encrypted and written in order as soon as
    // it is done, with at most `threads` + 1 chunks in flight (bounded memory).
    struct Job {
      uint64_t plain_size;
      bool last;
      std::future<Result<std::string>> packed;
    };
    std::deque<Job> inflight;
    const size_t depth = static_cast<size_t>(threads) + 1;
    uint64_t consumed = 0;
    bool read_all = false;
    auto drain_one = [&]() -> Status {
      Job job = std::move(inflight.front());
      inflight.pop_front();
      auto packed = job.packed.get();
      if (!packed) return fail(packed.error());
      std::string cipher(packed->size() + crypto_secretstream_xchacha20poly1305_ABYTES, '\0');
      unsigned long long clen = 0;
      crypto_secretstream_xchacha20poly1305_push(
          &state, u8(cipher), &clen, u8(*packed), packed->size(), u8(ad), ad.size(),
          job.last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                   : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      cipher.resize(clen);
      MINATO_TRY(write_all(out.get(), cipher, payload_path));
      m.chunks.push_back({job.plain_size, cipher.size(), blake2b_hex(cipher)});
      return {};
    };
    auto status = [&]() -> Status {
      while (!read_all || !inflight.empty()) {
        if (!read_all && inflight.size() < depth) {
          auto plain = std::make_shared<std::string>();
          MINATO_TRY(fill(*plain));
          consumed += plain->size();
          read_all = consumed >= total;
          const int level = options.zstd_level;
          inflight.push_back(
              {plain->size(), read_all,
               std::async(std::launch::async, [plain, level] { return compress(*plain, level); })});
          continue;
        }
        MINATO_TRY(drain_one());
      }
      return {};
    }();
    // On an error, wait for the jobs still running before anything they use goes away.
    for (auto& job : inflight) job.packed.wait();
    MINATO_TRY(status);
    // Zero-length files at the end never reach fill()'s loop body.
    while (file_index < files.size()) {
      MINATO_TRY(open_next());
      MINATO_TRY(finish_file());
    }
    if (::fsync(out.get()) != 0) {
      return fail(ErrorCode::kUnavailable, "cannot fsync " + payload_path + ": " + errno_text());
    }
    out.reset();

    std::string manifest = manifest_json(m);
    std::string sig = signer.sign(manifest);
    json::object sig_doc{{"key_id", audit::key_id_of(signer.public_key())},
                         {"public_key", crypto::to_hex(signer.public_key())},
                         {"signature", crypto::to_hex(sig)}};
    MINATO_TRY(write_file_atomic(tmp + "/" + std::string(kManifestFile), manifest, 0400));
    MINATO_TRY(write_file_atomic(tmp + "/" + std::string(kSignatureFile),
                                 json::serialize(sig_doc) + "\n", 0400));
    ::chmod(payload_path.c_str(), 0400);
    MINATO_TRY(fsync_path(tmp));
    if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
      return fail(ErrorCode::kUnavailable,
                  "cannot move the set into place at " + final_dir + ": " + errno_text());
    }
    ::chmod(final_dir.c_str(), 0500);
    return fsync_path(root);
  }();
  if (!result) {
    remove_read_only_tree(tmp);
    return fail(result.error());
  }
  return m;
}

// ---- Reading -----------------------------------------------------------------------------------

Status verify_manifest_signature(std::string_view manifest, std::string_view signature_file,
                                 const std::string& signer_public, const std::string& origin) {
  auto o = parse_object(signature_file, origin + "/" + std::string(kSignatureFile));
  if (!o) return fail(o.error());
  auto sig =
      get_hex(*o, "signature", crypto_sign_BYTES, origin + "/" + std::string(kSignatureFile));
  if (!sig) return fail(sig.error());
  if (!crypto::SigningKey::verify(signer_public, manifest, *sig)) {
    return fail(ErrorCode::kDataLoss,
                origin +
                    ": the manifest's signature does not verify: the set was changed, or "
                    "it was not signed by this installation's backup key");
  }
  return {};
}

Result<Manifest> read_verified_manifest(const std::string& dir, const std::string& signer_public) {
  auto manifest = read_file(dir + "/" + std::string(kManifestFile), 64u << 20);
  if (!manifest) {
    return fail(ErrorCode::kDataLoss,
                dir + ": no readable manifest (" + manifest.error().message() + ")");
  }
  auto sig = read_file(dir + "/" + std::string(kSignatureFile), 4096);
  if (!sig) {
    return fail(ErrorCode::kDataLoss,
                dir + ": no readable manifest signature (" + sig.error().message() + ")");
  }
  MINATO_TRY(verify_manifest_signature(*manifest, *sig, signer_public, dir));
  return parse_manifest(*manifest, dir + "/" + std::string(kManifestFile));
}

namespace {

// The payload, open, once its size is the manifest's: a truncated or extended set is named as
// such before a byte of it is used.
Result<Fd> open_payload(const std::string& path, const Manifest& m) {
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return fail(ErrorCode::kDataLoss, path + " is missing: " + errno_text());
  struct stat st {};
  if (::fstat(in.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) != m.stored_bytes()) {
    return fail(ErrorCode::kDataLoss,
                path + " has " + std::to_string(st.st_size) + " bytes; the manifest says " +
                    std::to_string(m.stored_bytes()) + " (truncated or extended)");
  }
  return in;
}

}  // namespace

Status check_stored(const std::string& dir, const Manifest& m) {
  const std::string path = dir + "/" + std::string(kPayloadFile);
  auto in = open_payload(path, m);
  if (!in) return fail(in.error());
  std::string buf;
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    buf.resize(m.chunks[i].stored);
    auto got = read_full(in->get(), buf.data(), buf.size(), path);
    if (!got) return fail(got.error());
    if (*got != buf.size() || blake2b_hex(buf) != m.chunks[i].hash) {
      return fail(ErrorCode::kDataLoss,
                  path + ": chunk " + std::to_string(i) + " does not match the manifest (changed)");
    }
  }
  return {};
}

Result<std::string> read_chunk(const std::string& dir, const Manifest& m, size_t index) {
  if (index >= m.chunks.size()) {
    return fail(ErrorCode::kNotFound, "set " + m.set_id + " has no chunk " + std::to_string(index));
  }
  uint64_t offset = 0;
  for (size_t i = 0; i < index; ++i) offset += m.chunks[i].stored;
  const std::string path = dir + "/" + std::string(kPayloadFile);
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return fail(ErrorCode::kDataLoss, path + " is missing: " + errno_text());
  std::string buf(m.chunks[index].stored, '\0');
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t r =
        ::pread(in.get(), buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return fail(ErrorCode::kDataLoss, path + " is shorter than its manifest");
    got += static_cast<size_t>(r);
  }
  return buf;
}

Status extract_set(const std::string& dir, const Manifest& m, const Recipient& recipient,
                   const std::string& out_root,
                   const std::function<void(const ExtractProgress&)>& progress) {
  if (crypto::to_hex(recipient.public_key) != m.recipient_key ||
      recipient.secret_key.size() != crypto_box_SECRETKEYBYTES) {
    return fail(ErrorCode::kPermissionDenied,
                "set " + m.set_id + " is sealed to recipient '" + m.recipient +
                    "', not to the recovery key given ('" + recipient.name + "')");
  }
  auto sealed = crypto::from_hex(m.sealed_key);
  auto header = crypto::from_hex(m.stream_header);
  if (!sealed || !header ||
      sealed->size() != crypto_box_SEALBYTES + crypto_secretstream_xchacha20poly1305_KEYBYTES ||
      header->size() != crypto_secretstream_xchacha20poly1305_HEADERBYTES) {
    return fail(ErrorCode::kDataLoss, m.set_id + ": sealed key or stream header is damaged");
  }
  std::string key(crypto_secretstream_xchacha20poly1305_KEYBYTES, '\0');
  if (crypto_box_seal_open(u8(key), u8(*sealed), sealed->size(), u8(recipient.public_key),
                           u8(recipient.secret_key)) != 0) {
    return fail(ErrorCode::kDataLoss, m.set_id + ": the stream key does not open (damaged)");
  }
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, u8(*header), u8(key)) != 0) {
    return fail(ErrorCode::kDataLoss, m.set_id + ": bad stream header");
  }
  sodium_memzero(key.data(), key.size());
  const std::string ad = stream_ad(m.set_id);
  const std::string path = dir + "/" + std::string(kPayloadFile);
  auto opened = open_payload(path, m);
  if (!opened) return fail(opened.error());
  Fd in = std::move(*opened);

  std::vector<std::string> written;  // finished files, removed again on failure
  auto status = [&]() -> Status {
    size_t fi = 0;
    uint64_t fdone = 0;
    uint64_t unsynced = 0;  // bytes written since writeback was last started
    constexpr uint64_t kWritebackBytes = 32u << 20;
    Fd out;
    std::string partial;
    Sha256 sha;
    ExtractProgress prog{0, m.stored_bytes()};
    auto open_file = [&]() -> Status {
      const auto& f = m.files[fi];
      std::string target = out_root + "/" + f.path;
      for (size_t p = out_root.size() + 1; (p = target.find('/', p)) != std::string::npos; ++p) {
        std::string d = target.substr(0, p);
        if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) {
          return fail(ErrorCode::kUnavailable, "cannot create " + d + ": " + errno_text());
        }
      }
      partial = target + ".partial";
      out = Fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (out.get() < 0) {
        return fail(ErrorCode::kUnavailable, "cannot create " + partial + ": " + errno_text());
      }
      sha.init();
      fdone = 0;
      unsynced = 0;
      return {};
    };
    auto close_file = [&]() -> Status {
      const auto& f = m.files[fi];
      if (sha.hex() != f.sha256) {
        return fail(ErrorCode::kDataLoss, m.set_id + ": " + f.path + " does not match its hash");
      }
      if (::fsync(out.get()) != 0) {
        return fail(ErrorCode::kUnavailable, "cannot fsync " + partial + ": " + errno_text());
      }
      ::fchmod(out.get(), f.mode ? f.mode : 0600);
      out.reset();
      std::string target = out_root + "/" + f.path;
      if (::rename(partial.c_str(), target.c_str()) != 0) {
        return fail(ErrorCode::kUnavailable, "cannot rename " + partial + ": " + errno_text());
      }
      written.push_back(target);
      partial.clear();
      ++fi;
      return {};
    };
    // Writes one chunk's plain bytes into the files, in order.
    auto consume = [&](std::string_view rest, uint64_t stored) -> Status {
      while (fi < m.files.size()) {
        if (out.get() < 0) {
          if (rest.empty() && m.files[fi].size != 0) break;
          MINATO_TRY(open_file());
        }
        size_t take =
            static_cast<size_t>(std::min<uint64_t>(rest.size(), m.files[fi].size - fdone));
        if (take > 0) {
          // The hash runs on another core while this one writes.
          auto hashed = std::async(std::launch::async,
                                   [&sha, p = rest.data(), take] { sha.update(p, take); });
          Status wrote = write_all(out.get(), rest.substr(0, take), partial);
          hashed.get();
          MINATO_TRY(wrote);
          // Start writing back what is written so far while the rest is decompressed, so that
          // the fsync at the file's end has little left to wait for.
          unsynced += take;
          if (unsynced >= kWritebackBytes) {
            ::sync_file_range(out.get(), static_cast<off_t>(fdone + take - unsynced),
                              static_cast<off_t>(unsynced), SYNC_FILE_RANGE_WRITE);
            unsynced = 0;
          }
        }
        fdone += take;
        rest.remove_prefix(take);
        if (fdone == m.files[fi].size) {
          MINATO_TRY(close_file());
          continue;
        }
        if (rest.empty()) break;
      }
      if (!rest.empty()) {
        return fail(ErrorCode::kDataLoss, m.set_id + ": more data than the files listed");
      }
      prog.done += stored;
      if (progress) progress(prog);
      return {};
    };
    // A pipeline: this thread reads, checks and decrypts each chunk in order (the stream is
    // sequential) and hands it to a decompression job; the oldest job's output is hashed and
    // written in order. At most 3 chunks in flight.
    struct Job {
      uint64_t stored;
      std::future<Result<std::string>> plain;
    };
    std::deque<Job> inflight;
    auto run = [&]() -> Status {
      std::string cipher;
      for (size_t ci = 0; ci < m.chunks.size(); ++ci) {
        const auto& c = m.chunks[ci];
        cipher.resize(c.stored);
        auto got = read_full(in.get(), cipher.data(), cipher.size(), path);
        if (!got) return fail(got.error());
        if (*got != cipher.size()) {
          return fail(ErrorCode::kDataLoss,
                      m.set_id + ": payload ends in chunk " + std::to_string(ci) + " (truncated)");
        }
        if (blake2b_hex(cipher) != c.hash) {
          return fail(ErrorCode::kDataLoss, m.set_id + ": chunk " + std::to_string(ci) +
                                                " does not match the manifest (changed)");
        }
        if (cipher.size() < crypto_secretstream_xchacha20poly1305_ABYTES) {
          return fail(ErrorCode::kDataLoss,
                      m.set_id + ": chunk " + std::to_string(ci) + " too short");
        }
        auto packed = std::make_shared<std::string>(
            cipher.size() - crypto_secretstream_xchacha20poly1305_ABYTES, '\0');
        unsigned long long plen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&state, u8(*packed), &plen, &tag, u8(cipher),
                                                       cipher.size(), u8(ad), ad.size()) != 0) {
          return fail(ErrorCode::kDataLoss,
                      m.set_id + ": chunk " + std::to_string(ci) + " does not decrypt (changed)");
        }
        packed->resize(plen);
        const bool last = ci + 1 == m.chunks.size();
        if ((tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) != last) {
          return fail(ErrorCode::kDataLoss,
                      m.set_id + ": the stream ends at chunk " + std::to_string(ci) + " of " +
                          std::to_string(m.chunks.size()) + " (truncated or reordered)");
        }
        const uint64_t plain_size = c.plain;
        std::string id = m.set_id;
        inflight.push_back(
            {c.stored, std::async(std::launch::async, [packed, plain_size, ci, id]() {
               std::string plain(plain_size, '\0');
               size_t n =
                   ZSTD_decompress(plain.data(), plain.size(), packed->data(), packed->size());
               if (ZSTD_isError(n) || n != plain_size) {
                 return Result<std::string>(fail(
                     ErrorCode::kDataLoss,
                     id + ": chunk " + std::to_string(ci) + " does not decompress to its size"));
               }
               return Result<std::string>(std::move(plain));
             })});
        while (!inflight.empty() && (inflight.size() >= 3 || last)) {
          Job job = std::move(inflight.front());
          inflight.pop_front();
          auto plain = job.plain.get();
          if (!plain) return fail(plain.error());
          MINATO_TRY(consume(*plain, job.stored));
        }
      }
      return {};
    }();
    for (auto& job : inflight) job.plain.wait();
    MINATO_TRY(run);
    if (fi < m.files.size()) {
      return fail(ErrorCode::kDataLoss, m.set_id + ": " + m.files[fi].path + " is incomplete");
    }
    return {};
  }();
  if (!status) {
    for (const auto& p : written) ::unlink(p.c_str());
    for (const auto& f : m.files) ::unlink((out_root + "/" + f.path + ".partial").c_str());
    return status;
  }
  return {};
}

}  // namespace minato::resilience
