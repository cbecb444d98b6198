// DirLock: one process at a time on a data directory, for the work that must not run beside a
// server — `minato serve` holds it while it runs; `minato export` and `minato decommission`
// take it so that nothing is written after their snapshot, nor into a directory being erased.
//
// The lock is flock(2) on <dir>/.minato.lock (made 0600 if missing), which holds the holder's
// pid for the message of the one refused. It is released when the DirLock is destroyed or the
// process ends, however it ends: a crashed server never leaves a stale lock.
#pragma once

#include <string>

#include "common/result.h"

namespace minato {

class DirLock {
 public:
  // Takes the lock without waiting. Held elsewhere: kFailedPrecondition naming the holder's
  // pid and `holder_hint` ("a server"), and what the caller wanted (`purpose`).
  static Result<DirLock> acquire(const std::string& dir, const std::string& purpose);
  DirLock(DirLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();
  static std::string path_in(const std::string& dir) { return dir + "/.minato.lock"; }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace minato
