#include "common/tar.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/files.h"
#include "testing/test_env.h"

namespace minato {
namespace {

TEST(TarTest, WritesWhatTarReadsAndReadsItBackStrictly) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/a.tar";
  auto w = TarWriter::create(path, 1'700'000'000);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->begin("big.txt"));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE((*w)->write("line " + std::to_string(i) + "\n"));
  auto big = (*w)->end();
  ASSERT_TRUE(big);
  auto empty = (*w)->add("empty", "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE((*w)->add(std::string(99, 'n'), "x"));
  EXPECT_FALSE((*w)->begin(std::string(100, 'n')));
  ASSERT_TRUE((*w)->finish());
  // GNU tar lists it (when installed, as on every Debian).
  if (std::system("command -v tar >/dev/null") == 0) {
    EXPECT_EQ(std::system(("tar tf " + path + " >/dev/null").c_str()), 0);
  }
  auto bytes = read_file(path, 1 << 20);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size() % 512, 0u);
  auto entries = read_tar(*bytes, 8);
  ASSERT_TRUE(entries) << entries.error().message();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "big.txt");
  EXPECT_EQ((*entries)[0].data.size(), big->size);
  EXPECT_EQ((*entries)[0].mtime_s, 1'700'000'000);
  EXPECT_TRUE((*entries)[1].data.empty());
  EXPECT_EQ((*entries)[2].header_offset, 512u + (big->size + 511) / 512 * 512 + 512);
  EXPECT_FALSE(read_tar(*bytes, 2));  // more members than allowed
  // The same archive, with one byte of any header, padding or the end changed: refused.
  for (size_t i : {size_t{0}, size_t{100}, size_t{124}, size_t{148}, size_t{257}, size_t{500},
                   static_cast<size_t>(512 + big->size), bytes->size() - 1}) {
    std::string changed = *bytes;
    changed[i] = static_cast<char>(changed[i] ^ 1);
    EXPECT_FALSE(read_tar(changed, 8)) << i;
  }
  EXPECT_FALSE(read_tar(bytes->substr(0, 700), 8));
  EXPECT_FALSE(read_tar("", 8));
  // An archive never appears over an existing file; an unfinished one is removed.
  EXPECT_FALSE(TarWriter::create(path, 0));
  {
    auto half = TarWriter::create(dir.path() + "/half.tar", 0);
    ASSERT_TRUE(half);
    ASSERT_TRUE((*half)->add("x", "y"));
  }
  EXPECT_FALSE(read_file(dir.path() + "/half.tar"));
}

}  // namespace
}  // namespace minato
