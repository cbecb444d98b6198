// Roll-forward (G2.7.2-f): a snapshot plus the audit log written after it gives the live
// database back, table by table; a changed, missing or foreign event is refused; a change that
// set a secret stops it, and a point in time bounds it.
#include "app/roll_forward.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "audit/event.h"
#include "sim/scenario.h"
#include "store/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/runtime_fixture.h"
#include "testing/small_terminal.h"

namespace minato::app {
namespace {

namespace t = minato::terminal;

// Every row of `table`, in rowid order, with each value's type and bytes.
std::vector<std::string> rows_of(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::vector<std::string> out;
  std::string sql = "SELECT * FROM " + table + " ORDER BY rowid";
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      row += "|" + std::to_string(sqlite3_column_type(st, i)) + ":";
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(st, i));
      if (p != nullptr) row.append(p, static_cast<size_t>(sqlite3_column_bytes(st, i)));
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// The tables roll-forward rebuilds, and the audit log itself.
const char* const kTables[] = {
    "users",        "yard_blocks",         "vessel_visits",    "units",
    "moves",        "gate_transactions",   "bookings",         "gate_slots",
    "appointments", "truck_visits",        "berths",           "gate_lanes",
    "approvals",    "maintenance_windows", "access_reviews",   "media_intake",
    "edi_imports",  "audit_events",        "audit_checkpoints"};

class RollForwardTest : public testing::RuntimeFixture {
 protected:
  const access::Actor op_ = access::Actor::local_operator();

  // A consistent copy of the live database now (what a database backup set holds).
  std::string snapshot(const std::string& name) {
    std::string path = dir_.path() + "/" + name;
    auto s = store::snapshot_database(rt_->paths().database(), path,
                                      [](int64_t, std::string_view, int64_t) {});
    EXPECT_TRUE(s) << s.error().message();
    return path;
  }

  // Closes the runtime (its last checkpoint is written at shutdown) and returns the log as JSON
  // lines (what the logs set holds), with its checkpoints, size and root.
  RollForwardOptions close_and_export(const std::string& name) {
    RollForwardOptions o;
    auto trust = rt_->verify_options();
    EXPECT_TRUE(trust);
    o.trust = *trust;
    o.snapshot_schema = rt_->store().schema_version();
    const std::string db = rt_->paths().database();
    rt_.reset();
    auto live = store::SqliteStore::open(db);
    EXPECT_TRUE(live);
    o.events_path = dir_.path() + "/" + name;
    std::ofstream f(o.events_path, std::ios::binary);
    auto rx = (*live)->read();
    EXPECT_TRUE((*rx)->scan_audit(1, [&](const store::AuditRecord& r) {
      f << audit::event_json(r) << "\n";
      events_.push_back(r);
      return true;
    }));
    auto cps = (*rx)->checkpoints();
    EXPECT_TRUE(cps);
    o.trust.external_checkpoints = *cps;
    rx->reset();
    auto v = audit::verify(**live, o.trust);
    EXPECT_TRUE(v && v->intact());
    o.expect_size = v->events;
    o.expect_root = v->root;
    return o;
  }

  std::vector<store::AuditRecord> events_;

  void load_terminal() {
    auto s = testing::small_terminal(clock_.now_us());
    s.pins.clear();  // release PINs are secrets: they stop roll-forward (tested below)
    auto rep = sim::load_scenario(*rt_, s, 3, {});
    ASSERT_TRUE(rep) << rep.error().message();
    ASSERT_GT(rep->units_in_yard, 50);
    ASSERT_GT(rep->appointments, 0);
  }

  t::ContainerId in_yard(int nth) {
    auto rx = rt_->store().read();
    store::UnitQuery q;
    q.state = "in_yard";
    q.limit = nth + 1;
    auto units = (*rx)->list_units(q);
    EXPECT_TRUE(units && static_cast<int>(units->size()) > nth);
    return (*units)[static_cast<size_t>(nth)].spec().container_id;
  }
};

TEST_F(RollForwardTest, SnapshotPlusTheLogIsTheLiveDatabaseTableByTable_G2_7_2_f) {
  const std::string snap = snapshot("snap.db");
  load_terminal();
  // More kinds of change: holds placed and released, a unit out of the gate, blocks created,
  // changed and deleted.
  auto held = in_yard(0);
  ASSERT_TRUE(rt_->terminal().place_hold(op_, held, t::HoldKind::kCustoms, "x-ray, \"seal\""));
  ASSERT_TRUE(rt_->terminal().place_hold(op_, held, t::HoldKind::kLine, "unpaid"));
  ASSERT_TRUE(rt_->terminal().release_hold(op_, held, t::HoldKind::kLine));
  ASSERT_TRUE(rt_->terminal().create_block(op_, *t::YardBlock::make("Z1", 2, 2, 2)));
  ASSERT_TRUE(rt_->terminal().create_block(op_, *t::YardBlock::make("Z2", 2, 2, 2)));
  ASSERT_TRUE(rt_->terminal().update_block(op_, *t::YardBlock::make("Z1", 3, 2, 2)));
  ASSERT_TRUE(rt_->terminal().delete_block(op_, "Z2"));
  const std::string live = rt_->paths().database();
  auto opts = close_and_export("events.jsonl");

  auto copy = store::SqliteStore::open(snap);
  ASSERT_TRUE(copy) << copy.error().message();
  auto rep = roll_forward(**copy, opts);
  ASSERT_TRUE(rep) << rep.error().message();
  copy->reset();
  EXPECT_EQ(rep->stopped_seq, 0) << rep->stopped_action << ": " << rep->stopped_reason;
  EXPECT_EQ(rep->to_seq, opts.expect_size);
  EXPECT_EQ(rep->available, opts.expect_size);
  EXPECT_GT(rep->events, 300);
  EXPECT_GT(rep->row_images, rep->events);
  EXPECT_GT(rep->checkpoints, 0);
  for (const char* table : kTables) {
    auto a = rows_of(live, table);
    auto b = rows_of(snap, table);
    ASSERT_EQ(a.size(), b.size()) << table;
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << table << " row " << i;
  }
}

TEST_F(RollForwardTest, StopsBeforeASecretAndAtAPointInTime_G2_7_2_f) {
  const std::string snap = snapshot("snap.db");
  load_terminal();
  const int64_t point = clock_.now_us();
  clock_.advance_s(60);
  ASSERT_TRUE(rt_->terminal().place_hold(op_, in_yard(0), t::HoldKind::kCustoms, "after"));
  clock_.advance_s(60);
  auto pin = rt_->terminal().set_release_pin(op_, in_yard(1), "471100");
  ASSERT_TRUE(pin) << pin.error().message();
  ASSERT_TRUE(rt_->terminal().place_hold(op_, in_yard(2), t::HoldKind::kCustoms, "later"));
  auto opts = close_and_export("events.jsonl");
  const auto& events = events_;
  std::vector<uint8_t> image(static_cast<size_t>(std::filesystem::file_size(snap)));
  {
    std::ifstream f(snap, std::ios::binary);
    f.read(reinterpret_cast<char*>(image.data()), static_cast<std::streamsize>(image.size()));
  }
  auto fresh_copy = [&](const std::string& name) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(image.data()),
               static_cast<std::streamsize>(image.size()));
    auto s = store::SqliteStore::open(path);
    EXPECT_TRUE(s) << s.error().message();
    return std::move(*s);
  };

  // As far as it goes: up to the PIN, which the log does not hold.
  auto all = roll_forward(*fresh_copy("all.db"), opts);
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(all->stopped_action, "unit.release.pin");
  EXPECT_NE(all->stopped_reason.find("units.pin_hash"), std::string::npos) << all->stopped_reason;
  EXPECT_EQ(all->to_seq, all->stopped_seq - 1);
  EXPECT_EQ(all->available, opts.expect_size);

  // To a point in time: nothing after it.
  auto at = opts;
  at.until_us = point;
  auto bounded = roll_forward(*fresh_copy("at.db"), at);
  ASSERT_TRUE(bounded) << bounded.error().message();
  EXPECT_EQ(bounded->stopped_seq, 0);
  EXPECT_LE(bounded->to_at_us, point);
  EXPECT_LT(bounded->to_seq, all->to_seq);
  for (const auto& e : events) {
    if (e.seq > bounded->to_seq) {
      EXPECT_GT(e.at_us, point) << e.seq;
      break;
    }
  }

  // A snapshot from before row images: it is restored as it is, and the report says why.
  auto old = opts;
  old.snapshot_schema = store::kRowImagesMigration - 1;
  auto none = roll_forward(*fresh_copy("old.db"), old);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->events, 0);
  EXPECT_NE(none->stopped_reason.find("predates row images"), std::string::npos);
}

TEST_F(RollForwardTest, ChangedMissingOrForeignEventsAreRefusedAndNothingIsApplied_G2_7_2_f) {
  const std::string snap = snapshot("snap.db");
  load_terminal();
  auto opts = close_and_export("events.jsonl");
  std::vector<std::string> lines;
  {
    std::ifstream f(opts.events_path);
    for (std::string l; std::getline(f, l);) lines.push_back(l);
  }
  ASSERT_GT(lines.size(), 100u);
  const size_t head = static_cast<size_t>(rows_of(snap, "audit_events").size());
  auto write_variant = [&](const std::string& name,
                           const std::function<void(std::vector<std::string>&)>& edit) {
    auto v = lines;
    edit(v);
    RollForwardOptions o = opts;
    o.events_path = dir_.path() + "/" + name;
    std::ofstream f(o.events_path, std::ios::binary);
    for (const auto& l : v) f << l << "\n";
    return o;
  };
  const size_t victim = head + 40;  // an event after the snapshot
  struct Case {
    const char* name;
    std::function<void(std::vector<std::string>&)> edit;
    const char* words;
  };
  const Case cases[] = {
      {"changed",
       [&](auto& v) {
         auto p = v[victim].find("\"subject\":\"");
         v[victim].insert(p + 11, "x");
       },
       "does not hash to its recorded leaf"},
      {"missing", [&](auto& v) { v.erase(v.begin() + static_cast<std::ptrdiff_t>(victim)); },
       "missing"},
      {"foreign",
       [&](auto& v) {
         // The snapshot's own last event, as another history of the log would have it.
         auto& l = v[head - 1];
         auto p = l.find("\"leaf\":\"");
         l[p + 8] = l[p + 8] == '0' ? '1' : '0';
       },
       "another history"},
  };
  for (const auto& c : cases) {
    auto o = write_variant(std::string(c.name) + ".jsonl", c.edit);
    auto s = store::SqliteStore::open(snap);
    ASSERT_TRUE(s);
    auto r = roll_forward(**s, o);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << c.name;
    EXPECT_NE(r.error().message().find(c.words), std::string::npos)
        << c.name << ": " << r.error().message();
    s->reset();
    // One transaction: the snapshot is as it was.
    EXPECT_EQ(rows_of(snap, "audit_events").size(), head) << c.name;
  }
}

}  // namespace
}  // namespace minato::app
