#include <gtest/gtest.h>

#include "crypto/random.h"
#include "identity/password_hash.h"
#include "identity/password_policy.h"
#include "identity/sessions.h"
#include "identity/totp.h"

namespace minato::identity {
namespace {

TEST(PasswordPolicy, G2_1_1_c_RequiresLengthAndFourCharacterKinds) {
  PasswordPolicy p;
  EXPECT_TRUE(check_password(p, "alice", "Vq7#rT2m!xK9"));
  auto short_pw = check_password(p, "alice", "Vq7#rT2m!x");
  ASSERT_FALSE(short_pw);
  EXPECT_EQ(short_pw.error().field(), "password");
  EXPECT_NE(short_pw.error().message().find("12 characters"), std::string::npos);
  EXPECT_FALSE(check_password(p, "alice", "vq7#rt2m!xk9zz"));    // no upper
  EXPECT_FALSE(check_password(p, "alice", "VQ7#RT2M!XK9ZZ"));    // no lower
  EXPECT_FALSE(check_password(p, "alice", "Vqa#rTbm!xKczz"));    // no digit
  EXPECT_FALSE(check_password(p, "alice", "Vq7arT2mbxK9zz"));    // no symbol
  EXPECT_FALSE(check_password(p, "alice", "Vq7#rT2m!xK9\x01"));  // control character
}

TEST(PasswordPolicy, G2_2_2_c_RefusesCommonAndUserNamePasswords) {
  PasswordPolicy p;
  for (const char* pw :
       {"Password123!", "Qwerty123456!", "P@ssw0rd2024!", "Welcome2026!!", "Iloveyou1234!"}) {
    auto st = check_password(p, "bob", pw);
    EXPECT_FALSE(st) << pw;
    if (!st) {
      EXPECT_EQ(st.error().message().find(pw), std::string::npos) << "must not echo";
    }
  }
  EXPECT_FALSE(check_password(p, "harbourmaster", "Harbourmaster#2026x"));
}

TEST(PasswordPolicy, G2_2_2_b_SeparatePoliciesPerUse) {
  auto login = PasswordPolicy::for_use(PasswordUse::kLogin);
  auto backup = PasswordPolicy::for_use(PasswordUse::kBackupPassphrase);
  // A good login password is too short to guard the backups.
  EXPECT_TRUE(check_password(login, "alice", "Vq7#rT2m!xK9"));
  auto short_pp = check_password(backup, "alice", "Vq7#rT2m!xK9");
  ASSERT_FALSE(short_pp);
  EXPECT_EQ(short_pp.error().field(), "passphrase");
  EXPECT_NE(short_pp.error().message().find("passphrase must have at least 20 characters"),
            std::string::npos);
  // The error gives the whole rule too, as the help texts and the README do.
  EXPECT_NE(short_pp.error().message().find("(the rule: " + describe(backup) + ")"),
            std::string::npos);
  EXPECT_EQ(describe(login),
            "12+ characters with an upper-case letter, a lower-case letter, a digit and a symbol; "
            "not a common or easily guessed password; not containing the user name");
  auto no_symbol = check_password(login, "alice", "Vq7rT2mxK9harbour");
  ASSERT_FALSE(no_symbol);
  EXPECT_NE(no_symbol.error().message().find("must have a symbol (the rule: 12+ characters with "
                                             "an upper-case letter, a lower-case letter, a digit "
                                             "and a symbol"),
            std::string::npos)
      << no_symbol.error().message();
  // A long unpredictable passphrase without symbols suits backups, not logins.
  const char* phrase = "gantry lashing bollard quay mooring";
  EXPECT_TRUE(check_password(backup, "alice", phrase));
  EXPECT_FALSE(check_password(login, "alice", phrase));
  // Length alone is not enough: a repeated or common phrase is refused.
  EXPECT_FALSE(check_password(backup, "alice", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(check_password(backup, "alice", "passwordpasswordpassword"));
}

TEST(PasswordHash, Argon2idRoundTrip) {
  ASSERT_TRUE(crypto::init());
  Argon2Params fast{1, 8 * 1024 * 1024};
  auto h = hash_password("Vq7#rT2m!xK9", fast);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(*h, "Vq7#rT2m!xK9"));
  EXPECT_FALSE(verify_password(*h, "Vq7#rT2m!xK8"));
  EXPECT_FALSE(verify_password("garbage", "x"));
}

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (last 6 of the 8-digit values).
TEST(Totp, Rfc6238Vectors) {
  std::string seed = "12345678901234567890";
  EXPECT_EQ(totp_code(seed, 59), "287082");
  EXPECT_EQ(totp_code(seed, 1111111109), "081804");
  EXPECT_EQ(totp_code(seed, 1234567890), "005924");
  EXPECT_EQ(totp_code(seed, 2000000000), "279037");
}

TEST(Totp, G2_1_1_b_AcceptsOneStepEitherSideOnly) {
  std::string seed = "12345678901234567890";
  int64_t now = 1234567890;
  auto step = verify_totp(seed, totp_code(seed, now), now);
  ASSERT_TRUE(step);
  EXPECT_EQ(*step, now / 30);
  EXPECT_TRUE(verify_totp(seed, totp_code(seed, now - 30), now));
  EXPECT_TRUE(verify_totp(seed, totp_code(seed, now + 30), now));
  EXPECT_FALSE(verify_totp(seed, totp_code(seed, now - 90), now));
  EXPECT_FALSE(verify_totp(seed, "12345", now));
  EXPECT_FALSE(verify_totp(seed, "abcdef", now));
}

TEST(Totp, Base32AndUri) {
  ASSERT_TRUE(crypto::init());
  auto s = TotpSecret::generate();
  EXPECT_EQ(s.raw().size(), 20u);
  auto back = TotpSecret::from_base32(s.base32());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->raw(), s.raw());
  EXPECT_EQ(s.otpauth_uri("Minato", "ops a").find("otpauth://totp/Minato:ops%20a?secret="), 0u);
  EXPECT_FALSE(TotpSecret::from_base32("!!!"));
}

TEST(Sessions, IdleAndAbsoluteTimeouts) {
  ASSERT_TRUE(crypto::init());
  FakeClock clock;
  SessionRegistry reg(clock, {60, 300, 10, 10, true});
  auto c = reg.create("alice", {"planner"});
  ASSERT_TRUE(c);
  EXPECT_NE(c->token, c->csrf_token);
  clock.advance_s(50);
  ASSERT_TRUE(reg.touch(c->token));
  clock.advance_s(50);  // idle 50 s since the last touch: still alive
  ASSERT_TRUE(reg.touch(c->token));
  clock.advance_s(61);  // idle too long
  EXPECT_FALSE(reg.touch(c->token));

  auto d = reg.create("alice", {"planner"});
  ASSERT_TRUE(d);
  for (int i = 0; i < 5; ++i) {
    clock.advance_s(50);
    EXPECT_TRUE(reg.touch(d->token)) << i;
  }
  clock.advance_s(60);                // 310 s since creation, idle only 60 s
  EXPECT_FALSE(reg.touch(d->token));  // 300 s absolute limit passed
  EXPECT_FALSE(reg.touch("not-a-token"));
}

TEST(Sessions, G2_2_1_d_ConcurrentSessionsPerUserEndOldestOrRefuse) {
  ASSERT_TRUE(crypto::init());
  FakeClock clock;
  SessionRegistry evict(clock, {600, 3600, 100, 2, true});
  auto a = evict.create("u", {});
  clock.advance_s(1);
  auto b = evict.create("u", {});
  clock.advance_s(1);
  auto other = evict.create("v", {});
  auto c = evict.create("u", {});
  ASSERT_TRUE(a && b && c && other);
  EXPECT_FALSE(evict.touch(a->token));  // the oldest was ended
  EXPECT_TRUE(evict.touch(b->token));
  EXPECT_TRUE(evict.touch(c->token));
  EXPECT_TRUE(evict.touch(other->token));
  EXPECT_EQ(evict.count_for("u"), 2u);

  SessionRegistry refuse(clock, {600, 3600, 100, 2, false});
  ASSERT_TRUE(refuse.create("u", {}));
  ASSERT_TRUE(refuse.create("u", {}));
  EXPECT_FALSE(refuse.create("u", {}));
  EXPECT_TRUE(refuse.create("v", {}));
  clock.advance_s(601);  // idle sessions expire and no longer count
  EXPECT_TRUE(refuse.create("u", {}));
}

TEST(Sessions, RemoveAndCapacity) {
  ASSERT_TRUE(crypto::init());
  FakeClock clock;
  SessionRegistry reg(clock, {60, 300, 2, 10, true});
  auto a = reg.create("a", {});
  auto b = reg.create("b", {});
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(reg.create("c", {}));
  EXPECT_TRUE(reg.remove(a->token));
  EXPECT_FALSE(reg.touch(a->token));
  EXPECT_TRUE(reg.create("c", {}));
}

}  // namespace
}  // namespace minato::identity

#include "identity/source_guard.h"

namespace minato::identity {
namespace {

TEST(SourceGuard, G2_2_2_f_BlocksASourceAfterTooManyFailuresInTheWindow) {
  FakeClock clock;
  SourceGuard g(clock, {3, 600, 900, 1000});
  EXPECT_EQ(g.record_failure("198.51.100.7"), 0);
  EXPECT_EQ(g.record_failure("198.51.100.7"), 0);
  EXPECT_FALSE(g.blocked("198.51.100.7"));
  int64_t until = g.record_failure("198.51.100.7");
  EXPECT_EQ(until, clock.now_us() + 900LL * 1'000'000);
  EXPECT_TRUE(g.blocked("198.51.100.7"));
  EXPECT_FALSE(g.blocked("198.51.100.8"));  // other sources are not affected
  clock.advance_s(899);
  EXPECT_TRUE(g.blocked("198.51.100.7"));
  clock.advance_s(2);
  EXPECT_FALSE(g.blocked("198.51.100.7"));
}

TEST(SourceGuard, FailuresOutsideTheWindowDoNotAddUp) {
  FakeClock clock;
  SourceGuard g(clock, {3, 600, 900, 1000});
  g.record_failure("a");
  g.record_failure("a");
  clock.advance_s(601);
  EXPECT_EQ(g.record_failure("a"), 0);
  EXPECT_FALSE(g.blocked("a"));
}

TEST(SourceGuard, MemoryIsBounded) {
  FakeClock clock;
  SourceGuard g(clock, {3, 600, 900, 10});
  for (int i = 0; i < 100; ++i) g.record_failure("s" + std::to_string(i));
  // The table is full of live entries: new sources are not tracked, old ones still are.
  for (int i = 0; i < 2; ++i) g.record_failure("s0");
  EXPECT_TRUE(g.blocked("s0"));
  clock.advance_s(601);
  for (int i = 0; i < 3; ++i) g.record_failure("fresh");  // stale entries were swept
  EXPECT_TRUE(g.blocked("fresh"));
}

}  // namespace
}  // namespace minato::identity

#include "identity/source_rules.h"

namespace minato::identity {
namespace {

TEST(SourceRules, G2_1_1_a_CidrAllowLists) {
  auto r = SourceRules::parse(" 10.20.0.0/16, 192.0.2.7 ,2001:db8::/32");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->str(), "10.20.0.0/16,192.0.2.7/32,2001:db8::/32");
  EXPECT_TRUE(r->allows("10.20.3.4"));
  EXPECT_TRUE(r->allows("::ffff:10.20.3.4"));  // IPv4-mapped
  EXPECT_TRUE(r->allows("192.0.2.7"));
  EXPECT_FALSE(r->allows("192.0.2.8"));
  EXPECT_FALSE(r->allows("10.21.0.1"));
  EXPECT_TRUE(r->allows("2001:db8:1::5"));
  EXPECT_FALSE(r->allows("2001:db9::1"));
  EXPECT_FALSE(r->allows("not an address"));
  auto any = SourceRules::parse("");
  ASSERT_TRUE(any);
  EXPECT_TRUE(any->allows("203.0.113.1"));
  auto odd = SourceRules::parse("10.16.0.0/12");     // a prefix not on an octet boundary
  EXPECT_FALSE(SourceRules::parse("10.20.0.0/12"));  // host bits set
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->allows("10.31.255.255"));
  EXPECT_FALSE(odd->allows("10.32.0.0"));
}

TEST(SourceRules, RefusesMalformedEntries) {
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "300.1.1.1", "a.b.c.d",
                          "10.0.0.0/8,,", "2001:db8::/129", "10.0.0.0/-1", "10.0.0.0/8x"}) {
    auto r = SourceRules::parse(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().field(), "allowed_sources");
    }
  }
  std::string many;
  for (int i = 0; i < 65; ++i) many += "10.0." + std::to_string(i) + ".0/24,";
  many.pop_back();
  EXPECT_FALSE(SourceRules::parse(many));
}

}  // namespace
}  // namespace minato::identity

#include "access/roles.h"
#include "identity/time_window.h"

namespace minato::identity {
namespace {

constexpr int kJst = 9 * 3600;
// 2026-11-23 is a Monday. Local (JST) time -> UTC microseconds.
int64_t jst(int day_of_week_from_monday, int hour, int minute) {
  const int64_t monday_00_jst_utc_s = 1'795'359'600;  // 2026-11-22T15:00:00Z
  return (monday_00_jst_utc_s + int64_t{day_of_week_from_monday} * 86400 + hour * 3600 +
          minute * 60) *
         1'000'000;
}

TEST(TimeWindows, G2_2_1_d_DayShiftOnWeekdays) {
  auto w = TimeWindows::parse("mon-fri 07:00-19:00", kJst);
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_TRUE(w->allows(jst(0, 7, 0)));
  EXPECT_TRUE(w->allows(jst(4, 18, 59)));
  EXPECT_FALSE(w->allows(jst(0, 6, 59)));
  EXPECT_FALSE(w->allows(jst(2, 19, 0)));
  EXPECT_FALSE(w->allows(jst(5, 10, 0)));  // Saturday
  EXPECT_EQ(w->str(), "mon-fri 07:00-19:00");
}

TEST(TimeWindows, NightShiftRunsPastMidnightIntoTheNextDay) {
  auto w = TimeWindows::parse("fri 22:00-06:00", kJst);
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->allows(jst(4, 23, 0)));
  EXPECT_TRUE(w->allows(jst(5, 5, 59)));  // Saturday morning belongs to Friday's shift
  EXPECT_FALSE(w->allows(jst(5, 6, 0)));
  EXPECT_FALSE(w->allows(jst(4, 5, 0)));  // Friday morning belongs to Thursday
  EXPECT_FALSE(w->allows(jst(5, 23, 0)));
}

TEST(TimeWindows, SeveralWindowsAndCanonicalText) {
  auto w = TimeWindows::parse(" sat 08:00-12:00 ;mon,tue,wed,thu,fri 07:00-24:00", kJst);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->str(), "sat 08:00-12:00; mon-fri 07:00-24:00");
  EXPECT_TRUE(w->allows(jst(5, 9, 0)));
  EXPECT_TRUE(w->allows(jst(3, 23, 59)));
  EXPECT_FALSE(w->allows(jst(6, 9, 0)));
  auto wrap = TimeWindows::parse("fri-mon 00:00-24:00", kJst);
  ASSERT_TRUE(wrap);
  EXPECT_EQ(wrap->str(), "mon,fri-sun 00:00-24:00");
  EXPECT_TRUE(TimeWindows::parse("", kJst)->allows(0));
  // The offset matters: 07:00 JST is 22:00 UTC the day before.
  auto utc = TimeWindows::parse("mon-fri 07:00-19:00", 0);
  EXPECT_FALSE(utc->allows(jst(0, 7, 0)));
}

TEST(TimeWindows, RefusesMalformedWindowsNamingThem) {
  for (const char* bad : {"mon", "mon 7:00-19:00", "mon 07:00", "xyz 07:00-19:00",
                          "mon 07:00-07:00", "mon 25:00-26:00", "mon 07:60-08:00",
                          "mon 24:00-01:00", "mon-fri 07:00-19:00;", "mon,,fri 07:00-19:00"}) {
    auto w = TimeWindows::parse(bad, kJst);
    EXPECT_FALSE(w) << bad;
    if (!w) {
      EXPECT_EQ(w.error().field(), "window") << bad;
    }
  }
  EXPECT_EQ(*parse_utc_offset("+09:00"), 9 * 3600);
  EXPECT_EQ(*parse_utc_offset("-05:30"), -(5 * 3600 + 1800));
  EXPECT_FALSE(parse_utc_offset("+15:00"));
  EXPECT_FALSE(parse_utc_offset("9"));
}

TEST(Roles, G2_1_1_j_AdministrativeAndOperationalRolesDoNotMix) {
  EXPECT_TRUE(access::check_roles({"user_admin", "security_officer"}).ok);
  EXPECT_TRUE(access::check_roles({"planner", "gate_clerk"}).ok);
  auto mixed = access::check_roles({"planner", "auditor"});
  EXPECT_FALSE(mixed.ok);
  EXPECT_NE(mixed.message.find("auditor"), std::string::npos);
  EXPECT_FALSE(access::check_roles({}).ok);
  EXPECT_FALSE(access::check_roles({"root"}).ok);
  EXPECT_FALSE(access::check_roles({"viewer", "viewer"}).ok);
  EXPECT_FALSE(access::check_roles({"maintenance_vendor", "config_reader"}).ok);
}

TEST(Roles, G2_2_1_a_AdministrativeRolesAreSplitByPurpose) {
  using access::Permission;
  auto has = [](const char* role, Permission p) {
    return (access::permissions_of({role}) & static_cast<uint32_t>(p)) != 0;
  };
  // No administrative role carries a terminal operation; no operational role administers.
  for (auto role : access::all_roles()) {
    std::string r(role);
    for (Permission p : {Permission::kTerminalRead, Permission::kGateWrite, Permission::kVisitWrite,
                         Permission::kUnitLookup}) {
      if (access::admin_role(r)) {
        EXPECT_FALSE(has(r.c_str(), p)) << r;
      }
    }
    for (Permission p : {Permission::kUserAdmin, Permission::kApprove, Permission::kAuditRead,
                         Permission::kBackupRun, Permission::kConfigWrite}) {
      if (!access::admin_role(r)) {
        EXPECT_FALSE(has(r.c_str(), p)) << r;
      }
    }
  }
  // Each purpose is its own: a user admin cannot approve, read the audit log or run backups.
  EXPECT_TRUE(has("user_admin", Permission::kUserAdmin));
  EXPECT_FALSE(has("user_admin", Permission::kApprove));
  EXPECT_FALSE(has("user_admin", Permission::kAuditRead));
  EXPECT_FALSE(has("user_admin", Permission::kBackupRun));
  EXPECT_TRUE(has("security_officer", Permission::kApprove));
  EXPECT_FALSE(has("security_officer", Permission::kUserAdmin));
  EXPECT_TRUE(has("config_changer", Permission::kConfigWrite));
  EXPECT_FALSE(has("config_reader", Permission::kConfigWrite));
  EXPECT_TRUE(has("backup_operator", Permission::kBackupRun));
  EXPECT_FALSE(has("auditor", Permission::kUserAdmin));
}

}  // namespace
}  // namespace minato::identity
