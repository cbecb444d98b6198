#include "config/config.h"

#include <gtest/gtest.h>

namespace minato::config {
namespace {

TEST(Config, DefaultsRoundTrip) {
  Config c;
  c.listen = "[::1]:9443";
  c.lockout_threshold = 7;
  auto back = parse(to_toml(c), "x.toml");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->listen, "[::1]:9443");
  EXPECT_EQ(back->lockout_threshold, 7);
  EXPECT_EQ(back->body_limit_bytes, c.body_limit_bytes);
}

TEST(Config, RefusesUnknownKeysAndOutOfRangeValues) {
  auto typo = parse("[server]\nmax_conections = 5\n", "m.toml");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message().find("server.max_conections"), std::string::npos);
  auto table = parse("[tls]\nminimum_version = \"1.0\"\n", "m.toml");
  ASSERT_FALSE(table);  // there is no setting that weakens TLS
  auto range = parse("[login]\nlockout_threshold = 0\n", "m.toml");
  ASSERT_FALSE(range);
  EXPECT_NE(range.error().message().find("login.lockout_threshold"), std::string::npos);
  EXPECT_FALSE(parse("[server]\nlisten = 5\n", "m.toml"));
  auto cidr = parse("[server]\nallow_sources = \"10.0.0.1/8\"\n", "m.toml");
  ASSERT_FALSE(cidr);
  EXPECT_NE(cidr.error().message().find("server.allow_sources"), std::string::npos);
  EXPECT_TRUE(parse("[server]\nallow_sources = \"10.0.0.0/8, ::1\"\n", "m.toml"));
  EXPECT_FALSE(parse("[server]\nlisten = \"nohost\"\n", "m.toml"));
  auto syntax = parse("[server\n", "m.toml");
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().message().find("m.toml:1"), std::string::npos);
  EXPECT_FALSE(parse("[server]\nworker_threads = 8 8\n", "m.toml"));
  EXPECT_FALSE(parse("[server]\nworker_threads = 8\nworker_threads = 9\n", "m.toml"));
  EXPECT_FALSE(parse("worker_threads = 8\n", "m.toml"));
  EXPECT_FALSE(parse("[server]\nlisten = \"127.0.0.1:1\n", "m.toml"));
  EXPECT_FALSE(parse("[server]\nworker_threads = [1, 2]\n", "m.toml"));
  EXPECT_FALSE(parse("[server]\nworker_threads = 99999999999999999999999\n", "m.toml"));
  auto esc = parse("[tls]\ncert = \"a\\\\b \\\"q\\\"\"  # comment\n", "e.toml");
  ASSERT_TRUE(esc) << esc.error().message();
  EXPECT_EQ(esc->tls_cert, "a\\b \"q\"");
}

// Regressions: found by fuzz/fuzz_config (a NUL, and a '#', right after '[' in a table header
// reached an assertion inside toml++ 3.3).
TEST(Config, RefusesControlCharactersAndUnknownSections) {
  auto r = parse(std::string("[server]\n[\0ogins = 15\n", 22), "c.toml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("c.toml:2: control character"), std::string::npos);
  auto hash = parse("# comment\n[# Minato\nkey = 1\n", "h.toml");
  ASSERT_FALSE(hash);
  EXPECT_NE(hash.error().message().find("h.toml:2: unknown section"), std::string::npos);
  EXPECT_FALSE(parse("[[server]]\n", "a.toml"));
  EXPECT_FALSE(parse("\xEF\xBB\xBF[[[ 1\n", "bom.toml"));
  EXPECT_TRUE(parse("\xEF\xBB\xBF[tls]\n", "bom.toml"));
  auto utf8 = parse("[tls]\ncert = \"\xE8\xA8\xBC.pem\"\n", "u.toml");
  ASSERT_FALSE(utf8);
  EXPECT_NE(utf8.error().message().find("ASCII"), std::string::npos);
  EXPECT_TRUE(parse("  [server]  # the listener\r\nlisten = \"127.0.0.1:1\"\n", "ok.toml"));
}

// Regression: found by fuzz/fuzz_config's round-trip check (an escaped newline was written back
// raw by to_toml).
TEST(Config, StringsWithEscapesRoundTrip) {
  Config c;
  c.tls_cert = "a\nb\t\"c\"\\";
  auto back = parse(to_toml(c), "r.toml");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->tls_cert, c.tls_cert);
}

TEST(Config, SplitListen) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(split_listen("127.0.0.1:8443", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8443);
  ASSERT_TRUE(split_listen("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(split_listen("127.0.0.1", &host, &port));
  EXPECT_FALSE(split_listen("127.0.0.1:99999", &host, &port));
  EXPECT_FALSE(split_listen("127.0.0.1:8a", &host, &port));
}

TEST(Config, ListenersFromTheCommandLine) {
  Config c;
  // The console's origin follows the API listener when it was on the old port.
  ASSERT_TRUE(apply_listeners(c, {"127.0.0.1:18443", "", "127.0.0.1:19444"}));
  EXPECT_EQ(c.listen, "127.0.0.1:18443");
  EXPECT_EQ(c.management_listen, "127.0.0.1:9443");
  EXPECT_EQ(c.backup_vault_listen, "127.0.0.1:19444");
  EXPECT_EQ(c.webauthn_origin, "https://localhost:18443");
  // A free port picked at each start says nothing of the origin until it is bound; a local
  // origin then follows the bound port, a name of the terminal's does not.
  ASSERT_TRUE(apply_listeners(c, {"127.0.0.1:0", "", ""}));
  EXPECT_EQ(c.webauthn_origin, "https://localhost:18443");
  EXPECT_TRUE(origin_on_listener(c));
  set_origin_port(c, 40121);
  EXPECT_EQ(c.webauthn_origin, "https://localhost:40121");
  Config named = c;
  named.webauthn_origin = "https://tos.example.jp";
  EXPECT_FALSE(origin_on_listener(named));
  named.listen = "0.0.0.0:443";
  EXPECT_TRUE(origin_on_listener(named));
  c.webauthn_origin = "https://localhost:18443";
  // An origin elsewhere (a name on 443 behind a balancer) stays.
  c.listen = "0.0.0.0:8443";
  c.webauthn_origin = "https://tos.example.jp";
  ASSERT_TRUE(apply_listeners(c, {"0.0.0.0:9000", "", ""}));
  EXPECT_EQ(c.webauthn_origin, "https://tos.example.jp");
  // A bad address changes nothing and names the flag and its setting.
  Config before = c;
  auto bad = apply_listeners(c, {"", "127.0.0.1", ""});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("--management-listen (server.management_listen)"),
            std::string::npos)
      << bad.error().message();
  EXPECT_EQ(c.listen, before.listen);
  EXPECT_EQ(c.management_listen, before.management_listen);
}

}  // namespace
}  // namespace minato::config
