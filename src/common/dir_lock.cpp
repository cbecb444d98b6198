#include "common/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace minato {

Result<DirLock> DirLock::acquire(const std::string& dir, const std::string& purpose) {
  const std::string path = path_in(dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return fail(ErrorCode::kUnavailable,
                "cannot open " + path + " to " + purpose + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (e == EWOULDBLOCK) {
      std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("?");
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      return fail(ErrorCode::kFailedPrecondition, "another Minato process (pid " + pid +
                                                      ", e.g. `minato serve`) is using " + dir +
                                                      ": stop it first to " + purpose);
    }
    return fail(ErrorCode::kUnavailable, "cannot lock " + path + ": " + std::strerror(e));
  }
  const std::string me = std::to_string(static_cast<long>(::getpid())) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t w = ::pwrite(fd, me.data(), me.size(), 0);
  }
  return DirLock(fd);
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace minato
