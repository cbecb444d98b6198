// The media intake's pure parts: the clamd address and VERSION answer, and what a file is.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/subprocess.h"
#include "secops/clamav_database.h"
#include "secops/clamd.h"
#include "secops/file_type.h"
#include "secops/sigtool.h"

namespace minato::secops {
namespace {

TEST(ClamdAddress, UnixAndTcp) {
  auto u = ClamdAddress::parse("unix:/run/clamav/clamd.ctl");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->unix_socket);
  EXPECT_EQ(u->path, "/run/clamav/clamd.ctl");
  EXPECT_EQ(u->str(), "unix:/run/clamav/clamd.ctl");
  auto t = ClamdAddress::parse("tcp:scanner.example.jp:3310");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->unix_socket);
  EXPECT_EQ(t->host, "scanner.example.jp");
  EXPECT_EQ(t->port, 3310);
  auto v6 = ClamdAddress::parse("tcp:[::1]:3310");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->str(), "tcp:[::1]:3310");
  for (const char* bad : {"", "clamd.ctl", "unix:relative", "tcp:host", "tcp::3310", "tcp:host:0",
                          "tcp:host:70000", "tcp:host:33x0", "http://x:1"}) {
    EXPECT_FALSE(ClamdAddress::parse(bad)) << bad;
  }
}

TEST(ClamdVersion, WithAndWithoutADatabaseDate) {
  auto v = parse_clamd_version("ClamAV 1.0.7/27450/Wed Nov 25 08:12:00 2026");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->engine, "ClamAV 1.0.7");
  EXPECT_EQ(v->database, "27450");
  EXPECT_EQ(v->built_us, int64_t{1795594320} * 1'000'000);  // 2026-11-25T08:12:00Z
  auto local = parse_clamd_version("ClamAV 1.4.6");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->database, "");
  EXPECT_EQ(local->built_us, 0);
  auto odd = parse_clamd_version("ClamAV 1.4.6/27450/sometime");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->built_us, 0);  // an unreadable date is an unknown age, never "new"
  EXPECT_FALSE(parse_clamd_version("SSH-2.0-OpenSSH_9.2"));
}

TEST(ClamdClient, UnreachableIsUnavailable) {
  ClamdClient c(*ClamdAddress::parse("unix:/nonexistent/minato-test/clamd.sock"), 1000);
  auto v = c.version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(v.error().message().find("cannot be reached"), std::string::npos);
  auto s = c.scan("UNH+1+X'");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kUnavailable);
}

TEST(FileType, TextTypesOnly) {
  EXPECT_EQ(classify_file("UNB+UNOA:2+X+Y+1:1+1'"), FileType::kEdifact);
  EXPECT_EQ(classify_file("\xEF\xBB\xBF\r\nUNA:+.? 'UNB+UNOC:3'"), FileType::kEdifact);
  EXPECT_EQ(classify_file("UNH+1+CODECO:D:00B:UN'"), FileType::kEdifact);
  EXPECT_EQ(classify_file("container,size,weight\nABCU1234560,22G1,24000\n"), FileType::kCsv);
  EXPECT_EQ(classify_file("MZ;KOBE;\"a;b\"\r\nMSKU;OSAKA;x\r\n"), FileType::kCsv);
  EXPECT_EQ(classify_file(" {\"bomFormat\": \"CycloneDX\"}\n"), FileType::kJson);
  EXPECT_EQ(classify_file("[1, 2]"), FileType::kJson);
  EXPECT_EQ(classify_file("Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not\n"),
            FileType::kDpkgList);
  EXPECT_EQ(classify_file("libc6\t2.36-9\tamd64\nzlib1g\t1:1.2.13\tamd64\n"), FileType::kCsv);
  struct Case {
    std::string bytes;
    const char* kind;
  };
  const std::string nul(64, '\0');
  for (const Case& c :
       {Case{"\x7f"
             "ELF" +
                 nul,
             "executable"},
        Case{"MZ" + nul, "executable"}, Case{"#!/bin/sh\necho\n", "script"},
        Case{"PK\x03\x04" + nul, "archive"}, Case{"\x1f\x8b\x08" + nul, "archive"},
        Case{std::string(257, ' ') + "ustar" + nul, "archive"},
        Case{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + nul, "office"}, Case{"%PDF-1.7\n", "document"},
        Case{"", "empty"}, Case{"UNB+UNOA:2\x01'", "binary"}, Case{"just some words\n", "text"},
        Case{"{ not closed", "text"}}) {
    std::string kind;
    auto t = classify_file(c.bytes, &kind);
    EXPECT_FALSE(t) << c.kind;
    EXPECT_EQ(kind, c.kind);
    if (!t) {
      EXPECT_NE(t.error().message().find("only EDIFACT, CSV or JSON"), std::string::npos)
          << t.error().message();
    }
  }
}

// A header as freshclam and sigtool write it, padded to 512 bytes, and some content.
std::string database(const std::string& header) {
  std::string h = header;
  h.resize(kClamavHeaderBytes, ' ');
  return h + std::string("\x1f\x8b\x08\x00", 4) + "content";
}

TEST(ClamavDatabase, HeaderOfEachKind_G2_7_1_b) {
  const std::string header =
      "ClamAV-VDB:07 Dec 2026 02-30 +0000:27450:2077812:90:f3d10d9a5cb3406cfe9bcf7ee9237b0d:"
      "X:builder:1796610658";
  auto db = parse_clamav_database("/media/usb/daily.cvd", database(header));
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(db->name, "daily");
  EXPECT_EQ(db->kind, DatabaseKind::kCvd);
  EXPECT_EQ(db->version, 27450);
  EXPECT_EQ(db->signatures, 2077812);
  EXPECT_EQ(db->functionality_level, 90);
  EXPECT_EQ(db->built_us, int64_t{1796610658} * 1'000'000);
  EXPECT_EQ(db->builder, "builder");
  EXPECT_EQ(db->file_name(), "daily.cvd");
  EXPECT_EQ(parse_clamav_database("main.cld", database(header))->kind, DatabaseKind::kCld);
  EXPECT_EQ(parse_clamav_database("local.cud", database(header))->kind, DatabaseKind::kCud);
}

TEST(ClamavDatabase, RefusesWhatIsNotOneAndSaysWhy_G2_7_1_b) {
  const std::string good =
      "ClamAV-VDB:07 Dec 2026 02-30 +0000:27450:1:90:f3d10d9a5cb3406cfe9bcf7ee9237b0d:X:b:"
      "1796610658";
  struct Case {
    std::string name, data, why;
  };
  const Case cases[] = {
      {"daily.exe", database(good), "extension"},
      {"daily", database(good), "no .cvd"},
      {"x y.cvd", database(good), "a database name is"},
      {"Daily.cvd", database(good), "a database name is"},
      {".cvd", database(good), "1-32 characters"},
      {"daily.cvd", good, "512-byte header"},
      {"daily.cvd", database("MZ" + good), "does not read ClamAV-VDB"},
      {"daily.cvd", database("ClamAV-VDB:x:1:2:3"), "does not read ClamAV-VDB"},
      {"daily.cvd", database("ClamAV-VDB:t:x27450:1:90:m:X:b:1796610658"), "version"},
      {"daily.cvd", database("ClamAV-VDB:t:0:1:90:m:X:b:1796610658"), "version"},
      {"daily.cvd", database("ClamAV-VDB:t:1:1:90:m:X:b:-5"), "build time"},
      {"daily.cvd", database("ClamAV-VDB:t:1:1:90:m:X:b:1\n"), "printable"},
  };
  for (const auto& c : cases) {
    auto r = parse_clamav_database(c.name, c.data);
    ASSERT_FALSE(r) << c.name << " " << c.why;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(c.why), std::string::npos) << r.error().message();
  }
}

// ClamAV's own sigtool (Debian package clamav), on containers it built itself.
class Sigtool : public testing::Test {
 protected:
  void SetUp() override {
    // scripts/install-deps installs it (Debian package clamav): missing is a failure, not a skip.
    ASSERT_EQ(::access("/usr/bin/sigtool", X_OK), 0) << "sigtool is not installed (clamav)";
    char tmpl[] = "/tmp/minato-sigtool-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/daily.ndb") << "Minato.Test.Marker:0:*:4d494e41544f2d5445535421\n";
    std::ofstream(dir_ + "/COPYING") << "test\n";
    // sigtool asks for a builder name on standard input: run it through a shell here (the
    // product never does).
    std::string cmd = "cd " + dir_ + " && echo minato-test | /usr/bin/sigtool --datadir=" + dir_ +
                      " --build=daily.cud --unsigned --cvd-version=27001 >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
};

TEST_F(Sigtool, UnsignedContainerSaidSoAndAForgedCvdFails_G2_7_1_b) {
  auto cud = check_with_sigtool("/usr/bin/sigtool", dir_ + "/daily.cud", 30'000);
  ASSERT_TRUE(cud) << cud.error().message();
  EXPECT_EQ(cud->verdict, SigtoolCheck::kUnsigned) << cud->output;
  // The same bytes called a .cvd claim ClamAV's signature, which they do not carry.
  std::filesystem::copy_file(dir_ + "/daily.cud", dir_ + "/daily.cvd");
  auto forged = check_with_sigtool("/usr/bin/sigtool", dir_ + "/daily.cvd", 30'000);
  ASSERT_TRUE(forged) << forged.error().message();
  EXPECT_EQ(forged->verdict, SigtoolCheck::kFailed);
  EXPECT_FALSE(forged->detail.empty());
  // Its header is still read as what it claims to be.
  std::ifstream f(dir_ + "/daily.cud", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  auto db = parse_clamav_database("daily.cud", bytes);
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(db->version, 27001);
  EXPECT_EQ(db->builder, "minato-test");
  // Without sigtool: a precondition, naming the package.
  auto none = check_with_sigtool("/nonexistent/sigtool", dir_ + "/daily.cud", 30'000);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("clamav"), std::string::npos);
}

TEST(RunProgram, OutputExitStatusAndDeadline) {
  auto r = run_program({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, 10'000);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->exit_status, 3);
  EXPECT_NE(r->output.find("out"), std::string::npos);
  EXPECT_NE(r->output.find("err"), std::string::npos);
  auto slow = run_program({"/bin/sleep", "30"}, 200);
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(run_program({"sh"}, 1000).error().code(), ErrorCode::kInvalidArgument);
  auto bounded = run_program({"/bin/sh", "-c", "head -c 100000 /dev/zero"}, 10'000, 1000);
  ASSERT_TRUE(bounded);
  EXPECT_EQ(bounded->output.size(), 1000u);
}

}  // namespace
}  // namespace minato::secops
