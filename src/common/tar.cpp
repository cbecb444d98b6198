#include "common/tar.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace minato {

namespace {

constexpr size_t kBuffer = 1 << 16;

Error io_error(const std::string& what, const std::string& path, int err) {
  ErrorCode code = err == ENOSPC || err == EDQUOT  ? ErrorCode::kResourceExhausted
                   : err == EEXIST                 ? ErrorCode::kAlreadyExists
                   : err == EACCES || err == EPERM ? ErrorCode::kPermissionDenied
                   : err == ENOENT                 ? ErrorCode::kNotFound
                                                   : ErrorCode::kInternal;
  return Error(code, what + " " + path + ": " + std::strerror(err));
}

void octal(char* field, size_t width, uint64_t v) {
  // width - 1 digits then NUL, as GNU tar writes them.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(v));
}

std::string hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

}  // namespace

std::string tar_header(std::string_view name, uint64_t size, int64_t mtime_s) {
  char h[kTarBlock];
  std::memset(h, 0, sizeof h);
  std::memcpy(h, name.data(), std::min(name.size(), kTarMaxName));
  octal(h + 100, 8, 0600);                             // mode
  octal(h + 108, 8, 0);                                // uid
  octal(h + 116, 8, 0);                                // gid
  octal(h + 124, 12, size);                            // size
  octal(h + 136, 12, static_cast<uint64_t>(mtime_s));  // mtime
  std::memset(h + 148, ' ', 8);                        // checksum, counted as spaces
  h[156] = '0';                                        // regular file
  std::memcpy(h + 257, "ustar", 6);                    // magic with its NUL
  std::memcpy(h + 263, "00", 2);                       // version
  std::memcpy(h + 265, "minato", 6);                   // uname
  std::memcpy(h + 297, "minato", 6);                   // gname
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);  // six digits, NUL, then the space kept at 155
  h[155] = ' ';
  return std::string(h, sizeof h);
}

struct TarWriter::Hasher {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Hasher() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~Hasher() { EVP_MD_CTX_free(ctx); }
};

Result<std::unique_ptr<TarWriter>> TarWriter::create(const std::string& path, int64_t mtime_s) {
  std::unique_ptr<TarWriter> w(new TarWriter());
  w->path_ = path;
  w->mtime_ = mtime_s;
  w->fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (w->fd_ < 0) return fail(io_error("cannot create", path, errno));
  w->buf_.reserve(kBuffer);
  return w;
}

TarWriter::~TarWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_ && !path_.empty()) ::unlink(path_.c_str());
}

Status TarWriter::flush() {
  size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(io_error("cannot write", path_, errno));
    }
    off += static_cast<size_t>(n);
  }
  buf_.clear();
  return ok();
}

Status TarWriter::put(std::string_view bytes) {
  offset_ += bytes.size();
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), kBuffer - buf_.size());
    buf_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (buf_.size() == kBuffer) MINATO_TRY(flush());
  }
  return ok();
}

Status TarWriter::begin(std::string name) {
  if (!name_.empty() || finished_) {
    return fail(ErrorCode::kFailedPrecondition, "tar: a member is still open");
  }
  if (name.empty() || name.size() > kTarMaxName || name.find('\0') != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, "tar: a member's name must be 1 to 99 bytes");
  }
  name_ = std::move(name);
  size_ = 0;
  hash_ = std::make_unique<Hasher>();
  header_at_ = offset_;
  return put(std::string(kTarBlock, '\0'));  // the header's place
}

Status TarWriter::write(std::string_view bytes) {
  if (name_.empty()) return fail(ErrorCode::kFailedPrecondition, "tar: no member is open");
  size_ += bytes.size();
  EVP_DigestUpdate(hash_->ctx, bytes.data(), bytes.size());
  return put(bytes);
}

Result<TarMember> TarWriter::end() {
  if (name_.empty()) return fail(ErrorCode::kFailedPrecondition, "tar: no member is open");
  if (size_ >= kTarMaxMember) {
    return fail(ErrorCode::kResourceExhausted,
                "tar: " + name_ + " has " + std::to_string(size_) +
                    " bytes; a member holds less than 8 GiB (ustar); choose a shorter range");
  }
  if (size_ % kTarBlock != 0) MINATO_TRY(put(std::string(kTarBlock - size_ % kTarBlock, '\0')));
  MINATO_TRY(flush());
  std::string header = tar_header(name_, size_, mtime_);
  if (::pwrite(fd_, header.data(), header.size(), static_cast<off_t>(header_at_)) !=
      static_cast<ssize_t>(header.size())) {
    return fail(io_error("cannot write", path_, errno));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(hash_->ctx, md, &len);
  TarMember m{std::move(name_), size_, hex(md, len)};
  name_.clear();
  hash_.reset();
  return m;
}

Result<TarMember> TarWriter::add(std::string name, std::string_view bytes) {
  MINATO_TRY(begin(std::move(name)));
  MINATO_TRY(write(bytes));
  return end();
}

Status TarWriter::finish() {
  if (!name_.empty()) return fail(ErrorCode::kFailedPrecondition, "tar: a member is still open");
  MINATO_TRY(put(std::string(2 * kTarBlock, '\0')));
  MINATO_TRY(flush());
  if (::fsync(fd_) != 0) return fail(io_error("cannot flush", path_, errno));
  if (::close(fd_) != 0) {
    fd_ = -1;
    return fail(io_error("cannot close", path_, errno));
  }
  fd_ = -1;
  finished_ = true;
  return ok();
}

namespace {

// The value of an octal field written by octal(): width - 1 digits and a NUL.
bool parse_octal(const char* field, size_t width, uint64_t& out) {
  out = 0;
  for (size_t i = 0; i + 1 < width; ++i) {
    if (field[i] < '0' || field[i] > '7') return false;
    out = out * 8 + static_cast<uint64_t>(field[i] - '0');
  }
  return field[width - 1] == '\0';
}

bool all_zero(std::string_view bytes) {
  for (char c : bytes) {
    if (c != '\0') return false;
  }
  return true;
}

}  // namespace

Result<std::vector<TarEntry>> read_tar(std::string_view a, size_t max_members) {
  std::vector<TarEntry> out;
  uint64_t at = 0;
  auto bad = [&](uint64_t where, const std::string& what) {
    return Error(ErrorCode::kDataLoss, "archive byte " + std::to_string(where) + ": " + what);
  };
  for (;;) {
    if (a.size() - at < kTarBlock) return fail(bad(at, "the archive ends inside a header"));
    std::string_view h = a.substr(at, kTarBlock);
    if (all_zero(h)) break;
    if (out.size() == max_members) {
      return fail(bad(at, "more than " + std::to_string(max_members) + " members"));
    }
    size_t name_len = 0;
    while (name_len < 100 && h[name_len] != '\0') ++name_len;
    if (name_len == 0 || name_len > kTarMaxName) return fail(bad(at, "a header without a name"));
    uint64_t size = 0, mtime = 0;
    if (!parse_octal(h.data() + 124, 12, size) || !parse_octal(h.data() + 136, 12, mtime)) {
      return fail(bad(at, "a header's size or time is not in Minato's form"));
    }
    std::string name(h.substr(0, name_len));
    if (tar_header(name, size, static_cast<int64_t>(mtime)) != h) {
      return fail(bad(at, "the header of " + name + " is not as Minato writes it (changed?)"));
    }
    const uint64_t data_at = at + kTarBlock;
    const uint64_t padded = (size + kTarBlock - 1) / kTarBlock * kTarBlock;
    if (a.size() - data_at < padded) return fail(bad(data_at, name + " is cut short"));
    if (!all_zero(a.substr(data_at + size, padded - size))) {
      return fail(bad(data_at + size, "the padding after " + name + " is not zeros (changed?)"));
    }
    out.push_back(
        TarEntry{std::move(name), at, static_cast<int64_t>(mtime), a.substr(data_at, size)});
    at = data_at + padded;
  }
  if (a.size() - at != 2 * kTarBlock || !all_zero(a.substr(at))) {
    return fail(bad(at, "the archive does not end with exactly two zero blocks"));
  }
  return out;
}

}  // namespace minato
