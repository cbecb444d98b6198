#include "sim/scenario.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>

namespace minato::sim {

namespace t = minato::terminal;

namespace {

constexpr int64_t kHour = 3600LL * 1'000'000;

struct VisitPlan {
  const char* id;
  const char* vessel;
  const char* imo6;
  const char* berth;
  int eta_h, etd_h;
  const char* lines[3];
  double exports_in_yard;  // share of the load list already in the yard when the day starts
};

// V1 is alongside and working; V2 arrives today; V3 tomorrow.
constexpr VisitPlan kVisits[3] = {
    {"ONE-2647E", "ONE HARBOUR", "932148", "T1", -12, 14, {"ONE", "HLC", "YML"}, 1.0},
    {"MSK-2648W", "MAERSK SETO", "948231", "T2", 8, 34, {"MSK", "MSC", "ONE"}, 0.7},
    {"COS-2649N", "COSCO NAGOYA", "951120", "T3", 30, 56, {"COS", "EMC", "CMA"}, 0.4},
};
constexpr const char* kHauliers[6] = {"NITTSU", "SAGAWA",   "SEINO",
                                      "YAMATO", "MEITETSU", "KAMIGUMI"};
// Trucks per hour of the day, relative (the gate is busiest in working hours).
constexpr double kHourProfile[24] = {0.4, 0.3, 0.3, 0.3, 0.4, 0.8, 2, 4, 6, 7,   7, 6,
                                     5,   6,   7,   7,   6,   5,   4, 3, 2, 1.5, 1, 0.6};

std::string imo(const char* base6) {
  int sum = 0;
  for (int i = 0; i < 6; ++i) sum += (base6[i] - '0') * (7 - i);
  return std::string(base6) + static_cast<char>('0' + sum % 10);
}

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  int below(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }

  // A full unit's description: size, weight, reefer and dangerous goods by typical shares.
  t::UnitSpec full(t::ContainerId cid, t::UnitCategory cat, const std::string& line,
                   bool allow_dg) {
    int pick = below(100);
    const char* st = pick < 5 ? "45R1" : pick < 40 ? "22G1" : pick < 80 ? "45G1" : "42G1";
    auto size = *t::SizeType::parse(st);
    int gross = size.teu() == 1 ? between(8'000, 26'000) : between(10'000, 30'000);
    t::UnitSpec s(std::move(cid), size, cat, t::FreightKind::kFull, line, gross);
    if (size.is_reefer()) s.reefer = t::ReeferSettings{chance(0.6) ? -180 : 50, true};
    if (allow_dg && !size.is_reefer() && chance(0.02)) {
      bool paint = chance(0.5);
      s.dangerous_goods.push_back(
          {paint ? "1263" : "3082", *t::ImdgClass::parse(paint ? "3" : "9")});
    }
    s.seals.push_back(line + "-" + std::to_string(between(100000, 999999)));
    return s;
  }
  t::UnitSpec empty(t::ContainerId cid, const std::string& line) {
    auto size = *t::SizeType::parse(chance(0.45) ? "22G1" : "45G1");
    return t::UnitSpec(std::move(cid), size, t::UnitCategory::kStorage, t::FreightKind::kEmpty,
                       line, size.teu() == 1 ? 2'200 : 3'800);
  }
  std::string plate() {
    char buf[16];
    std::snprintf(buf, sizeof buf, "NGY-%04d", below(10000));
    return buf;
  }
  std::string pin() { return std::to_string(between(10'000'000, 99'999'999)); }
  int64_t time_of_day() {
    static const double total = [] {
      double s = 0;
      for (double w : kHourProfile) s += w;
      return s;
    }();
    double r = std::uniform_real_distribution<double>(0, total)(rng_);
    int h = 0;
    while (h < 23 && r >= kHourProfile[h]) r -= kHourProfile[h++];
    return h * kHour + static_cast<int64_t>(below(3600)) * 1'000'000;
  }

 private:
  std::mt19937 rng_;
};

// Runs fn(0..n-1) on `threads` threads; the first error wins (the others stop early).
Status parallel_for(size_t n, int threads, const std::function<Status(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<Error> first;
  std::vector<std::thread> pool;
  for (int k = 0; k < threads; ++k) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n && !failed; i = next++) {
        auto st = fn(i);
        if (!st) {
          std::lock_guard lock(mu);
          if (!first) first = st.error();
          failed = true;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  if (first) return fail(*first);
  return ok();
}

}  // namespace

t::ContainerId container(int base, int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%sU%06d", kOwners[n % 8], base + n);
  int cd = t::ContainerId::check_digit(buf);
  return *t::ContainerId::parse(std::string(buf) + static_cast<char>('0' + cd % 10));
}

t::TerminalLayout demo_layout() {
  t::TerminalLayout l;
  for (char r : {'A', 'B', 'C'}) {
    for (int i = 1; i <= 6; ++i) {
      auto b = *t::YardBlock::make(std::string(1, r) + std::to_string(i), 30, 10, 5);
      if (r == 'C' && i == 6) b.reefer.push_back(*t::StackArea::parse("01-59/1-2"));
      l.blocks.push_back(std::move(b));
    }
  }
  auto r1 = *t::YardBlock::make("R1", 30, 10, 5);
  r1.reefer.push_back(*t::StackArea::parse("01-59/1-10"));
  l.blocks.push_back(std::move(r1));
  auto h1 = *t::YardBlock::make("H1", 30, 10, 5);
  h1.hazardous = true;
  l.blocks.push_back(std::move(h1));
  l.berths = {{"T1", 350}, {"T2", 350}, {"T3", 300}};
  for (int i = 1; i <= 4; ++i) l.lanes.push_back({"IN" + std::to_string(i), t::LaneDirection::kIn});
  for (int i = 1; i <= 3; ++i) {
    l.lanes.push_back({"OUT" + std::to_string(i), t::LaneDirection::kOut});
  }
  l.lanes.push_back({"X1", t::LaneDirection::kBoth});
  return l;
}

Scenario make_scenario(const ScenarioOptions& o) {
  Gen g(o.seed);
  Scenario s;
  s.layout = demo_layout();
  s.slot_capacity = o.slot_capacity;
  int64_t capacity = 0;
  for (const auto& b : s.layout.blocks) capacity += b.capacity_teu();

  int yard_n = 0, discharge_n = 0, export_n = 0;
  std::map<std::tuple<std::string, std::string, std::string>, int> booked;  // visit, line, type
  std::vector<t::UnitSpec> day_exports;
  auto add_yard = [&](t::UnitSpec u) {
    s.yard_teu += u.size_type.teu();
    s.yard.push_back(std::move(u));
  };
  for (const auto& v : kVisits) {
    s.visits.push_back({v.id, v.vessel, imo(v.imo6), v.berth, o.start_us + v.eta_h * kHour,
                        o.start_us + v.etd_h * kHour});
    int moves = g.between(o.min_moves, o.max_moves);
    int discharges = moves / 2, loads = moves - discharges;
    for (int j = 0; j < discharges; ++j) {
      auto cid = container(kDischargeBase, discharge_n++);
      std::string line = v.lines[g.below(3)];
      int kind = g.below(100);
      t::UnitSpec u =
          kind < 15 ? g.empty(cid, line)
                    : g.full(cid, kind < 25 ? t::UnitCategory::kTranship : t::UnitCategory::kImport,
                             line, false);
      u.inbound_visit = v.id;
      // The working vessel has discharged 40% of its list already.
      if (&v == &kVisits[0] && j < discharges * 2 / 5) {
        s.discharged.push_back(u.container_id.str());
        s.yard_teu += u.size_type.teu();
      }
      s.advised.push_back(std::move(u));
    }
    for (int j = 0; j < loads; ++j) {
      bool in_yard = j < static_cast<int>(loads * v.exports_in_yard);
      auto cid = in_yard ? container(kYardBase, yard_n++) : container(kExportBase, export_n++);
      std::string line = v.lines[g.below(3)];
      t::UnitSpec u = g.full(cid, t::UnitCategory::kExport, line, true);
      u.outbound_visit = v.id;
      u.pod = &v == &kVisits[0] ? "USLAX" : &v == &kVisits[1] ? "NLRTM" : "CNSHA";
      u.vgm = t::Vgm{u.gross_kg, g.chance(0.8) ? t::VgmMethod::kMethod1 : t::VgmMethod::kMethod2,
                     "SHIPPER " + line};
      u.booking = "BK" + std::string(v.id).substr(4, 4) + "-" + line + "-" + u.size_type.iso_code();
      ++booked[{v.id, line, u.size_type.iso_code()}];
      if (in_yard) {
        add_yard(std::move(u));
      } else {
        s.advised.push_back(u);
        day_exports.push_back(std::move(u));
      }
    }
  }
  for (const auto& [key, qty] : booked) {
    const auto& [visit, line, type] = key;
    std::string pod = visit == kVisits[0].id ? "USLAX" : visit == kVisits[1].id ? "NLRTM" : "CNSHA";
    s.bookings.push_back({"BK" + visit.substr(4, 4) + "-" + line + "-" + type, line, visit, pod,
                          type, qty, 0, "", 1});
  }
  // The rest of the yard: imports of earlier vessels waiting for delivery, and empties.
  std::vector<size_t> imports, empties;
  const char* all_lines[] = {"ONE", "MSK", "COS", "MSC", "EMC", "HLC", "YML", "CMA"};
  while (s.yard_teu < static_cast<int64_t>(o.yard_fill * static_cast<double>(capacity))) {
    auto cid = container(kYardBase, yard_n++);
    std::string line = all_lines[g.below(8)];
    if (g.chance(0.25)) {
      empties.push_back(s.yard.size());
      add_yard(g.empty(cid, line));
    } else {
      imports.push_back(s.yard.size());
      auto u = g.full(cid, t::UnitCategory::kImport, line, false);
      u.delivery_order = "DO-" + std::to_string(kYardBase + yard_n);
      add_yard(std::move(u));
    }
  }

  // The day at the gate: 40% export receipts, 40% import deliveries (released by their lines
  // with a PIN), 10% empties returned, 10% empties picked up.
  const int exports_today =
      std::min<int>(o.gate_moves * 2 / 5, static_cast<int>(day_exports.size()));
  for (int i = 0; i < exports_today; ++i) {
    s.gate_day.push_back({o.start_us + g.time_of_day(), t::GateDirection::kIn,
                          day_exports[i].container_id.str(), g.plate(), kHauliers[g.below(6)], "",
                          std::nullopt});
  }
  const int deliveries = std::min<int>(o.gate_moves * 2 / 5, static_cast<int>(imports.size()));
  for (int i = 0; i < deliveries; ++i) {
    const auto& u = s.yard[imports[i]];
    std::string pin = g.pin();
    s.pins.emplace_back(u.container_id.str(), pin);
    s.gate_day.push_back({o.start_us + g.time_of_day(), t::GateDirection::kOut,
                          u.container_id.str(), g.plate(), kHauliers[g.below(6)], pin,
                          std::nullopt});
  }
  for (int i = 0; i < o.gate_moves / 10; ++i) {
    auto u = g.empty(container(kEmptyInBase, i), all_lines[g.below(8)]);
    s.gate_day.push_back({o.start_us + g.time_of_day(), t::GateDirection::kIn, u.container_id.str(),
                          g.plate(), kHauliers[g.below(6)], "", u});
  }
  for (int i = 0; i < std::min<int>(o.gate_moves / 10, static_cast<int>(empties.size())); ++i) {
    s.gate_day.push_back({o.start_us + g.time_of_day(), t::GateDirection::kOut,
                          s.yard[empties[i]].container_id.str(), g.plate(), kHauliers[g.below(6)],
                          "", std::nullopt});
  }
  std::stable_sort(s.gate_day.begin(), s.gate_day.end(),
                   [](const GateMove& a, const GateMove& b) { return a.at_us < b.at_us; });
  return s;
}

Result<LoadReport> load_scenario(app::Runtime& rt, const Scenario& s, int threads,
                                 const std::function<void(const std::string&)>& progress) {
  auto started = std::chrono::steady_clock::now();
  auto say = [&](const std::string& what) {
    if (progress) progress(what);
  };
  const auto actor = access::Actor::local_operator();
  auto& term = rt.terminal();
  LoadReport rep;

  say("layout: " + std::to_string(s.layout.blocks.size()) + " yard blocks");
  MINATO_TRY(term.apply_layout(actor, s.layout));
  say("vessel visits and bookings");
  for (size_t i = 0; i < s.visits.size(); ++i) {
    auto v = term.create_visit(actor, s.visits[i]);
    if (!v) return fail(v.error());
  }
  auto arrived = term.advance_visit(actor, s.visits[0].id, t::VisitPhase::kArrived);
  if (!arrived) return fail(arrived.error());
  for (const auto& b : s.bookings) MINATO_TRY(term.create_booking(actor, b));

  say("yard: " + std::to_string(s.yard.size()) + " units through the gate");
  std::atomic<int64_t> placed{0}, skipped{0};
  MINATO_TRY(parallel_for(s.yard.size(), threads, [&](size_t i) -> Status {
    const auto& u = s.yard[i];
    char plate[16];
    std::snprintf(plate, sizeof plate, "PRE-%04zu", i % 10000);
    auto r = term.gate_in(actor, {u.container_id, plate, std::nullopt, u});
    if (r) {
      ++placed;
      return ok();
    }
    // A yard as full as a real one: a unit the rules cannot place anywhere is left out.
    if (r.error().code() == ErrorCode::kResourceExhausted) {
      ++skipped;
      return ok();
    }
    return fail(r.error());
  }));

  say("vessel lists and expected exports: " + std::to_string(s.advised.size()) + " units");
  std::vector<std::future<Status>> inflight;
  for (const auto& u : s.advised) {
    inflight.push_back(term.submit_create_unit(actor, u));
    if (inflight.size() >= 2000) {
      for (auto& f : inflight) MINATO_TRY(f.get());
      inflight.clear();
    }
  }
  for (auto& f : inflight) MINATO_TRY(f.get());

  say("discharges of " + s.visits[0].id + ": " + std::to_string(s.discharged.size()));
  MINATO_TRY(parallel_for(s.discharged.size(), threads, [&](size_t i) -> Status {
    auto r = term.discharge(actor, s.visits[0].id, *t::ContainerId::parse(s.discharged[i]),
                            std::nullopt);
    if (r) return ok();
    if (r.error().code() == ErrorCode::kResourceExhausted) {
      ++skipped;
      return ok();
    }
    return fail(r.error());
  }));

  say("releases by the lines: " + std::to_string(s.pins.size()) + " PINs");
  MINATO_TRY(parallel_for(s.pins.size(), threads, [&](size_t i) -> Status {
    auto r = term.set_release_pin(actor, *t::ContainerId::parse(s.pins[i].first), s.pins[i].second);
    // A unit left out of the full yard has nothing to release.
    if (!r && r.error().code() != ErrorCode::kNotFound) return fail(r.error());
    return ok();
  }));

  if (!s.gate_day.empty()) {
    int64_t day = s.gate_day.front().at_us / kHour * kHour;
    say("gate: appointment slots and " + std::to_string(s.gate_day.size()) + " appointments");
    auto slots = rt.gate().define_slots(actor, {day, day + 25 * kHour, 60, s.slot_capacity});
    if (!slots) return fail(slots.error());
    std::atomic<int64_t> booked{0};
    MINATO_TRY(parallel_for(s.gate_day.size(), threads, [&](size_t i) -> Status {
      const auto& m = s.gate_day[i];
      auto a =
          rt.gate().book(actor, {m.at_us / kHour * kHour, m.direction,
                                 *t::ContainerId::parse(m.container_id), m.truck_plate, m.haulier});
      if (a) {
        ++booked;
        return ok();
      }
      // A full slot or a unit left out of the yard: that truck comes without an appointment.
      if (a.error().code() == ErrorCode::kConflict || a.error().code() == ErrorCode::kNotFound) {
        return ok();
      }
      return fail(a.error());
    }));
    rep.appointments = booked;
  }
  rep.units_in_yard = placed;
  rep.units_advised = static_cast<int64_t>(s.advised.size());
  rep.discharged = static_cast<int64_t>(s.discharged.size());
  rep.pins = static_cast<int64_t>(s.pins.size());
  rep.skipped = skipped;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return rep;
}

}  // namespace minato::sim
