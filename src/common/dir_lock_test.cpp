#include "common/dir_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace minato {
namespace {

std::string temp_dir() {
  std::string t = (std::filesystem::temp_directory_path() / "minato-lock-XXXXXX").string();
  return ::mkdtemp(t.data());
}

// One holder at a time; the one refused is told who holds it; released with the holder.
TEST(DirLock, OneHolderAtATimeAndReleasedWithIt) {
  const std::string dir = temp_dir();
  {
    auto first = DirLock::acquire(dir, "serve it");
    ASSERT_TRUE(first) << first.error().message();
    auto second = DirLock::acquire(dir, "decommission it");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(second.error().message().find("pid " + std::to_string(::getpid())), std::string::npos)
        << second.error().message();
    EXPECT_NE(second.error().message().find("decommission it"), std::string::npos);
    DirLock moved(std::move(*first));  // a moved lock is still held
    EXPECT_FALSE(DirLock::acquire(dir, "x"));
  }
  EXPECT_TRUE(DirLock::acquire(dir, "serve it"));
  EXPECT_FALSE(DirLock::acquire(dir + "/missing", "serve it"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minato
