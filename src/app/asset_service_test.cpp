// The asset register (G1.2, G2.6.1-a, A1.3.1-3): assets with the ledger's fields, work records,
// removable media loaned only on an approved request, inventories imported all or nothing.
#include "app/asset_service.h"

#include <boost/json.hpp>

#include "app/runtime.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

using testing::person;

class AssetServiceTest : public testing::RuntimeFixture {
 protected:
  AssetService& assets() { return rt_->assets(); }
  const access::Actor keeper_ = person("keeper", {"asset_manager"});
  const access::Actor officer_ = person("officer", {"security_officer"});

  store::AssetRecord server() {
    store::AssetRecord a;
    a.tag = "SRV-01";
    a.kind = "server";
    a.name = "TOS application server";
    a.serial = "CZ2345X7";
    a.os = "Debian 12.8";
    a.applications = "minato 0.1.0\nclamav 1.0.7";
    a.patches = "security updates to 2026-12-01";
    a.owner = "IT section, Sato";
    a.used_by = "TOS";
    a.place = "server room, rack 2";
    a.power = "UPS-A, circuit 4";
    a.network = "ops VLAN 20, 10.20.0.11";
    a.state = "in_service";
    return a;
  }
  store::AssetRecord usb(const std::string& tag) {
    store::AssetRecord a;
    a.tag = tag;
    a.kind = "media";
    a.name = "USB stick for EDI from vessels";
    a.serial = "USB-" + tag;
    a.owner = "IT section";
    a.place = "security office safe";
    a.state = "in_service";
    return a;
  }
};

TEST_F(AssetServiceTest, A1_3_1_RegisterHoldsTheLedgersFieldsAndEveryChangeIsAudited) {
  ASSERT_TRUE(assets().add(keeper_, server()));
  auto v = assets().show(officer_, "SRV-01");  // security staff read it
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->asset.serial, "CZ2345X7");
  EXPECT_EQ(v->asset.power, "UPS-A, circuit 4");
  EXPECT_EQ(v->asset.updated_by, "user:keeper");
  // Changed: the audit record holds the fields before and after.
  auto changed = server();
  changed.patches = "security updates to 2026-12-07";
  changed.place = "server room, rack 3";
  ASSERT_TRUE(assets().update(keeper_, changed));
  auto rec = audit().back();
  EXPECT_EQ(rec.action, "asset.update");
  EXPECT_EQ(rec.target, "asset:SRV-01");
  auto change = boost::json::parse(rec.change).as_object();
  EXPECT_EQ(change["changed"].as_object()["patches"].as_object()["before"].as_string(),
            "security updates to 2026-12-01");
  EXPECT_FALSE(change["changed"].as_object().contains("serial"));
  // Bad input is named; a tag twice is refused.
  auto bad = server();
  bad.kind = "laptop";
  EXPECT_EQ(assets().add(keeper_, bad).error().field(), "kind");
  bad = server();
  bad.tag = "SRV 01";
  EXPECT_EQ(assets().add(keeper_, bad).error().field(), "tag");
  EXPECT_EQ(assets().add(keeper_, server()).error().code(), ErrorCode::kAlreadyExists);
  // Only asset managers change it; a clerk may not even read it.
  EXPECT_EQ(assets().add(officer_, usb("USB-01")).error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(assets().list(person("gc", {"gate_clerk"})).error().code(),
            ErrorCode::kPermissionDenied);
  auto all = assets().list(person("aud", {"auditor"}));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(AssetServiceTest, G2_6_1_a_WorkRecordsHoldDateAssetWorkWorkerApproval) {
  ASSERT_TRUE(assets().add(keeper_, server()));
  store::WorkRecord w;
  w.work_date = "2026-12-05";
  w.work = "applied DSA-5800-1 (openssl); rebooted";
  w.worker = "Tanaka (vendor: Nagoya Systems)";
  w.approved_by = "Sato, change 2026-118";
  auto id = assets().record_work(keeper_, "SRV-01", w);
  ASSERT_TRUE(id) << id.error().message();
  auto v = assets().show(keeper_, "SRV-01");
  ASSERT_EQ(v->work.size(), 1u);
  EXPECT_EQ(v->work[0].worker, "Tanaka (vendor: Nagoya Systems)");
  EXPECT_EQ(v->work[0].recorded_by, "user:keeper");
  EXPECT_EQ(audit().back().action, "data.read");  // the show was recorded
  w.work_date = "2026-13-01";
  EXPECT_EQ(assets().record_work(keeper_, "SRV-01", w).error().field(), "date");
  w.work_date = "2026-12-06";
  EXPECT_EQ(assets().record_work(keeper_, "SRV-99", w).error().code(), ErrorCode::kNotFound);
}

TEST_F(AssetServiceTest, G1_2_RemovableMediaLeaveOnlyWithApprovalAndComeBack) {
  ASSERT_TRUE(assets().add(keeper_, usb("USB-07")));
  ASSERT_TRUE(assets().add(keeper_, server()));
  // A request names holder, purpose and days; only media in service can be asked for.
  EXPECT_EQ(rt_->access().request_media_checkout(keeper_, "SRV-01", "Ito", "x", 1).error().code(),
            ErrorCode::kConflict);
  auto req = rt_->access().request_media_checkout(keeper_, "USB-07", "Ito (planning)",
                                                  "BAPLIE from MSC CLAUDIA", 2);
  ASSERT_TRUE(req) << req.error().message();
  // Not before approval; not approved by the one who asked.
  EXPECT_EQ(assets().checkout(keeper_, *req).error().code(), ErrorCode::kConflict);
  EXPECT_FALSE(rt_->access().approve(keeper_, *req, "self"));
  ASSERT_TRUE(rt_->access().approve(officer_, *req, "ok for two days"));
  // A security officer cannot hand it out: checkout needs asset.manage.
  EXPECT_EQ(assets().checkout(officer_, *req).error().code(), ErrorCode::kPermissionDenied);
  // The approval is not an access change to execute.
  EXPECT_EQ(rt_->access().execute(person("ua", {"user_admin"}), *req).error().code(),
            ErrorCode::kConflict);
  auto loan = assets().checkout(keeper_, *req);
  ASSERT_TRUE(loan) << loan.error().message();
  EXPECT_EQ(audit().back().reason, "requested by user:keeper, approved by user:officer");
  // Used once; while it is out the medium cannot be retired or lent again.
  EXPECT_EQ(assets().checkout(keeper_, *req).error().code(), ErrorCode::kConflict);
  auto retired = usb("USB-07");
  retired.state = "retired";
  EXPECT_EQ(assets().update(keeper_, retired).error().field(), "state");
  auto out = assets().loans_out(officer_);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->front().holder, "Ito (planning)");
  EXPECT_EQ(out->front().due_us - out->front().out_us, int64_t{2} * 86'400'000'000);
  // Back, with a note; then it may be retired.
  clock_.advance_s(3 * 86400);
  ASSERT_TRUE(assets().return_media(keeper_, "USB-07", "scanned clean on return"));
  auto change = boost::json::parse(audit().back().change).as_object();
  EXPECT_TRUE(change["overdue"].as_bool());
  EXPECT_EQ(assets().return_media(keeper_, "USB-07", "").error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(assets().loans_out(officer_)->empty());
  EXPECT_TRUE(assets().update(keeper_, retired));
  auto v = assets().show(keeper_, "USB-07");
  ASSERT_EQ(v->loans.size(), 1u);
  EXPECT_EQ(v->loans[0].return_note, "scanned clean on return");
}

TEST(AssetCsvTest, A1_3_1_InventoryCsvParsesQuotedFieldsAndNamesTheBadLine) {
  auto rows = parse_asset_csv(
      "\xEF\xBB\xBFtag,kind,name,applications,state\r\n"
      "PC-01,terminal,\"Gate PC, lane 1\",\"minato console\nchromium 120\",\r\n"
      "\r\n"
      "MFP-02,mfp,\"Printer \"\"east\"\"\",,maintenance\n",
      100);
  ASSERT_TRUE(rows) << rows.error().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].name, "Gate PC, lane 1");
  EXPECT_EQ((*rows)[0].applications, "minato console\nchromium 120");
  EXPECT_EQ((*rows)[0].state, "in_service");
  EXPECT_EQ((*rows)[1].name, "Printer \"east\"");
  EXPECT_EQ((*rows)[1].state, "maintenance");
  auto msg = [](std::string_view text) {
    auto r = parse_asset_csv(text, 100);
    return r ? std::string("parsed") : r.error().message();
  };
  EXPECT_EQ(msg("tag,kind\nA,server\n"), "line 1: the header has no column name");
  EXPECT_NE(msg("tag,kind,name,colour\n").find("unknown column \"colour\""), std::string::npos);
  EXPECT_EQ(msg("tag,kind,name\nA,server,x\nB,server\n"), "line 3: 2 fields; the header has 3");
  EXPECT_EQ(msg("tag,kind,name\nA,server,\"x\ny\nB,server,z\n"),
            "line 2: a quoted field is never closed");
  EXPECT_EQ(msg("tag,kind,name\nA,server,x\nA,mfp,y\n"), "line 3: tag A appears twice");
  EXPECT_EQ(msg("tag,kind,name\n"), "the file lists no asset");
  EXPECT_EQ(msg("tag,kind,name\nA,server,\"x\"y\n"), "line 2: text after a closing quote");
  std::string many = "tag,kind,name\n";
  for (int i = 0; i < 5; ++i) many += "T" + std::to_string(i) + ",server,x\n";
  EXPECT_FALSE(parse_asset_csv(many, 4));
}

}  // namespace
}  // namespace minato::app
