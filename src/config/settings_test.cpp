// The settings catalogue and minato.toml edited in place (configuration control).
#include <gtest/gtest.h>

#include <set>

#include "config/config.h"

namespace minato::config {
namespace {

TEST(Settings, CatalogueNamesEverySettingOnceAndControlsSecurityOnes) {
  std::set<std::string> seen;
  for (const auto& s : settings()) EXPECT_TRUE(seen.insert(s.name).second) << s.name;
  EXPECT_EQ(seen.size(), settings().size());
  ASSERT_NE(find_setting("login.lockout_threshold"), nullptr);
  EXPECT_TRUE(find_setting("login.lockout_threshold")->security);
  EXPECT_TRUE(find_setting("login.lockout_threshold")->is_int);
  EXPECT_TRUE(find_setting("server.allow_sources")->security);
  EXPECT_TRUE(find_setting("upgrade.release_keys")->security);
  EXPECT_FALSE(find_setting("terminal.name")->security);
  EXPECT_FALSE(find_setting("terminal.name")->is_int);
  EXPECT_EQ(find_setting("login.nosuch"), nullptr);
  // Every setting init writes is in the catalogue, and the other way round.
  auto lines = setting_lines(to_toml(Config{}));
  EXPECT_EQ(lines.size(), settings().size());
}

TEST(Settings, ValuesCopyAndDiff) {
  Config a, b;
  b.lockout_threshold = 3;
  b.terminal_name = "Tobishima";
  EXPECT_EQ(setting_value(b, "login.lockout_threshold"), "3");
  EXPECT_EQ(setting_value(b, "terminal.name"), "Tobishima");
  EXPECT_EQ(setting_value(b, "no.such"), "");
  auto d = diff(a, b);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "login.lockout_threshold");
  EXPECT_EQ(d[0].from, "5");
  EXPECT_EQ(d[0].to, "3");
  EXPECT_TRUE(d[0].security);
  EXPECT_EQ(d[1].name, "terminal.name");
  EXPECT_FALSE(d[1].security);
  copy_setting(a, b, "login.lockout_threshold");
  EXPECT_EQ(a.lockout_threshold, 3);
  EXPECT_EQ(diff(a, b).size(), 1u);
}

TEST(Settings, WithSettingEditsOneLineAndKeepsTheRest) {
  std::string text =
      "# the terminal's own comment\n[login]\nlockout_threshold = 5  # site rule\n"
      "\n# the next section\n[terminal]\nname = \"A\"\n";
  auto t = with_setting(text, "login.lockout_threshold", "3");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(*t,
            "# the terminal's own comment\n[login]\nlockout_threshold = 3\n\n# the next section\n"
            "[terminal]\nname = \"A\"\n");
  // Not given yet: added at the end of its section, before the next section's comments.
  auto added = with_setting(text, "login.lockout_seconds", "600");
  ASSERT_TRUE(added) << added.error().message();
  EXPECT_NE(added->find("lockout_threshold = 5  # site rule\nlockout_seconds = 600\n\n# the next"),
            std::string::npos)
      << *added;
  // A section not there yet is added; a string is quoted with its escapes.
  auto quoted = with_setting(text, "incident.escalation_mail", "desk@port.example");
  ASSERT_TRUE(quoted);
  EXPECT_NE(quoted->find("[incident]\nescalation_mail = \"desk@port.example\"\n"),
            std::string::npos);
  auto escaped = with_setting(text, "terminal.name", "Pier \"7\"");
  ASSERT_TRUE(escaped);
  auto back = parse(*escaped, "x");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->terminal_name, "Pier \"7\"");
  EXPECT_EQ(setting_lines(*escaped).at("terminal.name"), 7);
}

TEST(Settings, WithSettingRefusesWhatTheFileWouldRefuse) {
  std::string text = to_toml(Config{});
  auto unknown = with_setting(text, "login.nosuch", "1");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("login.nosuch"), std::string::npos);
  auto range = with_setting(text, "login.lockout_threshold", "99");
  ASSERT_FALSE(range);
  EXPECT_NE(range.error().message().find("login.lockout_threshold must be an integer from 1 to 20"),
            std::string::npos);
  EXPECT_FALSE(with_setting(text, "login.lockout_threshold", "3x"));
  EXPECT_FALSE(with_setting(text, "login.lockout_threshold", ""));
  EXPECT_FALSE(with_setting(text, "server.allow_sources", "10.0.0.1/8"));
  // A newline in a value cannot smuggle in another setting: it is escaped, and refused.
  auto smuggled = with_setting(text, "terminal.name", "A\n[login]\nlockout_threshold = 20");
  if (smuggled) {
    auto c = parse(*smuggled, "x");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->lockout_threshold, Config{}.lockout_threshold);
  }
}

}  // namespace
}  // namespace minato::config
