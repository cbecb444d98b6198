// SqliteReader: the reads of the terminal: visits, units, the yard, the gate, appointments, truck
// visits and the media intake (sqlite_reader.h).
#include "store/sqlite/sqlite_reader.h"

namespace minato::store::sqlite_detail {

Result<t::VesselVisit> SqliteReader::visit_from(Query& q) {
  t::VesselVisitSpec spec{q.text(0), q.text(1), q.text(2), q.text(3), q.i64(4), q.i64(5)};
  auto phase = t::visit_phase_from(q.text(6));
  if (!phase) return fail(corrupt("vessel visit phase"));
  return t::VesselVisit::restore(std::move(spec), *phase);
}

Result<std::optional<t::VesselVisit>> SqliteReader::find_visit(std::string_view id) {
  auto q_ =
      q("SELECT id, vessel_name, imo, berth, eta_us, etd_us, phase FROM vessel_visits"
        " WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto row = q_->step("find vessel visit");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<t::VesselVisit>();
  auto v = visit_from(*q_);
  if (!v) return fail(v.error());
  return std::optional<t::VesselVisit>(std::move(*v));
}

Result<std::vector<t::VesselVisit>> SqliteReader::list_visits() {
  auto q_ =
      q("SELECT id, vessel_name, imo, berth, eta_us, etd_us, phase FROM vessel_visits"
        " ORDER BY eta_us, id");
  if (!q_) return fail(q_.error());
  std::vector<t::VesselVisit> out;
  for (;;) {
    auto row = q_->step("list vessel visits");
    if (!row) return fail(row.error());
    if (!*row) break;
    auto v = visit_from(*q_);
    if (!v) return fail(v.error());
    out.push_back(std::move(*v));
  }
  return out;
}

Result<t::Unit> SqliteReader::unit_from(Query& q) {
  auto cid = t::ContainerId::parse(q.text_view(1));
  auto st = t::SizeType::parse(q.text_view(2));
  auto cat = t::unit_category_from(q.text_view(3));
  auto fk = t::freight_kind_from(q.text_view(4));
  auto state = t::unit_state_from(q.text_view(7));
  if (!cid || !st || !cat || !fk || !state) return fail(corrupt("unit"));
  t::UnitSpec spec(std::move(*cid), std::move(*st), *cat, *fk, q.text(5),
                   static_cast<int>(q.i64(6)));
  MINATO_TRY(decode_unit_details(q.text_view(9), &spec));
  spec.booking = q.text(11);
  spec.inbound_visit = q.text(12);
  spec.outbound_visit = q.text(13);
  t::UnitStatus status;
  status.state = *state;
  if (!q.is_null(8)) {
    auto s = t::YardSlot::parse(q.text_view(8));
    if (!s) return fail(corrupt("unit slot"));
    status.slot = std::move(*s);
  }
  auto holds = decode_holds(q.text_view(10));
  if (!holds) return fail(holds.error());
  status.holds = std::move(*holds);
  status.vessel_slot = q.text(14);
  status.pin_hash = q.text(15);
  status.in_yard_us = q.i64(16);
  status.version = q.i64(17);
  status.pin_failures = static_cast<int>(q.i64(18));
  return t::Unit::restore(q.i64(0), std::move(spec), std::move(status));
}

Result<std::optional<t::Unit>> SqliteReader::one_unit(Query& q_) {
  auto row = q_.step("find unit");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<t::Unit>();
  auto u = unit_from(q_);
  if (!u) return fail(u.error());
  return std::optional<t::Unit>(std::move(*u));
}

Result<std::optional<t::Unit>> SqliteReader::find_current_unit(const t::ContainerId& id) {
  // Active unit first (state <> departed sorts before departed), then the newest.
  auto q_ = q("SELECT " MINATO_UNIT_COLUMNS
              " FROM units WHERE container_id = ?1"
              " ORDER BY (state = 'departed'), id DESC LIMIT 1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id.str());
  return one_unit(*q_);
}

Result<std::optional<t::Unit>> SqliteReader::find_unit(int64_t unit_id) {
  auto q_ = q("SELECT " MINATO_UNIT_COLUMNS " FROM units WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, unit_id);
  return one_unit(*q_);
}

Result<std::vector<t::Unit>> SqliteReader::list_units(const UnitQuery& f) {
  // The filters every path shares; each path starts from the index that narrows most.
#define MINATO_UNIT_FILTERS                                          \
  " AND (?3 = '' OR state = ?3) AND (?4 = '' OR line_operator = ?4)" \
  " AND (?5 = '' OR category = ?5) AND (?6 = 0 OR holds <> '[]')"    \
  " AND (?7 = 0 OR (in_yard_us > 0 AND in_yard_us < ?7)) AND id > ?8 ORDER BY id LIMIT ?9"
  // Every statement names all nine parameters ("?2 = ?2" where a path does not filter on
  // one), so the same bindings fit whichever statement is chosen.
  const char* sql = nullptr;
  if (!f.block.empty()) {
    sql = "SELECT " MINATO_UNIT_COLUMNS
          " FROM units WHERE slot >= ?1 || '-' AND slot < ?1 || '.' AND ?2 = "
          "?2" MINATO_UNIT_FILTERS;
  } else if (!f.visit.empty()) {
    sql = "SELECT " MINATO_UNIT_COLUMNS
          " FROM units WHERE ?1 = ?1 AND ((inbound_visit = ?2 AND inbound_visit <> '')"
          " OR (outbound_visit = ?2 AND outbound_visit <> ''))" MINATO_UNIT_FILTERS;
  } else if (f.state == "in_yard" || f.in_yard_before_us != 0) {
    sql = "SELECT " MINATO_UNIT_COLUMNS
          " FROM units WHERE slot IS NOT NULL AND ?1 = ?1 AND ?2 = ?2" MINATO_UNIT_FILTERS;
  } else {
    sql = "SELECT " MINATO_UNIT_COLUMNS " FROM units WHERE ?1 = ?1 AND ?2 = ?2" MINATO_UNIT_FILTERS;
  }
#undef MINATO_UNIT_FILTERS
  auto q_ = q(sql);
  if (!q_) return fail(q_.error());
  q_->bind(1, f.block).bind(2, f.visit).bind(3, f.state).bind(4, f.line_operator);
  q_->bind(5, f.category).bind(6, int64_t{f.on_hold ? 1 : 0}).bind(7, f.in_yard_before_us);
  q_->bind(8, f.after_id).bind(9, static_cast<int64_t>(f.limit));
  std::vector<t::Unit> out;
  for (;;) {
    auto row = q_->step("list units");
    if (!row) return fail(row.error());
    if (!*row) break;
    auto u = unit_from(*q_);
    if (!u) return fail(u.error());
    out.push_back(std::move(*u));
  }
  return out;
}

Status SqliteReader::scan_units_in_yard(const std::function<void(t::Unit&&)>& visit) {
  auto q_ = q("SELECT " MINATO_UNIT_COLUMNS " FROM units WHERE slot IS NOT NULL");
  if (!q_) return fail(q_.error());
  for (;;) {
    auto row = q_->step("read the yard");
    if (!row) return fail(row.error());
    if (!*row) return ok();
    auto u = unit_from(*q_);
    if (!u) return fail(u.error());
    visit(std::move(*u));
  }
}

Result<t::YardBlock> SqliteReader::block_from(Query& q) {
  t::YardBlock b{q.text(0),
                 static_cast<int>(q.i64(1)),
                 static_cast<int>(q.i64(2)),
                 static_cast<int>(q.i64(3)),
                 {},
                 q.i64(5) != 0};
  std::string_view areas = q.text_view(4);
  while (!areas.empty()) {
    size_t comma = areas.find(',');
    auto a = t::StackArea::parse(areas.substr(0, comma));
    if (!a) return fail(corrupt("reefer area of block " + b.name));
    b.reefer.push_back(*a);
    if (comma == std::string_view::npos) break;
    areas.remove_prefix(comma + 1);
  }
  return b;
}

Result<t::TerminalLayout> SqliteReader::layout() {
  t::TerminalLayout l;
  auto qb = q("SELECT name, bays, rows_, tiers, reefer, hazardous FROM yard_blocks ORDER BY name");
  if (!qb) return fail(qb.error());
  for (;;) {
    auto row = qb->step("read yard blocks");
    if (!row) return fail(row.error());
    if (!*row) break;
    auto b = block_from(*qb);
    if (!b) return fail(b.error());
    l.blocks.push_back(std::move(*b));
  }
  auto qr = q("SELECT name, length_m FROM berths ORDER BY name");
  if (!qr) return fail(qr.error());
  for (;;) {
    auto row = qr->step("read berths");
    if (!row) return fail(row.error());
    if (!*row) break;
    l.berths.push_back(t::Berth{qr->text(0), static_cast<int>(qr->i64(1))});
  }
  auto ql = q("SELECT name, direction FROM gate_lanes ORDER BY name");
  if (!ql) return fail(ql.error());
  for (;;) {
    auto row = ql->step("read gate lanes");
    if (!row) return fail(row.error());
    if (!*row) break;
    auto d = t::lane_direction_from(ql->text_view(1));
    if (!d) return fail(corrupt("gate lane direction"));
    l.lanes.push_back(t::GateLane{ql->text(0), *d});
  }
  return l;
}

Result<std::optional<BookingRecord>> SqliteReader::find_booking(std::string_view number) {
  auto q_ =
      q("SELECT number, line_operator, outbound_visit, pod, size_type, quantity,"
        " created_us, created_by, version FROM bookings WHERE number = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, number);
  auto row = q_->step("find booking");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<BookingRecord>();
  return std::optional<BookingRecord>(
      BookingRecord{q_->text(0), q_->text(1), q_->text(2), q_->text(3), q_->text(4),
                    static_cast<int>(q_->i64(5)), q_->i64(6), q_->text(7), q_->i64(8)});
}

Result<VisitCounts> SqliteReader::visit_counts(std::string_view visit) {
  auto q_ =
      q("SELECT"
        " (SELECT count(*) FROM units WHERE inbound_visit = ?1 AND inbound_visit <> ''),"
        " (SELECT count(*) FROM units WHERE inbound_visit = ?1 AND inbound_visit <> ''"
        "   AND state <> 'advised'),"
        " (SELECT count(*) FROM units WHERE outbound_visit = ?1 AND outbound_visit <> ''),"
        " (SELECT count(*) FROM units WHERE outbound_visit = ?1 AND outbound_visit <> ''"
        "   AND (state = 'loaded' OR (state = 'departed' AND vessel_slot <> '')))");
  if (!q_) return fail(q_.error());
  q_->bind(1, visit);
  auto row = q_->step("count vessel visit units");
  if (!row) return fail(row.error());
  return VisitCounts{q_->i64(0), q_->i64(1), q_->i64(2), q_->i64(3)};
}

Result<int64_t> SqliteReader::count_booking_units(std::string_view number) {
  // Received: through the gate (or loaded, or gone since); advised units are only expected.
  auto q_ =
      q("SELECT count(*) FROM units WHERE booking = ?1 AND booking <> ''"
        " AND state <> 'advised'");
  if (!q_) return fail(q_.error());
  q_->bind(1, number);
  auto row = q_->step("count booking units");
  if (!row) return fail(row.error());
  return q_->i64(0);
}

Result<std::optional<IdempotencyRecord>> SqliteReader::find_idempotency_key(
    std::string_view subject, std::string_view key) {
  auto q_ =
      q("SELECT digest, status, response, created_us FROM idempotency_keys"
        " WHERE subject = ?1 AND key = ?2");
  if (!q_) return fail(q_.error());
  q_->bind(1, subject).bind(2, key);
  auto row = q_->step("find idempotency key");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(
      IdempotencyRecord{std::string(subject), std::string(key), q_->text(0),
                        static_cast<int>(q_->i64(1)), q_->text(2), q_->i64(3)});
}

Result<std::vector<MoveRecord>> SqliteReader::unit_moves(int64_t unit_id) {
  auto q_ =
      q("SELECT kind, from_pos, to_pos, at_us, actor FROM moves WHERE unit_id = ?1"
        " ORDER BY id");
  if (!q_) return fail(q_.error());
  q_->bind(1, unit_id);
  std::vector<MoveRecord> out;
  for (;;) {
    auto row = q_->step("list moves");
    if (!row) return fail(row.error());
    if (!*row) break;
    auto kind = t::move_kind_from(q_->text(0));
    if (!kind) return fail(corrupt("move kind"));
    out.push_back(
        MoveRecord{unit_id, t::Move{*kind, q_->text(1), q_->text(2)}, q_->i64(3), q_->text(4)});
  }
  return out;
}

Result<std::optional<t::YardBlock>> SqliteReader::find_block(std::string_view name) {
  auto q_ =
      q("SELECT name, bays, rows_, tiers, reefer, hazardous FROM yard_blocks"
        " WHERE name = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, name);
  auto row = q_->step("find yard block");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<t::YardBlock>();
  auto b = block_from(*q_);
  if (!b) return fail(b.error());
  return std::optional<t::YardBlock>(std::move(*b));
}

Result<std::vector<BlockOccupancy>> SqliteReader::yard_occupancy() {
  // Slot text starts with "BLOCK-": count units in the yard per block.
  auto q_ =
      q("SELECT b.name, b.bays, b.rows_, b.tiers, b.reefer, b.hazardous,"
        " (SELECT count(*) FROM units u WHERE u.slot >= b.name || '-'"
        "   AND u.slot < b.name || '.')"
        " FROM yard_blocks b ORDER BY b.name");
  if (!q_) return fail(q_.error());
  std::vector<BlockOccupancy> out;
  for (;;) {
    auto row = q_->step("yard occupancy");
    if (!row) return fail(row.error());
    if (!*row) break;
    auto b = block_from(*q_);
    if (!b) return fail(b.error());
    out.push_back(BlockOccupancy{std::move(*b), static_cast<int>(q_->i64(6))});
  }
  return out;
}

Result<std::optional<GateRecord>> SqliteReader::find_gate(int64_t id) {
  auto q_ =
      q("SELECT id, direction, container_id, truck_plate, status, unit_id, at_us, actor,"
        " truck_visit_id, appointment_id, snapshot FROM gate_transactions WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto row = q_->step("find gate transaction");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<GateRecord>();
  auto dir = t::gate_direction_from(q_->text_view(1));
  auto st = t::gate_status_from(q_->text_view(4));
  if (!dir || !st) return fail(corrupt("gate transaction"));
  return std::optional<GateRecord>(GateRecord{q_->i64(0), *dir, q_->text(2), q_->text(3), *st,
                                              q_->i64(5), q_->i64(6), q_->text(7), q_->i64(8),
                                              q_->i64(9), q_->text(10)});
}

Result<std::vector<GateRecord>> SqliteReader::list_gates(int64_t from_us, int64_t to_us,
                                                         int limit) {
  auto q_ =
      q("SELECT id, direction, container_id, truck_plate, status, unit_id, at_us, actor,"
        " truck_visit_id, appointment_id, snapshot FROM gate_transactions"
        " WHERE at_us >= ?1 AND at_us < ?2 ORDER BY at_us, id LIMIT ?3");
  if (!q_) return fail(q_.error());
  q_->bind(1, from_us).bind(2, to_us).bind(3, static_cast<int64_t>(limit));
  std::vector<GateRecord> out;
  for (;;) {
    auto row = q_->step("list gate transactions");
    if (!row) return fail(row.error());
    if (!*row) return out;
    auto dir = t::gate_direction_from(q_->text_view(1));
    auto st = t::gate_status_from(q_->text_view(4));
    if (!dir || !st) return fail(corrupt("gate transaction"));
    out.push_back(GateRecord{q_->i64(0), *dir, q_->text(2), q_->text(3), *st, q_->i64(5),
                             q_->i64(6), q_->text(7), q_->i64(8), q_->i64(9), q_->text(10)});
  }
}

Result<std::vector<GateSlotRecord>> SqliteReader::gate_slots(int64_t from_us, int64_t to_us) {
  auto q_ =
      q("SELECT s.start_us, s.end_us, s.capacity,"
        " (SELECT count(*) FROM appointments a WHERE a.slot_start_us = s.start_us"
        "   AND a.state <> 'cancelled')"
        " FROM gate_slots s WHERE s.end_us > ?1 AND s.start_us < ?2 ORDER BY s.start_us");
  if (!q_) return fail(q_.error());
  q_->bind(1, from_us).bind(2, to_us);
  std::vector<GateSlotRecord> out;
  for (;;) {
    auto row = q_->step("read gate slots");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(GateSlotRecord{q_->i64(0), q_->i64(1), static_cast<int>(q_->i64(2)),
                                 static_cast<int>(q_->i64(3))});
  }
  return out;
}

Result<std::optional<AppointmentRecord>> SqliteReader::one_appointment(Query& q_) {
  auto row = q_.step("find appointment");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<AppointmentRecord>();
  auto dir = t::gate_direction_from(q_.text_view(3));
  if (!dir) return fail(corrupt("appointment"));
  return std::optional<AppointmentRecord>(
      AppointmentRecord{q_.i64(0), q_.i64(1), q_.i64(2), *dir, q_.text(4), q_.text(5), q_.text(6),
                        q_.text(7), q_.i64(8), q_.text(9), q_.i64(10)});
}

Result<std::optional<AppointmentRecord>> SqliteReader::find_appointment(int64_t id) {
  auto q_ = q("SELECT " MINATO_APPOINTMENT_COLUMNS
              " FROM appointments a JOIN gate_slots s ON s.start_us = a.slot_start_us"
              " WHERE a.id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  return one_appointment(*q_);
}

Result<std::vector<AppointmentRecord>> SqliteReader::list_appointments(int64_t from_us,
                                                                       int64_t to_us, int limit) {
  auto q_ = q("SELECT " MINATO_APPOINTMENT_COLUMNS
              " FROM appointments a JOIN gate_slots s ON s.start_us = a.slot_start_us"
              " WHERE a.slot_start_us >= ?1 AND a.slot_start_us < ?2"
              " ORDER BY a.slot_start_us, a.id LIMIT ?3");
  if (!q_) return fail(q_.error());
  q_->bind(1, from_us).bind(2, to_us).bind(3, int64_t{limit});
  std::vector<AppointmentRecord> out;
  for (;;) {
    auto a = one_appointment(*q_);
    if (!a) return fail(a.error());
    if (!*a) break;
    out.push_back(std::move(**a));
  }
  return out;
}

Result<std::optional<AppointmentRecord>> SqliteReader::find_booked_appointment(
    std::string_view cid, t::GateDirection dir) {
  auto q_ = q("SELECT " MINATO_APPOINTMENT_COLUMNS
              " FROM appointments a JOIN gate_slots s ON s.start_us = a.slot_start_us"
              " WHERE a.container_id = ?1 AND a.direction = ?2 AND a.state = 'booked'");
  if (!q_) return fail(q_.error());
  q_->bind(1, cid).bind(2, t::to_string(dir));
  return one_appointment(*q_);
}

TruckVisitRecord SqliteReader::truck_from(Query& q_) {
  return TruckVisitRecord{q_.i64(0), q_.text(1), q_.text(2), q_.text(3),
                          q_.i64(4), q_.text(5), q_.i64(6),  q_.text(7)};
}

Result<std::optional<TruckVisitRecord>> SqliteReader::one_truck(Query& q_) {
  auto row = q_.step("find truck visit");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<TruckVisitRecord>();
  return std::optional<TruckVisitRecord>(truck_from(q_));
}

MediaIntakeRecord SqliteReader::intake_from(Query& q_) {
  return MediaIntakeRecord{q_.i64(0),  q_.i64(1),   q_.text(2),  q_.text(3),
                           q_.text(4), q_.i64(5),   q_.text(6),  q_.text(7),
                           q_.text(8), q_.text(9),  q_.text(10), q_.text(11),
                           q_.i64(12), q_.text(13), q_.i64(14),  q_.text(15)};
}

Result<std::optional<MediaIntakeRecord>> SqliteReader::find_media_intake(int64_t id) {
  auto q_ = q("SELECT " MINATO_INTAKE_COLUMNS " FROM media_intake WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  auto row = q_->step("find media intake");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<MediaIntakeRecord>();
  return std::optional<MediaIntakeRecord>(intake_from(*q_));
}

Result<std::vector<MediaIntakeRecord>> SqliteReader::list_media_intake(int limit) {
  auto q_ = q("SELECT " MINATO_INTAKE_COLUMNS " FROM media_intake ORDER BY id DESC LIMIT ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, static_cast<int64_t>(limit));
  std::vector<MediaIntakeRecord> out;
  for (;;) {
    auto row = q_->step("list media intake");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(intake_from(*q_));
  }
  return out;
}

Result<std::optional<EdiImportRecord>> SqliteReader::find_edi_import(std::string_view sha256) {
  auto q_ =
      q("SELECT sha256, intake_id, imported_us, imported_by, kind, visit_id, units, rejected,"
        " report FROM edi_imports WHERE sha256 = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, sha256);
  auto row = q_->step("find edi import");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<EdiImportRecord>();
  return std::optional<EdiImportRecord>(EdiImportRecord{q_->text(0), q_->i64(1), q_->i64(2),
                                                        q_->text(3), q_->text(4), q_->text(5),
                                                        q_->i64(6), q_->i64(7), q_->text(8)});
}

Result<std::optional<TruckVisitRecord>> SqliteReader::find_truck_visit(int64_t id) {
  auto q_ = q("SELECT " MINATO_TRUCK_COLUMNS " FROM truck_visits WHERE id = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, id);
  return one_truck(*q_);
}

Result<std::optional<TruckVisitRecord>> SqliteReader::open_truck_visit(std::string_view plate) {
  auto q_ = q("SELECT " MINATO_TRUCK_COLUMNS
              " FROM truck_visits WHERE truck_plate = ?1 AND exited_us = 0");
  if (!q_) return fail(q_.error());
  q_->bind(1, plate);
  return one_truck(*q_);
}

Result<std::vector<TruckVisitRecord>> SqliteReader::exited_truck_visits(int64_t from_us,
                                                                        int64_t to_us) {
  auto q_ = q("SELECT " MINATO_TRUCK_COLUMNS
              " FROM truck_visits WHERE exited_us <> 0 AND exited_us >= ?1 AND exited_us < ?2"
              " ORDER BY exited_us");
  if (!q_) return fail(q_.error());
  q_->bind(1, from_us).bind(2, to_us);
  std::vector<TruckVisitRecord> out;
  for (;;) {
    auto row = q_->step("read truck visits");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(truck_from(*q_));
  }
  return out;
}

Result<std::vector<TruckVisitRecord>> SqliteReader::open_truck_visits(int limit) {
  auto q_ = q("SELECT " MINATO_TRUCK_COLUMNS
              " FROM truck_visits WHERE exited_us = 0 ORDER BY arrived_us, id LIMIT ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, static_cast<int64_t>(limit));
  std::vector<TruckVisitRecord> out;
  for (;;) {
    auto row = q_->step("read trucks inside");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back(truck_from(*q_));
  }
  return out;
}

Result<bool> SqliteReader::slot_occupied(const t::YardSlot& slot) {
  auto q_ = q("SELECT 1 FROM units WHERE slot = ?1");
  if (!q_) return fail(q_.error());
  q_->bind(1, slot.str());
  return q_->step("check slot");
}

}  // namespace minato::store::sqlite_detail
