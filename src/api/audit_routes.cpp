// The audit log's routes (G2.7.3-d/e): only the auditor reads the events, checkpoints and
// proofs, and runs `audit verify`; every read is itself recorded (app/audit_service.h).
#include <boost/json.hpp>

#include "api/handlers.h"
#include "app/views.h"
#include "audit/event.h"
#include "audit/merkle.h"
#include "common/clock.h"

namespace minato::api {

namespace json = boost::json;

void Api::add_audit_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };
  auto time_param = [](const std::map<std::string, std::string>& q, const std::string& name,
                       int64_t* us) -> Status {
    auto it = q.find(name);
    if (it == q.end()) return ok();
    if (!parse_utc(it->second, us)) {
      return fail(ErrorCode::kInvalidArgument,
                  name + " must be a UTC time like 2026-11-26T01:00:00Z", name);
    }
    return ok();
  };
  router_.add("GET", "/api/v1/audit/events",
              authed([this, time_param](const HttpRequest& req, const PathParams&,
                                        const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(
                    req.query, {"subject", "action", "target", "from", "to", "after", "limit"});
                if (!q) return fail(q.error());
                store::AuditQuery f;
                if (auto it = q->find("subject"); it != q->end()) f.subject = it->second;
                if (auto it = q->find("action"); it != q->end()) f.action = it->second;
                if (auto it = q->find("target"); it != q->end()) f.target = it->second;
                MINATO_TRY(time_param(*q, "from", &f.from_us));
                MINATO_TRY(time_param(*q, "to", &f.to_us));
                auto after = query_int(*q, "after", 0, 0, INT64_MAX / 2);
                if (!after) return fail(after.error());
                auto limit = query_int(*q, "limit", 100, 1, 1000);
                if (!limit) return fail(limit.error());
                f.after_seq = *after;
                f.limit = static_cast<int>(*limit);
                auto events = rt_.audit().events(c.actor, f);
                if (!events) return fail(events.error());
                json::array arr;
                for (const auto& e : *events) {
                  json::object o{{"seq", e.seq},
                                 {"at", format_utc(e.at_us)},
                                 {"at_us", e.at_us},
                                 {"subject", e.subject},
                                 {"credential", e.credential},
                                 {"source", e.source},
                                 {"action", e.action},
                                 {"target", e.target},
                                 {"result", e.result},
                                 {"reason", e.reason},
                                 {"request_id", e.request_id},
                                 {"leaf", audit::to_hex(audit::hash_from_bytes(e.leaf))}};
                  if (e.pruned) o["pruned"] = true;
                  boost::system::error_code ec;
                  json::value change = e.change.empty() ? json::value() : json::parse(e.change, ec);
                  o["change"] = ec ? json::value(e.change) : change;
                  arr.push_back(std::move(o));
                }
                json::object body{{"events", std::move(arr)}};
                // The next page starts after the last event returned.
                body["next_after"] = static_cast<int64_t>(events->size()) == f.limit
                                         ? json::value(events->back().seq)
                                         : json::value(nullptr);
                return ok_json(body);
              }));
  router_.add("GET", "/api/v1/audit/checkpoints",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"after", "limit"});
                if (!q) return fail(q.error());
                auto after = query_int(*q, "after", 0, 0, INT64_MAX / 2);
                if (!after) return fail(after.error());
                auto limit = query_int(*q, "limit", 100, 1, 1000);
                if (!limit) return fail(limit.error());
                auto cps = rt_.audit().checkpoints(c.actor, *after, static_cast<int>(*limit));
                if (!cps) return fail(cps.error());
                json::array arr;
                for (const auto& cp : *cps) {
                  arr.push_back(json::parse(audit::checkpoint_json(rt_.config().audit_origin, cp)));
                }
                return ok_json(json::object{{"checkpoints", std::move(arr)}});
              }));
  router_.add("GET", "/api/v1/audit/proofs/inclusion",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"seq", "size"});
                if (!q) return fail(q.error());
                auto seq = query_int(*q, "seq", 0, 1, INT64_MAX / 2);
                if (!seq) return fail(seq.error());
                auto size = query_int(*q, "size", *seq, 1, INT64_MAX / 2);
                if (!size) return fail(size.error());
                auto p = rt_.audit().inclusion(c.actor, *seq, *size);
                if (!p) return fail(p.error());
                json::array path;
                for (const auto& h : p->path) path.emplace_back(h);
                return ok_json(json::object{{"seq", p->seq},
                                            {"size", p->size},
                                            {"leaf", p->leaf},
                                            {"path", std::move(path)},
                                            {"root", p->root}});
              }));
  router_.add("GET", "/api/v1/audit/proofs/consistency",
              authed([this](const HttpRequest& req, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto q = parse_query(req.query, {"from", "to"});
                if (!q) return fail(q.error());
                auto from = query_int(*q, "from", 0, 1, INT64_MAX / 2);
                if (!from) return fail(from.error());
                auto to = query_int(*q, "to", 0, 1, INT64_MAX / 2);
                if (!to) return fail(to.error());
                auto p = rt_.audit().consistency(c.actor, *from, *to);
                if (!p) return fail(p.error());
                json::array path;
                for (const auto& h : p->path) path.emplace_back(h);
                return ok_json(json::object{{"from", p->from},
                                            {"to", p->to},
                                            {"old_root", p->old_root},
                                            {"new_root", p->new_root},
                                            {"path", std::move(path)}});
              }));

  // G2.7.3-d: `audit verify` from the console: the whole log against its checkpoints (and the
  // copies kept outside when audit.checkpoint_dir is set); recorded with its outcome.
  router_.add("GET", "/api/v1/audit/verify",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto opts = rt_.verify_options();
                if (!opts) return fail(opts.error());
                auto rep = rt_.audit().verify(c.actor, *opts);
                if (!rep) return fail(rep.error());
                json::object out = app::to_json(*rep);
                out["at"] = format_utc(rt_.clock().now_us());
                return ok_json(out);
              }));
}

}  // namespace minato::api
