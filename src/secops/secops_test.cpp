// The media intake's pure parts: the clamd address and VERSION answer, and what a file is.
#include <gtest/gtest.h>

#include "secops/clamd.h"
#include "secops/file_type.h"

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

TEST(FileType, EdifactAndCsvOnly) {
  EXPECT_EQ(classify_file("UNB+UNOA:2+X+Y+1:1+1'"), FileType::kEdifact);
  EXPECT_EQ(classify_file("\xEF\xBB\xBF\r\nUNA:+.? 'UNB+UNOC:3'"), FileType::kEdifact);
  EXPECT_EQ(classify_file("UNH+1+CODECO:D:00B:UN'"), FileType::kEdifact);
  EXPECT_EQ(classify_file("container,size,weight\nABCU1234560,22G1,24000\n"), FileType::kCsv);
  EXPECT_EQ(classify_file("MZ;KOBE;\"a;b\"\r\nMSKU;OSAKA;x\r\n"), FileType::kCsv);
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
        Case{"", "empty"}, Case{"UNB+UNOA:2\x01'", "binary"}, Case{"just some words\n", "text"}}) {
    std::string kind;
    auto t = classify_file(c.bytes, &kind);
    EXPECT_FALSE(t) << c.kind;
    EXPECT_EQ(kind, c.kind);
    if (!t) {
      EXPECT_NE(t.error().message().find("only EDIFACT or CSV"), std::string::npos)
          << t.error().message();
    }
  }
}

}  // namespace
}  // namespace minato::secops
