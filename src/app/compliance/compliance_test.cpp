// The compliance register: every catalogue item has exactly one check; the status combines the
// check with the evidence as ComplianceService says; a report verifies, and a changed byte,
// a changed statement or a checkpoint from elsewhere is refused with the reason.
#include <gtest/gtest.h>

#include <set>

#include "app/compliance/catalogue.h"
#include "app/compliance/check.h"
#include "app/compliance/compliance_service.h"
#include "app/compliance/report_service.h"
#include "secops/file_type.h"
#include "testing/runtime_fixture.h"

namespace minato::app::compliance {
namespace {

using testing::RuntimeFixture;

TEST(ComplianceCatalogue, EveryItemHasExactlyOneCheckAndEveryCheckAnItem) {
  std::set<std::string> items, checks;
  for (const auto& i : catalogue()) EXPECT_TRUE(items.insert(std::string(i.id)).second) << i.id;
  EXPECT_EQ(items.size(), 80u);
  for (const auto& c : all_checks()) {
    EXPECT_TRUE(checks.insert(std::string(c.id)).second) << "two checks for " << c.id;
    EXPECT_TRUE(items.count(std::string(c.id))) << c.id << " is not a catalogue item";
  }
  EXPECT_EQ(checks, items);
  for (const auto& i : catalogue()) {
    EXPECT_FALSE(section_title(i.section, true).empty()) << i.id;
    EXPECT_FALSE(section_title(i.section, false).empty()) << i.id;
    EXPECT_FALSE(i.summary_ja.empty()) << i.id;
    EXPECT_FALSE(i.summary_en.empty()) << i.id;
  }
}

TEST(ComplianceEvidenceFiles, PdfWithActiveContentIsRefusedEvenWhenItsNameIsEscaped) {
  EXPECT_EQ(*secops::classify_evidence("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"),
            secops::FileType::kPdf);
  std::string kind;
  EXPECT_FALSE(secops::classify_evidence("%PDF-1.7\n<< /OpenAction 2 0 R >>", &kind));
  EXPECT_EQ(kind, "active-pdf");
  auto js = secops::classify_evidence("%PDF-1.4\n<< /S /J#61vaScript /JS (app.alert(1)) >>");
  ASSERT_FALSE(js);
  EXPECT_NE(js.error().message().find("/JavaScript"), std::string::npos) << js.error().message();
  EXPECT_FALSE(secops::classify_evidence(std::string("MZ\x90\0\x03\0\0\0", 8)));
  EXPECT_EQ(*secops::classify_evidence("\x89PNG\r\n\x1a\n...."), secops::FileType::kPng);
  EXPECT_EQ(*secops::classify_evidence("Fire drill held 2026-11-02, 14 staff."),
            secops::FileType::kText);
  EXPECT_FALSE(secops::classify_evidence("PK\x03\x04 an office document"));
}

class ComplianceServiceTest : public RuntimeFixture {
 protected:
  Assessment run() {
    auto a = rt_->compliance().run(access::Actor::local_operator());
    EXPECT_TRUE(a) << a.error().message();
    return a ? std::move(*a) : Assessment{};
  }
  const ItemResult& item(const Assessment& a, std::string_view id) {
    for (const auto& i : a.items) {
      if (i.item->id == id) return i;
    }
    ADD_FAILURE() << "no item " << id;
    static ItemResult none;
    return none;
  }
  EvidenceInput evidence(const std::string& item, const std::string& review_by) {
    EvidenceInput in;
    in.item = item;
    in.title = "Server room access log and camera, inspected";
    in.owner = "Facilities, K. Sato";
    in.dated = "2026-01-15";
    in.review_by = review_by;
    return in;
  }
};

TEST_F(ComplianceServiceTest, TotalsAreTheItemsStatusesAndEveryItemIsAssessed) {
  auto a = run();
  ASSERT_EQ(a.items.size(), 80u);
  std::map<ItemStatus, int> counted;
  for (const auto& i : a.items) ++counted[i.status];
  EXPECT_EQ(counted, a.totals);
  int sum = 0;
  for (const auto& [s, n] : a.totals) sum += n;
  EXPECT_EQ(sum, 80);
}

TEST_F(ComplianceServiceTest, G2_1_1_b_AnAccountWithoutSecondFactorFailsTheItem) {
  add_user("clerk", {"gate_clerk"});
  EXPECT_EQ(item(run(), "G2.1.1-b").status, ItemStatus::kPass);
  {
    auto tx = rt_->store().write();
    ASSERT_TRUE(tx);
    auto u = (*tx)->find_user("clerk");
    ASSERT_TRUE(u && *u);
    ASSERT_TRUE((*tx)->set_totp_sealed((*u)->id, ""));
    ASSERT_TRUE((*tx)->commit());
  }
  auto a = run();
  const auto& b = item(a, "G2.1.1-b");
  EXPECT_EQ(b.status, ItemStatus::kFail);
  EXPECT_NE(b.reason.en.find("clerk"), std::string::npos) << b.reason.en;
  bool changed = false;
  for (const auto& c : a.changes) changed |= c.item == "G2.1.1-b" && c.from == "pass";
  EXPECT_TRUE(changed);
}

TEST_F(ComplianceServiceTest, G1_1_EvidencePastItsReviewDateIsNotAPass) {
  auto before = item(run(), "G1.1");
  EXPECT_EQ(before.status, ItemStatus::kEvidenceNeeded);
  auto admin = access::Actor::local_operator();
  ASSERT_TRUE(rt_->compliance().add_evidence(admin, evidence("G1.1", "2099-12-31")));
  EXPECT_EQ(item(run(), "G1.1").status, ItemStatus::kPass);
  clock_.set_us(clock_.now_us() + 200LL * 365 * 86400 * 1'000'000);  // past 2099
  auto stale = item(run(), "G1.1");
  EXPECT_EQ(stale.status, ItemStatus::kEvidenceNeeded);
  EXPECT_NE(stale.reason.en.find("past its review date"), std::string::npos) << stale.reason.en;
}

TEST_F(ComplianceServiceTest, EvidenceIsRefusedWhenBadAndAProductItemCannotBeDeclaredAway) {
  auto admin = access::Actor::local_operator();
  auto na = evidence("G2.1.1-b", "2099-12-31");
  na.kind = "not_applicable";
  EXPECT_EQ(rt_->compliance().add_evidence(admin, na).error().field(), "kind");
  EXPECT_EQ(rt_->compliance().add_evidence(admin, evidence("Z9.9", "2099-12-31")).error().field(),
            "item");
  EXPECT_EQ(rt_->compliance().add_evidence(admin, evidence("G1.1", "2020-01-01")).error().field(),
            "review_by");
  auto viewer = testing::person("v", {"viewer"});
  EXPECT_EQ(rt_->compliance().add_evidence(viewer, evidence("G1.1", "2099-12-31")).error().code(),
            ErrorCode::kPermissionDenied);
  auto list = rt_->compliance().evidence(admin, true);
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

TEST_F(ComplianceServiceTest, AReportVerifiesAndAnyChangeOrForeignLogIsRefused) {
  auto made = ReportService(*rt_).make(access::Actor::local_operator(), "en", ReportFormat::kJson);
  ASSERT_TRUE(made) << made.error().message();
  auto trusted = rt_->trusted_audit_keys();
  ASSERT_TRUE(trusted);
  auto ok = verify_report(made->bytes, made->signature, *trusted);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_TRUE(ok->pinned);
  EXPECT_TRUE(ReportService(*rt_).check_bound(ok->meta));
  EXPECT_LE(ok->meta.event_seq, ok->meta.checkpoint.size);

  std::string edited = made->bytes;
  edited[edited.find("\"fail\"")] = ' ';
  auto e1 = verify_report(edited, made->signature, *trusted);
  ASSERT_FALSE(e1);
  EXPECT_NE(e1.error().message().find("differs from what was signed"), std::string::npos);

  // Back-dating: a statement with another time no longer matches its signature.
  std::string sig = made->signature;
  const size_t at = sig.find("\"generated_us\":") + 15;
  sig[at] = sig[at] == '1' ? '2' : '1';
  auto e2 = verify_report(made->bytes, sig, *trusted);
  ASSERT_FALSE(e2);
  EXPECT_NE(e2.error().message().find("signature of the statement"), std::string::npos);

  // Signed by a key this installation does not trust.
  audit::TrustedKeys other;
  auto k = crypto::SigningKey::generate();
  other[audit::key_id_of(k.public_key())] = k.public_key();
  auto e3 = verify_report(made->bytes, made->signature, other);
  ASSERT_FALSE(e3);
  EXPECT_NE(e3.error().message().find("not trusted"), std::string::npos);
}

TEST_F(ComplianceServiceTest, TheReportRendersInEveryFormatAndBothLanguages) {
  for (auto f : {ReportFormat::kHtml, ReportFormat::kOscal, ReportFormat::kPdf}) {
    for (std::string lang : {"ja", "en"}) {
      auto made = ReportService(*rt_).make(access::Actor::local_operator(), lang, f);
      ASSERT_TRUE(made) << made.error().message();
      if (f == ReportFormat::kPdf) {
        EXPECT_EQ(made->bytes.rfind("%PDF-", 0), 0u);
      } else if (f == ReportFormat::kHtml) {
        EXPECT_NE(made->bytes.find(lang == "ja" ? "コンプライアンス報告書" : "Compliance report"),
                  std::string::npos);
        EXPECT_NE(made->bytes.find("id=\"G2.7.2-f\""), std::string::npos);
      } else {
        EXPECT_NE(made->bytes.find("\"assessment-results\""), std::string::npos);
        EXPECT_NE(made->bytes.find("\"target-id\":\"A1.3.1–3\""), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace minato::app::compliance
