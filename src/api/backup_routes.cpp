// Backups as people see them (G2.7.2): each target's newest set, its age against its schedule
// and whether a vault has pulled it; a set made now; the restore drills recorded. Reading
// needs backup.run or audit.read, making a set backup.run (BackupService checks both). The
// drill itself runs where the sets are kept, on the vault's host (`minato backup drill`): it
// needs the recovery passphrase, which the live server never holds.
#include <boost/json.hpp>

#include "api/handlers.h"
#include "common/clock.h"

namespace minato::api {

namespace json = boost::json;

void Api::add_backup_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  router_.add("GET", "/api/v1/backups",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto o = rt_.backup().overview(c.actor);
                if (!o) return fail(o.error());
                json::array targets;
                for (const auto& s : o->targets) {
                  json::object t{
                      {"target", s.target},
                      {"every_minutes", s.every_minutes},
                      {"newest", s.newest.empty() ? json::value(nullptr) : json::value(s.newest)},
                      {"newest_at", s.newest_us == 0 ? json::value(nullptr)
                                                     : json::value(format_utc(s.newest_us))},
                      {"age_s", s.age_s < 0 ? json::value(nullptr) : json::value(s.age_s)},
                      {"overdue", s.overdue},
                      {"sets", s.sets},
                      {"stored_bytes", s.stored_bytes},
                      {"pulled_by_vault", s.newest_pulled_us == 0
                                              ? json::value(nullptr)
                                              : json::value(format_utc(s.newest_pulled_us))}};
                  targets.push_back(std::move(t));
                }
                return ok_json(json::object{{"configured", o->configured},
                                            {"at", format_utc(rt_.clock().now_us())},
                                            {"targets", std::move(targets)}});
              }));

  // A set made now: {"target": "database"}. No path names a set: nothing here deletes,
  // prunes or replaces one (the vault alone decides what it keeps).
  router_.add("POST", "/api/v1/backups",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto target = b.string("target", 16);
                    if (!target) return fail(target.error());
                    MINATO_TRY(b.finish());
                    auto m = rt_.backup().create(c.actor, *target);
                    if (!m) return fail(m.error());
                    return ok_json(json::object{{"set", m->set_id},
                                                {"target", m->target},
                                                {"created", format_utc(m->created_us)},
                                                {"plain_bytes", m->plain_bytes()},
                                                {"stored_bytes", m->stored_bytes()}},
                                   201);
                  })));

  router_.add("GET", "/api/v1/backups/drills",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"limit"});
                if (!q) return fail(q.error());
                auto limit = query_int(*q, "limit", 20, 1, 100);
                if (!limit) return fail(limit.error());
                auto list = rt_.backup().drills(c.actor, static_cast<int>(*limit));
                if (!list) return fail(list.error());
                json::array arr;
                for (const auto& d : *list) {
                  json::value record = nullptr;
                  if (!d.record.empty()) {
                    boost::system::error_code ec;
                    record = json::parse(d.record, ec);
                    if (ec) record = d.record;  // shown as recorded
                  }
                  arr.push_back(json::object{{"seq", d.seq},
                                             {"at", format_utc(d.at_us)},
                                             {"by", d.subject},
                                             {"passed", d.passed},
                                             {"record", std::move(record)}});
                }
                return ok_json(json::object{{"drills", std::move(arr)}});
              }));
}

}  // namespace minato::api
