// The continuity snapshot (G2.4-b, G3.1-c) against the store it was taken from, and the backup
// schedules and their alerts (G2.7.2-b) on an injected clock.
#include "app/continuity.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/restore.h"
#include "common/files.h"
#include "crypto/random.h"
#include "sim/scenario.h"
#include "testing/runtime_fixture.h"
#include "testing/small_terminal.h"

namespace minato::app {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A small RFC 4180 reader (quoted fields, doubled quotes, CRLF).
std::vector<std::vector<std::string>> read_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r') {
    } else if (c == '\n') {
      rows.back().push_back(std::move(cell));
      cell.clear();
      rows.emplace_back();
    } else {
      cell += c;
    }
  }
  rows.pop_back();  // after the last CRLF
  return rows;
}

class ContinuityTest : public testing::RuntimeFixture {
 protected:
  void load_small_terminal() {
    auto rep = sim::load_scenario(*rt_, testing::small_terminal(clock_.now_us()), 2, {});
    ASSERT_TRUE(rep) << rep.error().message();
    ASSERT_GT(rep->units_in_yard, 50);
    ASSERT_GT(rep->appointments, 0);
  }
};

TEST_F(ContinuityTest, SnapshotHoldsTheYardHoldsListsAndAppointments_G2_4_b_G3_1_c) {
  load_small_terminal();
  // A hold with a comma and a quote in its reason (CSV quoting).
  std::string held;
  {
    auto rx = rt_->store().read();
    store::UnitQuery q;
    q.state = "in_yard";
    q.limit = 1;
    auto units = (*rx)->list_units(q);
    ASSERT_TRUE(units && !units->empty());
    held = units->front().spec().container_id.str();
  }
  auto h = rt_->terminal().place_hold(access::Actor::local_operator(),
                                      *terminal::ContainerId::parse(held),
                                      terminal::HoldKind::kCustoms, "inspect, \"seal\" broken");
  ASSERT_TRUE(h) << h.error().message();

  auto snap = rt_->continuity().write(access::Actor::local_operator());
  ASSERT_TRUE(snap) << snap.error().message();

  // yard.csv: every unit in the yard, exactly where the store has it.
  auto yard = read_csv(slurp(snap->dir + "/yard.csv"));
  ASSERT_FALSE(yard.empty());
  EXPECT_EQ(yard[0][0], "position");
  EXPECT_EQ(yard[0][5], "container_id");
  auto rx = rt_->store().read();
  ASSERT_TRUE(rx);
  auto in_yard = (*rx)->count_units_in_yard();
  ASSERT_TRUE(in_yard);
  EXPECT_EQ(static_cast<int64_t>(yard.size()) - 1, *in_yard);
  EXPECT_EQ(snap->units_in_yard, *in_yard);
  for (size_t i = 1; i < yard.size(); ++i) {
    auto u = (*rx)->find_current_unit(*terminal::ContainerId::parse(yard[i][5]));
    ASSERT_TRUE(u && *u) << yard[i][5];
    ASSERT_TRUE((*u)->slot());
    EXPECT_EQ((*u)->slot()->str(), yard[i][0]);
    EXPECT_EQ(std::to_string((*u)->spec().gross_kg), yard[i][10]);
  }
  // holds.csv: the hold, its reason intact through the quoting.
  auto holds = read_csv(slurp(snap->dir + "/holds.csv"));
  bool found = false;
  for (const auto& row : holds) {
    if (row[0] == held) {
      found = true;
      EXPECT_EQ(row[3], "customs");
      EXPECT_EQ(row[4], "inspect, \"seal\" broken");
    }
  }
  EXPECT_TRUE(found);
  // Vessel lists: each visit's discharge and load lists, with the counts in vessels.csv.
  auto vessels = read_csv(slurp(snap->dir + "/vessels.csv"));
  auto lists = read_csv(slurp(snap->dir + "/vessel-lists.csv"));
  ASSERT_GE(vessels.size(), 2u);
  std::map<std::string, int> per_visit;
  for (size_t i = 1; i < lists.size(); ++i) per_visit[lists[i][0] + "/" + lists[i][1]]++;
  for (size_t i = 1; i < vessels.size(); ++i) {
    EXPECT_EQ(std::to_string(per_visit[vessels[i][0] + "/discharge"]), vessels[i][7]);
    EXPECT_EQ(std::to_string(per_visit[vessels[i][0] + "/load"]), vessels[i][8]);
  }
  EXPECT_GT(lists.size(), 40u);
  // Appointments: as many as the store has in the window.
  auto appts = read_csv(slurp(snap->dir + "/appointments.csv"));
  auto stored = (*rx)->list_appointments(snap->at_us - 3'600'000'000LL,
                                         snap->at_us + 172'800'000'000LL, 100'000);
  ASSERT_TRUE(stored);
  EXPECT_EQ(appts.size() - 1, stored->size());
  EXPECT_GT(stored->size(), 0u);
  // The printable page carries every table and no script.
  std::string html = slurp(snap->dir + "/index.html");
  EXPECT_NE(html.find(held), std::string::npos);
  EXPECT_NE(html.find("inspect, &quot;seal&quot; broken"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(slurp(fs::path(snap->dir).parent_path().string() + "/LATEST"),
            fs::path(snap->dir).filename().string() + "\n");

  // Signed: verifies with the installation's key; a changed file or another key does not.
  const std::string key = crypto::to_hex(rt_->signing_key().public_key());
  auto installed = continuity_public_key(rt_->paths().dir);
  ASSERT_TRUE(installed) << installed.error().message();
  EXPECT_EQ(*installed, key);  // what `minato continuity key` prints
  auto good = verify_continuity(snap->dir, key);
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->files, 6);
  EXPECT_FALSE(good->key_beside);
  auto other = crypto::to_hex(crypto::SigningKey::generate().public_key());
  auto foreign = verify_continuity(snap->dir, other);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(foreign.error().message().find("signed by another installation"), std::string::npos)
      << foreign.error().message();
  auto malformed = verify_continuity(snap->dir, "abcd");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code(), ErrorCode::kInvalidArgument);
  auto missing = verify_continuity(snap->dir + "-none", key);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);  // exit 66, not 65
  {
    std::ofstream f(snap->dir + "/yard.csv", std::ios::app);
    f << "A1-01-01-1,forged\r\n";
  }
  auto bad = verify_continuity(snap->dir, key);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("yard.csv was changed"), std::string::npos);
}

TEST_F(ContinuityTest, JobsWriteASnapshotEveryPeriodAndKeepTheNewest) {
  rt_->mutable_config().continuity_keep = 3;
  for (int i = 0; i < 10; ++i) {
    rt_->continuity().run_due(clock_.now_us());
    clock_.advance_s(5 * 60);  // the default period is 15 minutes
  }
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(rt_->paths().dir + "/continuity")) {
    if (e.is_directory()) dirs.push_back(e.path().filename().string());
  }
  EXPECT_EQ(dirs.size(), 3u);  // 4 written (0, 15, 30, 45 min), the newest 3 kept
  int written = 0;
  for (const auto& e : audit()) written += e.action == "continuity.snapshot";
  EXPECT_EQ(written, 4);
}

TEST_F(ContinuityTest, BackupsRunOnTheirSchedulesAndAlertWhenNotSetUp_G2_7_2_b) {
  // Not set up: nothing happens until the first schedule (60 min) and a half has passed, then
  // one alert per target, once.
  rt_->backup().run_due(clock_.now_us());
  clock_.advance_s(80 * 60);
  rt_->backup().run_due(clock_.now_us());
  auto count = [&](const std::string& action) {
    int n = 0;
    for (const auto& e : audit()) n += e.action == action && e.result == "success";
    return n;
  };
  EXPECT_EQ(count("alert.backup.not_configured"), 0);
  clock_.advance_s(11 * 60);  // 91 minutes: database and logs (every 60) are overdue
  rt_->backup().run_due(clock_.now_us());
  rt_->backup().run_due(clock_.now_us());
  EXPECT_EQ(count("alert.backup.not_configured"), 2);

  // Set up: every target at once, then each on its own schedule.
  ASSERT_TRUE(BackupService::init_keys(rt_->paths().keys(), "tq8 Harbour wL3 reefer 9xk gantry pz",
                                       "Mv2 lashing Qe7 twistlock 4rn spreader", {1, 1u << 20}));
  rt_->backup().run_due(clock_.now_us());
  EXPECT_EQ(count("backup.create"), 4);
  clock_.advance_s(30 * 60);
  rt_->backup().run_due(clock_.now_us());
  EXPECT_EQ(count("backup.create"), 4);
  clock_.advance_s(31 * 60);  // 61 min: database and logs again, config and release not
  rt_->backup().run_due(clock_.now_us());
  EXPECT_EQ(count("backup.create"), 6);
  auto status = rt_->backup().status(clock_.now_us());
  std::map<std::string, int> sets;
  for (const auto& s : status) {
    sets[s.target] = s.sets;
    EXPECT_FALSE(s.overdue) << s.target;
  }
  EXPECT_EQ(sets["database"], 2);
  EXPECT_EQ(sets["config"], 1);
  // A day without backups (say the jobs stopped): overdue.
  clock_.advance_s(2 * 3600);
  for (const auto& s : rt_->backup().status(clock_.now_us())) {
    EXPECT_EQ(s.overdue, s.target == "database" || s.target == "logs") << s.target;
  }
  // Backups start failing (the outbox is unusable): one failure alert per target, then,
  // once a target's newest set is 1.5 schedules old, one overdue alert.
  rt_->mutable_config().backup_dir = "minato.toml/backups";
  for (int i = 0; i < 4; ++i) {
    clock_.advance_s(10 * 60);
    rt_->backup().run_due(clock_.now_us());
  }
  EXPECT_EQ(count("alert.backup.failed"), 4);   // all four targets were due by now
  EXPECT_EQ(count("alert.backup.overdue"), 2);  // database and logs: 3 h 1 min old
  EXPECT_EQ(count("backup.create"), 6);         // no new set; the failures are audited as such
  int failures = 0;
  for (const auto& e : audit()) failures += e.action == "backup.create" && e.result == "failure";
  EXPECT_GE(failures, 4);
}

}  // namespace
}  // namespace minato::app
