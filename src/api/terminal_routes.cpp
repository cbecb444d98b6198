// The terminal's routes: layout, yard, units, holds, bookings, vessel visits and the gate.
//
// Every state-changing route honours an Idempotency-Key header: the command runs once per
// (caller, key) and a retry gets the first response again with "Idempotent-Replayed: true"
// (a retried gate-in is not a second gate-in). Edits of a unit need If-Match with the unit's
// ETag (its version), so two clerks cannot overwrite each other's change unseen.
#include <boost/json.hpp>

#include "api/handlers.h"
#include "api/layout_json.h"
#include "app/views.h"
#include "common/clock.h"
#include "common/request_context.h"
#include "crypto/random.h"

namespace minato::api {

namespace json = boost::json;
namespace t = minato::terminal;

CallerHandler idempotent(int status, CallerHandler fn) {
  return [status, fn = std::move(fn)](const HttpRequest& req, const PathParams& params,
                                      const Caller& c) -> Result<HttpResponse> {
    std::string_view key = req.header("idempotency-key");
    if (key.empty()) return fn(req, params, c);
    bool printable = key.size() <= 64;
    for (char ch : key) printable = printable && ch > 0x20 && ch < 0x7f;
    if (!printable) {
      return fail(ErrorCode::kInvalidArgument,
                  "Idempotency-Key must be 1-64 printable ASCII characters without spaces",
                  "Idempotency-Key");
    }
    Idempotency idem;
    idem.key = std::string(key);
    idem.digest = crypto::to_hex(
        crypto::sha256(req.method + " " + req.path + "?" + req.query + "\n" + req.body));
    idem.status = status;
    current_request().idempotency = &idem;
    auto r = fn(req, params, c);
    current_request().idempotency = nullptr;
    if (idem.replayed) {
      HttpResponse replay = raw_json(idem.response, idem.status);
      if (idem.status == 204) replay.body.clear();
      replay.headers.emplace_back("Idempotent-Replayed", "true");
      // A unit answered again carries its ETag as the first answer did.
      boost::system::error_code ec;
      json::value stored = json::parse(replay.body, ec);
      if (!ec && stored.is_object() && stored.as_object().contains("container_id")) {
        if (const auto* v = stored.as_object().if_contains("version"); v && v->is_int64()) {
          replay.headers.emplace_back("ETag", "\"v" + std::to_string(v->as_int64()) + "\"");
        }
      }
      return replay;
    }
    return r;
  };
}

namespace {

Result<t::ContainerId> container_id_field(JsonBody& body) {
  auto text = body.string("container_id", 32);
  if (!text) return fail(text.error());
  return t::ContainerId::parse(*text);
}

json::object unit_view_json(const app::UnitView& v) {
  json::object o = app::to_json(v.unit);
  json::array moves;
  for (const auto& m : v.moves) {
    moves.push_back(json::object{{"kind", t::to_string(m.move.kind)},
                                 {"from", m.move.from},
                                 {"to", m.move.to},
                                 {"at", format_utc(m.at_us)},
                                 {"by", m.actor}});
  }
  o["moves"] = std::move(moves);
  return o;
}

HttpResponse unit_response(const t::Unit& u, int status) {
  HttpResponse r = ok_json(app::to_json(u), status);
  r.headers.emplace_back("ETag", "\"v" + std::to_string(u.version()) + "\"");
  return r;
}

Result<std::string> code_field(JsonBody& b, const char* key, size_t max) {
  auto v = b.optional_string(key, max);
  if (!v) return fail(v.error());
  return *v ? **v : std::string();
}

// The description of a unit: the required identity fields (when `required`) and every
// optional part. With required false and no size_type, nothing is read (a gate-in of an
// advised unit).
Result<std::optional<t::UnitSpec>> unit_spec_fields(JsonBody& body, const t::ContainerId& id,
                                                    bool required) {
  if (!required && !body.has("size_type")) {
    for (const char* k : {"category", "freight", "line_operator", "gross_kg", "vgm", "seals",
                          "dangerous_goods", "reefer", "over_dimensions", "damages", "booking",
                          "delivery_order", "inbound_visit", "outbound_visit", "pod"}) {
      if (body.has(k)) {
        return fail(ErrorCode::kInvalidArgument, std::string(k) + " is given without size_type", k);
      }
    }
    return std::optional<t::UnitSpec>();
  }
  auto st_text = body.string("size_type", 4);
  if (!st_text) return fail(st_text.error());
  auto st = t::SizeType::parse(*st_text);
  if (!st) return fail(st.error());
  auto cat_text = body.string("category", 16);
  if (!cat_text) return fail(cat_text.error());
  auto cat = t::unit_category_from(*cat_text);
  if (!cat) {
    return fail(ErrorCode::kInvalidArgument,
                "category must be import, export, tranship, storage or empty", "category");
  }
  auto fk_text = body.string("freight", 8);
  if (!fk_text) return fail(fk_text.error());
  auto fk = t::freight_kind_from(*fk_text);
  if (!fk) return fail(ErrorCode::kInvalidArgument, "freight must be full or empty", "freight");
  auto op = body.string("line_operator", 6);
  if (!op) return fail(op.error());
  auto kg = body.integer("gross_kg", 0, t::kMaxGrossKg);
  if (!kg) return fail(kg.error());
  t::UnitSpec spec(id, *st, *cat, *fk, *op, static_cast<int>(*kg));

  auto vgm = body.optional_object("vgm");
  if (!vgm) return fail(vgm.error());
  if (*vgm) {
    auto vkg = (*vgm)->integer("kg", 1, t::kMaxGrossKg);
    if (!vkg) return fail(vkg.error());
    auto method_text = (*vgm)->string("method", 8);
    if (!method_text) return fail(method_text.error());
    auto method = t::vgm_method_from(*method_text);
    if (!method) {
      return fail(ErrorCode::kInvalidArgument, "vgm.method must be method1 or method2",
                  "vgm.method");
    }
    auto party = (*vgm)->string("party", 64);
    if (!party) return fail(party.error());
    MINATO_TRY((*vgm)->finish());
    spec.vgm = t::Vgm{static_cast<int>(*vkg), *method, *party};
  }
  auto seals = body.optional_strings("seals", 8, 16);
  if (!seals) return fail(seals.error());
  if (*seals) spec.seals = std::move(**seals);
  auto dgs = body.objects("dangerous_goods", 8);
  if (!dgs) return fail(dgs.error());
  for (auto& d : *dgs) {
    auto un = d.string("un_number", 6);
    if (!un) return fail(un.error());
    auto cls_text = d.string("imdg_class", 4);
    if (!cls_text) return fail(cls_text.error());
    auto cls = t::ImdgClass::parse(*cls_text);
    if (!cls) return fail(cls.error());
    MINATO_TRY(d.finish());
    std::string number = un->rfind("UN", 0) == 0 ? un->substr(2) : *un;
    spec.dangerous_goods.push_back(t::DangerousGoods{number, *cls});
  }
  auto reefer = body.optional_object("reefer");
  if (!reefer) return fail(reefer.error());
  if (*reefer) {
    auto sp = (*reefer)->optional_number("set_point_c", -40.0, 30.0);
    if (!sp) return fail(sp.error());
    if (!*sp) {
      return fail(ErrorCode::kInvalidArgument, "reefer.set_point_c is required",
                  "reefer.set_point_c");
    }
    auto power = (*reefer)->optional_bool("needs_power");
    if (!power) return fail(power.error());
    MINATO_TRY((*reefer)->finish());
    spec.reefer = t::ReeferSettings{static_cast<int>(std::lround(**sp * 10)), !*power || **power};
  }
  auto oog = body.optional_object("over_dimensions");
  if (!oog) return fail(oog.error());
  if (*oog) {
    t::OverDimensions od;
    for (auto [key, out] : {std::pair{"front_cm", &od.front_cm}, std::pair{"back_cm", &od.back_cm},
                            std::pair{"left_cm", &od.left_cm}, std::pair{"right_cm", &od.right_cm},
                            std::pair{"top_cm", &od.top_cm}}) {
      auto v = (*oog)->optional_integer(key, 0, 1000);
      if (!v) return fail(v.error());
      *out = static_cast<int>(v->value_or(0));
    }
    MINATO_TRY((*oog)->finish());
    spec.over_dimensions = od;
  }
  auto damages = body.objects("damages", 16);
  if (!damages) return fail(damages.error());
  for (auto& d : *damages) {
    auto code = d.string("code", 8);
    if (!code) return fail(code.error());
    auto note = code_field(d, "note", 120);
    if (!note) return fail(note.error());
    MINATO_TRY(d.finish());
    spec.damages.push_back(t::Damage{*code, *note});
  }
  for (auto [key, out] :
       {std::pair{"booking", &spec.booking}, std::pair{"delivery_order", &spec.delivery_order},
        std::pair{"inbound_visit", &spec.inbound_visit},
        std::pair{"outbound_visit", &spec.outbound_visit}, std::pair{"pod", &spec.pod}}) {
    auto v = code_field(body, key, 20);
    if (!v) return fail(v.error());
    *out = std::move(*v);
  }
  MINATO_TRY(t::validate(spec));
  return std::optional<t::UnitSpec>(std::move(spec));
}

Result<t::YardBlock> block_fields(JsonBody& b, std::string name) {
  auto bays = b.integer("bays", 1, t::kMaxBlockBays);
  if (!bays) return fail(bays.error());
  auto rows = b.integer("rows", 1, t::kMaxBlockRows);
  if (!rows) return fail(rows.error());
  auto tiers = b.integer("tiers", 1, t::kMaxBlockTiers);
  if (!tiers) return fail(tiers.error());
  auto reefer = b.optional_strings("reefer", 64, 16);
  if (!reefer) return fail(reefer.error());
  auto hazardous = b.optional_bool("hazardous");
  if (!hazardous) return fail(hazardous.error());
  MINATO_TRY(b.finish());
  t::YardBlock block{std::move(name),
                     static_cast<int>(*bays),
                     static_cast<int>(*rows),
                     static_cast<int>(*tiers),
                     {},
                     hazardous->value_or(false)};
  if (*reefer) {
    for (const auto& text : **reefer) {
      auto a = t::StackArea::parse(text);
      if (!a) return fail(a.error());
      block.reefer.push_back(*a);
    }
  }
  MINATO_TRY(block.validate());
  return block;
}

Result<t::TerminalLayout> layout_fields(JsonBody& b) {
  t::TerminalLayout l;
  auto blocks = b.objects("blocks", 4096);
  if (!blocks) return fail(blocks.error());
  for (auto& x : *blocks) {
    auto name = x.string("name", 4);
    if (!name) return fail(name.error());
    auto block = block_fields(x, *name);
    if (!block) {  // say which of many blocks
      return fail(block.error().code(), "block " + *name + ": " + block.error().message(),
                  block.error().field());
    }
    l.blocks.push_back(std::move(*block));
  }
  auto berths = b.objects("berths", 64);
  if (!berths) return fail(berths.error());
  for (auto& x : *berths) {
    auto name = x.string("name", 8);
    if (!name) return fail(name.error());
    auto len = x.integer("length_m", 50, 2000);
    if (!len) return fail(len.error());
    MINATO_TRY(x.finish());
    l.berths.push_back(t::Berth{*name, static_cast<int>(*len)});
  }
  auto lanes = b.objects("lanes", 256);
  if (!lanes) return fail(lanes.error());
  for (auto& x : *lanes) {
    auto name = x.string("name", 8);
    if (!name) return fail(name.error());
    auto dir_text = x.string("direction", 4);
    if (!dir_text) return fail(dir_text.error());
    auto dir = t::lane_direction_from(*dir_text);
    if (!dir) {
      return fail(ErrorCode::kInvalidArgument, "lane direction must be in, out or both",
                  "lanes.direction");
    }
    MINATO_TRY(x.finish());
    l.lanes.push_back(t::GateLane{*name, *dir});
  }
  MINATO_TRY(b.finish());
  MINATO_TRY(l.validate());
  return l;
}

}  // namespace

Result<t::TerminalLayout> parse_layout(const std::string& text, const std::string& what) {
  auto b = JsonBody::parse(text, what);
  if (!b) return fail(b.error());
  return layout_fields(*b);
}

namespace {

// "If-Match: \"v3\"" (or 3, v3) → 3.
Result<int64_t> if_match_version(const HttpRequest& req) {
  std::string_view v = req.header("if-match");
  if (v.empty()) {
    return fail(ErrorCode::kFailedPrecondition,
                "an edit needs If-Match with the unit's ETag (read the unit first)", "If-Match");
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (!v.empty() && v.front() == 'v') v.remove_prefix(1);
  int64_t n = 0;
  bool good = !v.empty() && v.size() <= 18;
  for (char ch : v) {
    good = good && ch >= '0' && ch <= '9';
    if (good) n = n * 10 + (ch - '0');
  }
  if (!good) {
    return fail(ErrorCode::kInvalidArgument, "If-Match must be the unit's ETag, like \"v3\"",
                "If-Match");
  }
  return n;
}

Result<t::HoldKind> hold_kind_param(const std::string& text) {
  auto k = t::hold_kind_from(text);
  if (!k) {
    return fail(ErrorCode::kInvalidArgument, "hold kind must be customs, line or terminal", "kind");
  }
  return *k;
}

}  // namespace

void Api::add_terminal_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  // --- layout and yard -----------------------------------------------------------------------
  router_.add("GET", "/api/v1/yard/layout",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto l = rt_.terminal().layout(c.actor);
                if (!l) return fail(l.error());
                return ok_json(app::to_json(*l));
              }));
  router_.add("PUT", "/api/v1/yard/layout",
              authed(idempotent(200, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto l = layout_fields(b);
                                  if (!l) return fail(l.error());
                                  MINATO_TRY(rt_.terminal().apply_layout(c.actor, *l));
                                  auto now = rt_.terminal().layout(c.actor);
                                  if (!now) return fail(now.error());
                                  return ok_json(app::to_json(*now));
                                }))));
  router_.add("POST", "/api/v1/yard/blocks",
              authed(idempotent(201, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto name = b.string("name", 4);
                                  if (!name) return fail(name.error());
                                  auto block = block_fields(b, *name);
                                  if (!block) return fail(block.error());
                                  MINATO_TRY(rt_.terminal().create_block(c.actor, *block));
                                  return ok_json(app::to_json(*block), 201);
                                }))));
  router_.add("PUT", "/api/v1/yard/blocks/{name}",
              authed(idempotent(200, with_body([this](JsonBody& b, const PathParams& p,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto block = block_fields(b, p.at("name"));
                                  if (!block) return fail(block.error());
                                  MINATO_TRY(rt_.terminal().update_block(c.actor, *block));
                                  return ok_json(app::to_json(*block));
                                }))));
  router_.add("DELETE", "/api/v1/yard/blocks/{name}",
              authed(idempotent(204,
                                [this](const HttpRequest&, const PathParams& p,
                                       const Caller& c) -> Result<HttpResponse> {
                                  MINATO_TRY(rt_.terminal().delete_block(c.actor, p.at("name")));
                                  return no_content();
                                })));
  router_.add("GET", "/api/v1/yard/occupancy",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto usage = rt_.terminal().yard_usage(c.actor);
                if (!usage) return fail(usage.error());
                json::array blocks;
                int64_t cap = 0, used = 0, units = 0;
                for (const auto& b : *usage) {
                  blocks.push_back(json::object{{"block", b.block},
                                                {"capacity_teu", b.capacity_teu},
                                                {"used_teu", b.used_teu},
                                                {"units", b.units}});
                  cap += b.capacity_teu;
                  used += b.used_teu;
                  units += b.units;
                }
                return ok_json(json::object{{"blocks", std::move(blocks)},
                                            {"capacity_teu", cap},
                                            {"used_teu", used},
                                            {"units", units}});
              }));
  router_.add("POST", "/api/v1/yard/shifts",
              authed(idempotent(200, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = container_id_field(b);
                                  if (!cid) return fail(cid.error());
                                  auto slot_text = b.optional_string("slot", 16);
                                  if (!slot_text) return fail(slot_text.error());
                                  MINATO_TRY(b.finish());
                                  std::optional<t::YardSlot> to;
                                  if (*slot_text) {
                                    auto s = t::YardSlot::parse(**slot_text);
                                    if (!s) return fail(s.error());
                                    to = *s;
                                  }
                                  auto u = rt_.terminal().yard_shift(c.actor, *cid, to);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 200);
                                }))));
  router_.add("GET", "/api/v1/yard/suggestion",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"container_id"});
                if (!q) return fail(q.error());
                auto it = q->find("container_id");
                if (it == q->end()) {
                  return fail(ErrorCode::kInvalidArgument, "container_id is required",
                              "container_id");
                }
                auto cid = t::ContainerId::parse(it->second);
                if (!cid) return fail(cid.error());
                auto slot = rt_.terminal().suggest_slot(c.actor, *cid);
                if (!slot) return fail(slot.error());
                return ok_json(json::object{{"container_id", cid->str()}, {"slot", slot->str()}});
              }));

  // --- vessel visits -----------------------------------------------------------------------
  router_.add("POST", "/api/v1/vessel-visits",
              authed(idempotent(201, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto id = b.string("id", 16);
                                  if (!id) return fail(id.error());
                                  auto name = b.string("vessel_name", 64);
                                  if (!name) return fail(name.error());
                                  auto imo = b.string("imo", 10);
                                  if (!imo) return fail(imo.error());
                                  auto berth = b.string("berth", 8);
                                  if (!berth) return fail(berth.error());
                                  auto eta = time_field(b, "eta");
                                  if (!eta) return fail(eta.error());
                                  auto etd = time_field(b, "etd");
                                  if (!etd) return fail(etd.error());
                                  MINATO_TRY(b.finish());
                                  auto v = rt_.terminal().create_visit(
                                      c.actor,
                                      t::VesselVisitSpec{*id, *name, *imo, *berth, *eta, *etd});
                                  if (!v) return fail(v.error());
                                  return ok_json(app::to_json(*v), 201);
                                }))));
  router_.add("GET", "/api/v1/vessel-visits",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto visits = rt_.terminal().list_visits(c.actor);
                if (!visits) return fail(visits.error());
                json::array arr;
                for (const auto& v : *visits) arr.push_back(app::to_json(v));
                return ok_json(json::object{{"vessel_visits", std::move(arr)}});
              }));

  auto visit_json = [](const app::VisitView& v) {
    json::object o = app::to_json(v.visit);
    o["counts"] =
        json::object{{"discharge_list", v.counts.discharge_list},
                     {"discharged", v.counts.discharged},
                     {"on_board_to_discharge", v.counts.discharge_list - v.counts.discharged},
                     {"load_list", v.counts.load_list},
                     {"loaded", v.counts.loaded},
                     {"to_load", v.counts.load_list - v.counts.loaded}};
    return o;
  };
  router_.add("GET", "/api/v1/vessel-visits/{id}",
              authed([this, visit_json](const HttpRequest&, const PathParams& p,
                                        const Caller& c) -> Result<HttpResponse> {
                auto v = rt_.terminal().get_visit(c.actor, p.at("id"));
                if (!v) return fail(v.error());
                return ok_json(visit_json(*v));
              }));
  router_.add("POST", "/api/v1/vessel-visits/{id}/phase",
              authed(idempotent(
                  200, with_body([this](JsonBody& b, const PathParams& p,
                                        const Caller& c) -> Result<HttpResponse> {
                    auto text = b.string("phase", 16);
                    if (!text) return fail(text.error());
                    MINATO_TRY(b.finish());
                    auto phase = t::visit_phase_from(*text);
                    if (!phase) {
                      return fail(ErrorCode::kInvalidArgument,
                                  "phase must be inbound, arrived, working, completed, departed, "
                                  "closed or cancelled",
                                  "phase");
                    }
                    auto v = rt_.terminal().advance_visit(c.actor, p.at("id"), *phase);
                    if (!v) return fail(v.error());
                    return ok_json(app::to_json(v->visit));
                  }))));
  router_.add("POST", "/api/v1/vessel-visits/{id}/discharges",
              authed(idempotent(200, with_body([this](JsonBody& b, const PathParams& p,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = container_id_field(b);
                                  if (!cid) return fail(cid.error());
                                  auto slot_text = b.optional_string("slot", 16);
                                  if (!slot_text) return fail(slot_text.error());
                                  MINATO_TRY(b.finish());
                                  std::optional<t::YardSlot> slot;
                                  if (*slot_text) {
                                    auto s = t::YardSlot::parse(**slot_text);
                                    if (!s) return fail(s.error());
                                    slot = *s;
                                  }
                                  auto u =
                                      rt_.terminal().discharge(c.actor, p.at("id"), *cid, slot);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 200);
                                }))));
  router_.add("POST", "/api/v1/vessel-visits/{id}/loads",
              authed(idempotent(200, with_body([this](JsonBody& b, const PathParams& p,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = container_id_field(b);
                                  if (!cid) return fail(cid.error());
                                  auto stow = b.string("vessel_slot", 7);
                                  if (!stow) return fail(stow.error());
                                  MINATO_TRY(b.finish());
                                  auto u = rt_.terminal().load(c.actor, p.at("id"), *cid, *stow);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 200);
                                }))));

  // --- units -------------------------------------------------------------------------------
  router_.add("POST", "/api/v1/units",
              authed(idempotent(201, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = container_id_field(b);
                                  if (!cid) return fail(cid.error());
                                  auto spec = unit_spec_fields(b, *cid, true);
                                  if (!spec) return fail(spec.error());
                                  MINATO_TRY(b.finish());
                                  auto u = rt_.terminal().create_unit(c.actor, **spec);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 201);
                                }))));
  router_.add(
      "GET", "/api/v1/units",
      authed([this](const HttpRequest& req, const PathParams&,
                    const Caller& c) -> Result<HttpResponse> {
        auto q = parse_query(req.query, {"state", "block", "line_operator", "category", "visit",
                                         "on_hold", "dwell_days", "after", "limit"});
        if (!q) return fail(q.error());
        store::UnitQuery f;
        auto get = [&](const char* k) {
          auto it = q->find(k);
          return it == q->end() ? std::string() : it->second;
        };
        f.state = get("state");
        if (!f.state.empty() && !t::unit_state_from(f.state)) {
          return fail(ErrorCode::kInvalidArgument,
                      "state must be advised, in_yard, loaded or departed", "state");
        }
        f.block = get("block");
        f.line_operator = get("line_operator");
        f.category = get("category");
        if (!f.category.empty() && !t::unit_category_from(f.category)) {
          return fail(ErrorCode::kInvalidArgument, "unknown category", "category");
        }
        f.visit = get("visit");
        std::string hold = get("on_hold");
        if (!hold.empty() && hold != "true" && hold != "false") {
          return fail(ErrorCode::kInvalidArgument, "on_hold must be true or false", "on_hold");
        }
        f.on_hold = hold == "true";
        auto dwell = query_int(*q, "dwell_days", 0, 0, 3650);
        if (!dwell) return fail(dwell.error());
        if (*dwell > 0) f.in_yard_before_us = rt_.clock().now_us() - *dwell * 86'400'000'000;
        auto after = query_int(*q, "after", 0, 0, INT64_MAX);
        if (!after) return fail(after.error());
        f.after_id = *after;
        auto limit = query_int(*q, "limit", 100, 1, 1000);
        if (!limit) return fail(limit.error());
        f.limit = static_cast<int>(*limit);
        auto units = rt_.terminal().list_units(c.actor, f);
        if (!units) return fail(units.error());
        json::array arr;
        for (const auto& u : *units) arr.push_back(app::to_json(u));
        json::object page{{"units", std::move(arr)}};
        page["next_after"] = static_cast<int>(units->size()) == f.limit
                                 ? json::value(units->back().id())
                                 : json::value(nullptr);
        return ok_json(page);
      }));
  router_.add("GET", "/api/v1/units/{container_id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto cid = t::ContainerId::parse(p.at("container_id"));
                if (!cid) return fail(cid.error());
                auto v = rt_.terminal().get_unit(c.actor, *cid);
                if (!v) return fail(v.error());
                HttpResponse r = ok_json(unit_view_json(*v));
                r.headers.emplace_back("ETag", "\"v" + std::to_string(v->unit.version()) + "\"");
                return r;
              }));
  router_.add("PUT", "/api/v1/units/{container_id}",
              authed(idempotent(200,
                                [this](const HttpRequest& req, const PathParams& p,
                                       const Caller& c) -> Result<HttpResponse> {
                                  if (auto refused = require_json(req)) return *refused;
                                  auto body = JsonBody::parse(req.body);
                                  if (!body) return fail(body.error());
                                  JsonBody& b = *body;
                                  auto cid = t::ContainerId::parse(p.at("container_id"));
                                  if (!cid) return fail(cid.error());
                                  auto version = if_match_version(req);
                                  if (!version) return fail(version.error());
                                  // The body may repeat the container number (a unit read and
                                  // sent back); it must be the path's.
                                  auto same = b.optional_string("container_id", 32);
                                  if (!same) return fail(same.error());
                                  if (*same) {
                                    auto given = t::ContainerId::parse(**same);
                                    if (!given || !(*given == *cid)) {
                                      return fail(ErrorCode::kInvalidArgument,
                                                  "container_id in the body differs from the path",
                                                  "container_id");
                                    }
                                  }
                                  auto spec = unit_spec_fields(b, *cid, true);
                                  if (!spec) return fail(spec.error());
                                  MINATO_TRY(b.finish());
                                  auto u = rt_.terminal().amend_unit(c.actor, **spec, *version);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 200);
                                })));
  router_.add("POST", "/api/v1/units/{container_id}/holds",
              authed(idempotent(200, with_body([this](JsonBody& b, const PathParams& p,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = t::ContainerId::parse(p.at("container_id"));
                                  if (!cid) return fail(cid.error());
                                  auto kind_text = b.string("kind", 16);
                                  if (!kind_text) return fail(kind_text.error());
                                  auto kind = hold_kind_param(*kind_text);
                                  if (!kind) return fail(kind.error());
                                  auto reason = b.string("reason", 120);
                                  if (!reason) return fail(reason.error());
                                  MINATO_TRY(b.finish());
                                  auto u = rt_.terminal().place_hold(c.actor, *cid, *kind, *reason);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 200);
                                }))));
  router_.add("DELETE", "/api/v1/units/{container_id}/holds/{kind}",
              authed(idempotent(200,
                                [this](const HttpRequest&, const PathParams& p,
                                       const Caller& c) -> Result<HttpResponse> {
                                  auto cid = t::ContainerId::parse(p.at("container_id"));
                                  if (!cid) return fail(cid.error());
                                  auto kind = hold_kind_param(p.at("kind"));
                                  if (!kind) return fail(kind.error());
                                  auto u = rt_.terminal().release_hold(c.actor, *cid, *kind);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 200);
                                })));
  router_.add("POST", "/api/v1/units/{container_id}/release",
              authed(idempotent(200, with_body([this](JsonBody& b, const PathParams& p,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = t::ContainerId::parse(p.at("container_id"));
                                  if (!cid) return fail(cid.error());
                                  auto pin = b.string("pin", 12);
                                  if (!pin) return fail(pin.error());
                                  MINATO_TRY(b.finish());
                                  auto u = rt_.terminal().set_release_pin(c.actor, *cid, *pin);
                                  if (!u) return fail(u.error());
                                  return unit_response(*u, 200);
                                }))));

  // --- bookings ----------------------------------------------------------------------------
  router_.add("POST", "/api/v1/bookings",
              authed(idempotent(201, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  store::BookingRecord r;
                                  for (auto [key, out, max] :
                                       {std::tuple{"number", &r.number, size_t{20}},
                                        std::tuple{"line_operator", &r.line_operator, size_t{6}},
                                        std::tuple{"outbound_visit", &r.outbound_visit, size_t{16}},
                                        std::tuple{"pod", &r.pod, size_t{5}},
                                        std::tuple{"size_type", &r.size_type, size_t{4}}}) {
                                    auto v = b.string(key, max);
                                    if (!v) return fail(v.error());
                                    *out = std::move(*v);
                                  }
                                  auto qty = b.integer("quantity", 1, 10'000);
                                  if (!qty) return fail(qty.error());
                                  r.quantity = static_cast<int>(*qty);
                                  MINATO_TRY(b.finish());
                                  MINATO_TRY(rt_.terminal().create_booking(c.actor, r));
                                  auto view = rt_.terminal().get_booking(c.actor, r.number);
                                  if (!view) return fail(view.error());
                                  return ok_json(app::to_json(view->booking), 201);
                                }))));
  router_.add("GET", "/api/v1/bookings/{number}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto v = rt_.terminal().get_booking(c.actor, p.at("number"));
                if (!v) return fail(v.error());
                json::object o = app::to_json(v->booking);
                o["delivered"] = v->delivered;
                return ok_json(o);
              }));

  // --- gate --------------------------------------------------------------------------------
  router_.add("POST", "/api/v1/gate/in",
              authed(idempotent(201, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = container_id_field(b);
                                  if (!cid) return fail(cid.error());
                                  auto plate = b.string("truck_plate", 16);
                                  if (!plate) return fail(plate.error());
                                  auto slot_text = b.optional_string("slot", 16);
                                  if (!slot_text) return fail(slot_text.error());
                                  std::optional<t::YardSlot> slot;
                                  if (*slot_text) {
                                    auto s = t::YardSlot::parse(**slot_text);
                                    if (!s) return fail(s.error());
                                    slot = *s;
                                  }
                                  auto spec = unit_spec_fields(b, *cid, false);
                                  if (!spec) return fail(spec.error());
                                  auto visit = b.optional_integer("truck_visit", 1, INT64_MAX);
                                  if (!visit) return fail(visit.error());
                                  auto appt = b.optional_integer("appointment", 1, INT64_MAX);
                                  if (!appt) return fail(appt.error());
                                  MINATO_TRY(b.finish());
                                  auto r = rt_.terminal().gate_in(
                                      c.actor, {*cid, *plate, slot, *spec, visit->value_or(0),
                                                appt->value_or(0)});
                                  if (!r) return fail(r.error());
                                  return raw_json(app::gate_result_json(*r), 201);
                                }))));
  router_.add("POST", "/api/v1/gate/out",
              authed(idempotent(201, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  auto cid = container_id_field(b);
                                  if (!cid) return fail(cid.error());
                                  auto plate = b.string("truck_plate", 16);
                                  if (!plate) return fail(plate.error());
                                  auto pin = code_field(b, "pin", 12);
                                  if (!pin) return fail(pin.error());
                                  auto visit = b.optional_integer("truck_visit", 1, INT64_MAX);
                                  if (!visit) return fail(visit.error());
                                  auto appt = b.optional_integer("appointment", 1, INT64_MAX);
                                  if (!appt) return fail(appt.error());
                                  MINATO_TRY(b.finish());
                                  auto r = rt_.terminal().gate_out(
                                      c.actor,
                                      {*cid, *plate, *pin, visit->value_or(0), appt->value_or(0)});
                                  if (!r) return fail(r.error());
                                  return raw_json(app::gate_result_json(*r), 201);
                                }))));
}

}  // namespace minato::api
