#include "common/files.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace minato {

namespace {

Error os_error(const std::string& what, const std::string& path, int err) {
  ErrorCode code = ErrorCode::kInternal;
  if (err == ENOENT) code = ErrorCode::kNotFound;
  if (err == EEXIST) code = ErrorCode::kAlreadyExists;
  if (err == EACCES || err == EPERM) code = ErrorCode::kPermissionDenied;
  if (err == ENOSPC || err == EDQUOT) code = ErrorCode::kResourceExhausted;
  return Error(code, what + " " + path + ": " + std::strerror(err));
}

std::string parent_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

}  // namespace

Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail(os_error("cannot create", tmp, errno));
  ::fchmod(fd, mode);  // umask must not widen or narrow what we asked for
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(os_error("cannot write", tmp, e));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(os_error("cannot flush", tmp, e));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail(os_error("cannot rename into", path, e));
  }
  int dfd = ::open(parent_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok();
}

Status overwrite_with_random(const std::string& path, uint64_t* bytes) {
  ::chmod(path.c_str(), 0600);  // backup sets and evidence are left read-only
  int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(os_error("cannot open", path, errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::kInvalidArgument, path + " is not a regular file");
  }
  std::string block(size_t{1} << 20, '\0');
  uint64_t left = static_cast<uint64_t>(st.st_size);
  off_t at = 0;
  while (left > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, block.size()));
    randombytes_buf(block.data(), n);
    size_t done = 0;
    while (done < n) {
      ssize_t w = ::pwrite(fd, block.data() + done, n - done, at + static_cast<off_t>(done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        int e = w < 0 ? errno : EIO;
        ::close(fd);
        return fail(os_error("cannot overwrite", path, e));
      }
      done += static_cast<size_t>(w);
    }
    at += static_cast<off_t>(n);
    left -= n;
  }
  if (::fdatasync(fd) != 0) {
    int e = errno;
    ::close(fd);
    return fail(os_error("cannot flush", path, e));
  }
  ::close(fd);
  if (bytes != nullptr) *bytes += static_cast<uint64_t>(st.st_size);
  return ok();
}

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(os_error("cannot open", path, errno));
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return fail(os_error("cannot read", path, e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return fail(ErrorCode::kInvalidArgument,
                  "file " + path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

Status make_dir(const std::string& path, unsigned mode, bool must_be_new) {
  if (::mkdir(path.c_str(), mode) != 0) {
    if (errno == EEXIST && !must_be_new) return ok();
    return fail(os_error("cannot create directory", path, errno));
  }
  ::chmod(path.c_str(), mode);
  return ok();
}

Result<MappedFile> MappedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(os_error("cannot open", path, errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::kInvalidArgument, path + " is not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  int e = errno;
  ::close(fd);
  if (p == MAP_FAILED) return fail(os_error("cannot map", path, e));
  return MappedFile(p, static_cast<size_t>(st.st_size));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace minato
