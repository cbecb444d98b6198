// A fixture with an initialised data directory and an open Runtime on a FakeClock.
#pragma once

#include <gtest/gtest.h>

#include "app/runtime.h"
#include "app/setup.h"
#include "identity/totp.h"
#include "testing/test_env.h"

namespace minato::testing {

inline constexpr const char* kAdminPassword = "Vq7#rT2m!xK9-harbour";
inline constexpr const char* kUserPassword = "Hx4$wLm8@pZ3-user";

// A logged-in person as the API builds them, with a second factor that counts as just proved
// (tests of step-up itself give a real time: app/step_up_test.cpp).
inline access::Actor person(const std::string& name, const std::vector<std::string>& roles,
                            const std::string& source = "10.0.0.1") {
  auto a =
      access::Actor::of_account("user:" + name, source, access::permissions_of(roles), roles, {});
  a.step_up_until_us = access::Actor::kAlwaysRecent;
  return a;
}

class RuntimeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.set_us(SystemClock::instance().now_us());  // init below uses the real clock
    auto init = app::initialise(app::InitSpec(dir_.path() + "/data", "admin", kAdminPassword));
    ASSERT_TRUE(init) << init.error().message();
    admin_totp_ = init->admin.totp_secret_base32;
    app::RuntimeOptions o;
    o.clock = &clock_;
    o.argon = {1, 8 * 1024 * 1024};
    auto rt = app::Runtime::open(dir_.path() + "/data", o);
    ASSERT_TRUE(rt) << rt.error().message();
    rt_ = std::move(*rt);
  }

  // Creates a user and returns its raw TOTP secret.
  std::string add_user(const std::string& name, std::vector<std::string> roles,
                       const std::string& allowed_sources = "") {
    auto u = rt_->identity().create_user(access::Actor::local_operator(),
                                         {name, kUserPassword, std::move(roles), allowed_sources});
    EXPECT_TRUE(u) << u.error().message();
    return identity::TotpSecret::from_base32(u->totp_secret_base32)->raw();
  }

  std::string code(const std::string& raw_secret) const {
    return identity::totp_code(raw_secret, clock_.now_s());
  }

  std::vector<store::AuditRecord> audit() {
    std::vector<store::AuditRecord> out;
    auto rx = rt_->store().read();
    EXPECT_TRUE(rx);
    EXPECT_TRUE((*rx)->scan_audit(1, [&](const store::AuditRecord& r) {
      out.push_back(r);
      return true;
    }));
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  std::string admin_totp_;
  std::unique_ptr<app::Runtime> rt_;
};

}  // namespace minato::testing
