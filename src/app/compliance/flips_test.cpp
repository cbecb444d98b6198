// Proof of issue 21: for each of more than 20 checks, a setting or state behind it is changed
// (an account's second factor cleared in the database, the shipper stalled, the last drill
// aged past a year, a config made weak, ...), the item fails with the right reason, and it
// passes again when the change is undone. The starting point is a well-run terminal.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <fstream>
#include <functional>

#include "app/compliance/compliance_service.h"
#include "crypto/random.h"
#include "testing/runtime_fixture.h"

namespace minato::app::compliance {
namespace {

constexpr int64_t kDayUs = 86400LL * 1'000'000;

class ComplianceFlipTest : public testing::RuntimeFixture {
 protected:
  void SetUp() override {
    RuntimeFixture::SetUp();
    auto& c = rt_->mutable_config();
    c.allow_sources = "10.0.0.0/8";
    c.smtp_url = "smtp://127.0.0.1:2525";
    c.security_mail = "security@terminal.example.jp";
    c.syslog_target = "127.0.0.1:6514";
    c.upgrade_release_keys = "keys/release.pub";
    add_user("clerk", {"gate_clerk"});
    store::AssetRecord a;
    a.tag = "SRV-01";
    a.kind = "server";
    a.name = "TOS server";
    a.serial = "SN-4711";
    a.os = "Debian 12.8";
    a.patches = "security updates to 2026-12-01";
    a.owner = "IT, T. Ito";
    a.used_by = "TOS";
    a.place = "gate house, rack 2";
    a.power = "UPS-A";
    a.state = "in_service";
    ASSERT_TRUE(rt_->assets().add(admin(), a));
    {
      auto tx = rt_->store().write();
      ASSERT_TRUE(tx);
      ASSERT_TRUE((*tx)->insert_access_review({0, clock_.now_us(), "user:auditor", "00", 2, ""}));
      ASSERT_TRUE((*tx)->commit());
    }
    ASSERT_TRUE(rt_->backup().record_drill(admin(), "{}", true, ""));
    add_user("vendor", {"maintenance_vendor"});
    for (const char* id : {"G1.2", "G1.3", "G2.7.6"}) {  // the organisational half of P+O items
      EvidenceInput in;
      in.item = id;
      in.title = "Procedure approved by the terminal's management";
      in.owner = "Security office";
      in.dated = "2026-01-15";
      in.review_by = "2099-12-31";
      ASSERT_TRUE(rt_->compliance().add_evidence(admin(), in));
    }
    // Everyone's login notices have somewhere to go (G2.1.1-f).
    sqlite_exec("UPDATE users SET email = username || '@terminal.example.jp'");
    shipped_to_head();
  }

  // What someone with write access to the database file can do behind Minato's back.
  void sqlite_exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(rt_->paths().database().c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  static access::Actor admin() { return access::Actor::local_operator(); }

  // The shipper's cursor as it is after it acknowledged every event up to now.
  void shipped_to_head() {
    auto rx = rt_->store().read();
    ASSERT_TRUE(rx);
    auto head = (*rx)->audit_head();
    ASSERT_TRUE(head);
    std::ofstream(rt_->paths().dir + "/audit-ship.cursor")
        << "events " << *head + 10 << "\ncheckpoints 0\n";
  }

  const ItemResult& item(std::string_view id) {
    auto a = rt_->compliance().run(admin());
    EXPECT_TRUE(a) << a.error().message();
    last_ = std::move(*a);
    for (const auto& i : last_.items) {
      if (i.item->id == id) return i;
    }
    ADD_FAILURE() << "no item " << id;
    return last_.items.front();
  }

  void with_user(const std::string& name,
                 const std::function<void(store::WriteTxn&, store::UserRecord&)>& fn) {
    auto tx = rt_->store().write();
    ASSERT_TRUE(tx);
    auto u = (*tx)->find_user(name);
    ASSERT_TRUE(u && *u);
    fn(**tx, **u);
    ASSERT_TRUE((*tx)->commit());
  }

  // Expects `id` to pass, to fail (with `reason` in its English reason) after `brk`, and to
  // pass again after `fix`.
  void flip(std::string_view id, const std::function<void()>& brk, std::string_view reason,
            const std::function<void()>& fix) {
    SCOPED_TRACE(std::string(id));
    {
      const auto& before = item(id);
      EXPECT_EQ(before.status, ItemStatus::kPass) << before.reason.en;
    }
    brk();
    {
      const auto& broken = item(id);
      EXPECT_EQ(broken.status, ItemStatus::kFail) << broken.reason.en;
      EXPECT_NE(broken.reason.en.find(reason), std::string::npos) << broken.reason.en;
      EXPECT_FALSE(broken.reason.ja.empty());
    }
    fix();
    {
      const auto& after = item(id);
      EXPECT_EQ(after.status, ItemStatus::kPass) << after.reason.en;
    }
    ++flipped_;
  }

  Assessment last_;
  int flipped_ = 0;
};

TEST_F(ComplianceFlipTest, MoreThanTwentyChecksFailWhenTheirStateChangesAndPassWhenRestored) {
  auto& c = rt_->mutable_config();
  std::string totp;
  auto clear_totp = [&](const std::string& user) {
    return [&, user] {
      with_user(user, [&](store::WriteTxn& tx, store::UserRecord& u) {
        totp = u.totp_sealed;
        ASSERT_TRUE(tx.set_totp_sealed(u.id, ""));
      });
    };
  };
  auto restore_totp = [&](const std::string& user) {
    return [&, user] {
      with_user(user, [&](store::WriteTxn& tx, store::UserRecord& u) {
        ASSERT_TRUE(tx.set_totp_sealed(u.id, totp));
      });
    };
  };
  // Accounts and authentication.
  flip("G2.1.1-b", clear_totp("clerk"), "no second factor: clerk", restore_totp("clerk"));
  {  // The regression is on record in the run that found it, with its reason.
    auto rx = rt_->store().read();
    ASSERT_TRUE(rx);
    bool recorded = false;
    ASSERT_TRUE((*rx)->scan_audit(1, [&](const store::AuditRecord& r) {
      recorded |= r.action == "compliance.run" &&
                  r.change.find("\"item\":\"G2.1.1-b\",\"from\":\"pass\",\"to\":\"fail\"") !=
                      std::string::npos &&
                  r.change.find("no second factor: clerk") != std::string::npos;
      return true;
    }));
    EXPECT_TRUE(recorded);
  }
  flip("G2.1.1-g", clear_totp("admin"), "administrators without a second factor: admin",
       restore_totp("admin"));
  flip("G2.2.2-d", clear_totp("clerk"), "have no second factor", restore_totp("clerk"));
  flip("G1.3", clear_totp("vendor"), "remote maintenance accounts without a second factor",
       restore_totp("vendor"));
  flip("A1.5.2", clear_totp("vendor"), "remote maintenance accounts without a second factor",
       restore_totp("vendor"));
  flip(
      "G2.1.1-a", [&] { c.allow_sources.clear(); }, "no source restriction",
      [&] { c.allow_sources = "10.0.0.0/8"; });
  flip(
      "G2.1.1-e", [&] { c.lockout_threshold = 50; }, "lockout in force is too weak",
      [&] { c.lockout_threshold = 5; });
  flip(
      "G2.2.1-b", [&] { c.lockout_seconds = 10; }, "too weak", [&] { c.lockout_seconds = 900; });
  std::vector<std::string> roles;
  flip(
      "G2.1.1-j",
      [&] {
        with_user("clerk", [&](store::WriteTxn& tx, store::UserRecord& u) {
          roles = u.roles;
          u.roles = {"user_admin", "gate_clerk"};
          ASSERT_TRUE(tx.update_user_access(u));
        });
      },
      "administrative and operational roles together: clerk",
      [&] {
        with_user("clerk", [&](store::WriteTxn& tx, store::UserRecord& u) {
          u.roles = roles;
          ASSERT_TRUE(tx.update_user_access(u));
        });
      });
  std::string granted;
  flip(
      "G2.1.1-h",
      [&] {  // rights changed in the database, outside the approval process
        with_user("clerk", [&](store::WriteTxn& tx, store::UserRecord& u) {
          granted = u.access_granted_by;
          u.access_granted_by.clear();
          ASSERT_TRUE(tx.update_user_access(u));
        });
      },
      "no recorded grant (changed outside the approval process?): clerk",
      [&] {
        with_user("clerk", [&](store::WriteTxn& tx, store::UserRecord& u) {
          u.access_granted_by = granted;
          ASSERT_TRUE(tx.update_user_access(u));
        });
      });
  flip(
      "G2.2.1-d", [&] { c.max_sessions_per_user = 50; }, "limited to 50",
      [&] { c.max_sessions_per_user = 3; });
  flip(
      "G2.2.2-f", [&] { c.source_block_s = 0; }, "not blocked", [&] { c.source_block_s = 900; });
  flip(
      "G2.2.1-g", [&] { c.alert_login_failures_per_minute = 0; }, "raise no alert",
      [&] { c.alert_login_failures_per_minute = 30; });
  // Cryptography and links.
  flip(
      "G2.3-d", [&] { c.webhook_url = "http://hooks.terminal.example.jp/in"; },
      "links without TLS: notify.webhook_url", [&] { c.webhook_url.clear(); });
  flip(
      "G2.7.6", [&] { c.smtp_url.clear(); }, "no mail server",
      [&] { c.smtp_url = "smtp://127.0.0.1:2525"; });
  // Logs.
  flip(
      "G2.7.3-b", [&] { c.syslog_target.clear(); }, "not shipped off-system",
      [&] { c.syslog_target = "127.0.0.1:6514"; });
  flip(
      "G2.7.3-b",
      [&] {  // the shipper stops acknowledging: events wait longer than the stall limit
        std::ofstream(rt_->paths().dir + "/audit-ship.cursor") << "events 1\ncheckpoints 0\n";
        clock_.set_us(clock_.now_us() + 3600LL * 1'000'000);
      },
      "events wait to be shipped", [&] { shipped_to_head(); });
  flip(
      "G2.7.3-c", [&] { c.heartbeat_seconds = 0; }, "heartbeat or the stall alert is off",
      [&] { c.heartbeat_seconds = 60; });
  std::string leaf;
  flip(
      "G2.7.3-d",
      [&] {  // someone with write access to the database changes an event
        auto rx = rt_->store().read();
        ASSERT_TRUE(rx);
        ASSERT_TRUE((*rx)->scan_audit(2, [&](const store::AuditRecord& r) {
          leaf = r.leaf;
          return false;
        }));
        rx->reset();
        sqlite_exec("UPDATE audit_events SET leaf = zeroblob(32) WHERE seq = 2");
      },
      "does not match its newest signed checkpoint",
      [&] {
        sqlite_exec("UPDATE audit_events SET leaf = x'" + crypto::to_hex(leaf) + "' WHERE seq = 2");
      });
  // Assets.
  flip(
      "G1.2",
      [&] {
        auto a = rt_->store().read();
        ASSERT_TRUE(a);
        auto asset = (*a)->find_asset("SRV-01");
        ASSERT_TRUE(asset && *asset);
        store::AssetRecord r = **asset;
        a->reset();
        r.state = "retired";
        ASSERT_TRUE(rt_->assets().update(admin(), r));
      },
      "asset register is empty",
      [&] {
        auto a = rt_->store().read();
        ASSERT_TRUE(a);
        store::AssetRecord r = **(*a)->find_asset("SRV-01");
        a->reset();
        r.state = "in_service";
        ASSERT_TRUE(rt_->assets().update(admin(), r));
      });
  // Time passes: the access review is more than six months old.
  flip(
      "G2.1.1-i", [&] { clock_.set_us(clock_.now_us() + 200 * kDayUs); }, "more than six months",
      [&] {
        auto tx = rt_->store().write();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->insert_access_review({0, clock_.now_us(), "user:auditor", "00", 3, ""}));
        ASSERT_TRUE((*tx)->commit());
      });
  // Backups: the last drill ages past a year; a failed drill.
  flip(
      "G2.7.2-f", [&] { clock_.set_us(clock_.now_us() + 400 * kDayUs); }, "more than a year",
      [&] { ASSERT_TRUE(rt_->backup().record_drill(admin(), "{}", true, "")); });
  flip(
      "G2.7.2-f",
      [&] { EXPECT_FALSE(rt_->backup().record_drill(admin(), "{}", false, "checksum")); },
      "the last restore drill failed",
      [&] { ASSERT_TRUE(rt_->backup().record_drill(admin(), "{}", true, "")); });
  EXPECT_GE(flipped_, 20);
}

}  // namespace
}  // namespace minato::app::compliance
