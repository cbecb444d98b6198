// The gate's routes around each interchange: appointment slots and their capacity, truck
// appointments, trucks from arrival to exit (turn time), and the EIR of every gate transaction
// as HTML or PDF. The gate-in and gate-out themselves are in terminal_routes.cpp.
#include <boost/json.hpp>

#include "api/handlers.h"
#include "app/views.h"
#include "common/clock.h"

namespace minato::api {

namespace json = boost::json;
namespace t = minato::terminal;

namespace {

// A period from the query (?from=...&to=..., UTC); the default is the day from now.
Result<std::pair<int64_t, int64_t>> period(const std::map<std::string, std::string>& q,
                                           int64_t default_from, int64_t default_to) {
  std::pair<int64_t, int64_t> out{default_from, default_to};
  for (auto [key, dst] : {std::pair{"from", &out.first}, std::pair{"to", &out.second}}) {
    auto it = q.find(key);
    if (it == q.end()) continue;
    if (!parse_utc(it->second, dst)) {
      return fail(ErrorCode::kInvalidArgument,
                  std::string(key) + " must be a UTC time like 2026-11-25T08:00:00Z", key);
    }
  }
  return out;
}

constexpr int64_t kDay = 24LL * 3600 * 1'000'000;

}  // namespace

void Api::add_gate_routes() {
  // --- appointment slots -------------------------------------------------------------------
  router_.add("PUT", "/api/v1/gate/slots",
              authed(idempotent(
                  200, with_body([this](JsonBody& b, const PathParams&,
                                        const Caller& c) -> Result<HttpResponse> {
                    app::SlotRun run;
                    auto from = time_field(b, "from");
                    if (!from) return fail(from.error());
                    auto to = time_field(b, "to");
                    if (!to) return fail(to.error());
                    auto minutes = b.integer("minutes", 5, 1440);
                    if (!minutes) return fail(minutes.error());
                    auto capacity = b.integer("capacity", 0, 10'000);
                    if (!capacity) return fail(capacity.error());
                    MINATO_TRY(b.finish());
                    run = {*from, *to, static_cast<int>(*minutes), static_cast<int>(*capacity)};
                    auto slots = rt_.gate().define_slots(c.actor, run);
                    if (!slots) return fail(slots.error());
                    json::array arr;
                    for (const auto& g : *slots) arr.push_back(app::to_json(g));
                    return ok_json(json::object{{"slots", std::move(arr)}});
                  }))));
  router_.add("GET", "/api/v1/gate/slots",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"from", "to"});
                if (!q) return fail(q.error());
                int64_t now = rt_.clock().now_us();
                auto p = period(*q, now, now + kDay);
                if (!p) return fail(p.error());
                auto slots = rt_.gate().slots(c.actor, p->first, p->second);
                if (!slots) return fail(slots.error());
                json::array arr;
                for (const auto& g : *slots) arr.push_back(app::to_json(g));
                return ok_json(json::object{{"slots", std::move(arr)}});
              }));

  // --- appointments --------------------------------------------------------------------------
  router_.add(
      "POST", "/api/v1/gate/appointments",
      authed(idempotent(
          201, with_body([this](JsonBody& b, const PathParams&,
                                const Caller& c) -> Result<HttpResponse> {
            auto slot = time_field(b, "slot");
            if (!slot) return fail(slot.error());
            auto dir = b.string("direction", 3);
            if (!dir) return fail(dir.error());
            auto d = t::gate_direction_from(*dir);
            if (!d) {
              return fail(ErrorCode::kInvalidArgument, "direction is in or out", "direction");
            }
            auto cid_text = b.string("container_id", 32);
            if (!cid_text) return fail(cid_text.error());
            auto cid = t::ContainerId::parse(*cid_text);
            if (!cid) return fail(cid.error());
            auto plate = b.string("truck_plate", 16);
            if (!plate) return fail(plate.error());
            auto haulier = b.optional_string("haulier", 12);
            if (!haulier) return fail(haulier.error());
            MINATO_TRY(b.finish());
            app::AppointmentRequest r{*slot, *d, std::move(*cid), *plate, haulier->value_or("")};
            auto a = rt_.gate().book(c.actor, std::move(r));
            if (!a) return fail(a.error());
            return ok_json(app::to_json(*a), 201);
          }))));
  router_.add("GET", "/api/v1/gate/appointments/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto a = rt_.gate().appointment(c.actor, *id);
                if (!a) return fail(a.error());
                return ok_json(app::to_json(*a));
              }));
  router_.add("DELETE", "/api/v1/gate/appointments/{id}",
              authed(idempotent(200,
                                [this](const HttpRequest&, const PathParams& p,
                                       const Caller& c) -> Result<HttpResponse> {
                                  auto id = id_param(p, "id");
                                  if (!id) return fail(id.error());
                                  auto a = rt_.gate().cancel(c.actor, *id);
                                  if (!a) return fail(a.error());
                                  return ok_json(app::to_json(*a));
                                })));

  // --- trucks: arrival, exit, turn time ------------------------------------------------------
  router_.add("POST", "/api/v1/gate/trucks",
              authed(idempotent(201, with_body([this](JsonBody& b, const PathParams&,
                                                      const Caller& c) -> Result<HttpResponse> {
                                  app::TruckArrival r;
                                  auto plate = b.string("truck_plate", 16);
                                  if (!plate) return fail(plate.error());
                                  r.truck_plate = *plate;
                                  auto haulier = b.optional_string("haulier", 12);
                                  if (!haulier) return fail(haulier.error());
                                  r.haulier = haulier->value_or("");
                                  auto lane = b.optional_string("lane", 16);
                                  if (!lane) return fail(lane.error());
                                  r.lane = lane->value_or("");
                                  MINATO_TRY(b.finish());
                                  auto v = rt_.gate().truck_arrived(c.actor, std::move(r));
                                  if (!v) return fail(v.error());
                                  return ok_json(app::to_json(*v), 201);
                                }))));
  // The gate queue: trucks inside, the longest waiting first.
  router_.add("GET", "/api/v1/gate/trucks",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"limit"});
                if (!q) return fail(q.error());
                auto limit = query_int(*q, "limit", 100, 1, 500);
                if (!limit) return fail(limit.error());
                auto in = rt_.gate().trucks_inside(c.actor, static_cast<int>(*limit));
                if (!in) return fail(in.error());
                json::array arr;
                for (const auto& v : in->trucks) arr.push_back(app::to_json(v));
                return ok_json(json::object{{"trucks", std::move(arr)}, {"inside", in->inside}});
              }));
  router_.add("GET", "/api/v1/gate/trucks/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto v = rt_.gate().truck_visit(c.actor, *id);
                if (!v) return fail(v.error());
                return ok_json(app::to_json(*v));
              }));
  router_.add("POST", "/api/v1/gate/trucks/{id}/exit",
              authed(idempotent(200,
                                [this](const HttpRequest&, const PathParams& p,
                                       const Caller& c) -> Result<HttpResponse> {
                                  auto id = id_param(p, "id");
                                  if (!id) return fail(id.error());
                                  auto v = rt_.gate().truck_exited(c.actor, *id);
                                  if (!v) return fail(v.error());
                                  return ok_json(app::to_json(*v));
                                })));
  router_.add("GET", "/api/v1/gate/turn-times",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"from", "to"});
                if (!q) return fail(q.error());
                int64_t now = rt_.clock().now_us();
                auto p = period(*q, now - kDay, now + 1);
                if (!p) return fail(p.error());
                auto tt = rt_.gate().turn_times(c.actor, p->first, p->second);
                if (!tt) return fail(tt.error());
                return ok_json(json::object{{"from", format_utc(p->first)},
                                            {"to", format_utc(p->second)},
                                            {"trucks", tt->trucks},
                                            {"mean_s", tt->mean_s},
                                            {"p50_s", tt->p50_s},
                                            {"p90_s", tt->p90_s},
                                            {"max_s", tt->max_s},
                                            {"inside", tt->inside}});
              }));

  // --- EIR -----------------------------------------------------------------------------------
  router_.add("GET", "/api/v1/gate/transactions/{id}/eir",
              authed([this](const HttpRequest& req, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p, "id");
                if (!id) return fail(id.error());
                auto q = parse_query(req.query, {"format"});
                if (!q) return fail(q.error());
                auto it = q->find("format");
                std::string format = it == q->end() ? "html" : it->second;
                auto eir = rt_.gate().eir(c.actor, *id, format);
                if (!eir) return fail(eir.error());
                HttpResponse r;
                r.content_type = eir->content_type;
                r.body = std::move(eir->body);
                r.headers.emplace_back("Content-Disposition",
                                       (format == "pdf" ? "attachment" : "inline") +
                                           std::string("; filename=\"") + eir->filename + "\"");
                return r;
              }));
}

}  // namespace minato::api
