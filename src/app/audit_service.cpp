#include "app/audit_service.h"

#include <boost/json.hpp>
#include <ctime>

#include "audit/event.h"
#include "audit/merkle_tree.h"

namespace minato::app {

namespace json = boost::json;

AuditService::AuditService(store::Store& store, WritePath& writes, const Clock& clock,
                           int retention_days)
    : store_(store), writes_(writes), clock_(clock), retention_days_(retention_days) {}

Status AuditService::record_read(const access::Actor& actor, const std::string& what) {
  return writes_.execute_status(actor, {"audit.read", "audit", access::Permission::kAuditLog},
                                [&](store::WriteTxn&, Effects& fx) -> Status {
                                  fx.change = what;
                                  return ok();
                                });
}

Result<audit::VerifyReport> AuditService::verify(const access::Actor& actor,
                                                 const audit::VerifyOptions& options) {
  MINATO_TRY(record_read(actor, "audit verify"));
  auto rep = audit::verify(store_, options);
  if (!rep) return fail(rep.error());
  auto st = writes_.execute_status(
      actor, {"audit.verify", "audit", access::Permission::kAuditLog},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.result = rep->intact() ? "success" : "failure";
        fx.reason = rep->intact()
                        ? std::to_string(rep->events) + " events and " +
                              std::to_string(rep->checkpoints) + " checkpoints (" +
                              std::to_string(rep->external) + " outside) intact"
                        : "broken at event " + std::to_string(rep->first_bad) + ": " + rep->problem;
        fx.change = json::serialize(json::object{{"intact", rep->intact()},
                                                 {"events", rep->events},
                                                 {"root", rep->root},
                                                 {"last_checkpoint", rep->last_checkpoint}});
        return ok();
      });
  if (!st) return fail(st.error());
  return rep;
}

Status AuditService::record_access(const access::Actor& actor, const std::string& what,
                                   const std::string& target) {
  return writes_.execute_status(actor, {"data.read", target, access::Permission::kNone},
                                [&](store::WriteTxn&, Effects& fx) -> Status {
                                  fx.change = json::serialize(json::object{{"read", what}});
                                  return ok();
                                });
}

Result<int64_t> AuditService::export_lines(
    const access::Actor& actor, int64_t from, int64_t to, const std::string& origin,
    const std::function<std::string(std::string_view)>* redact,
    const std::function<bool(const std::string&)>& line) {
  if (from < 1 || (to != 0 && to < from)) {
    return fail(ErrorCode::kInvalidArgument,
                "the range must start at 1 or later and not end "
                "before it starts",
                "from");
  }
  json::object what{
      {"query", "export"}, {"from_seq", from}, {"to_seq", to}, {"redacted", redact != nullptr}};
  MINATO_TRY(record_read(actor, json::serialize(what)));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto cps = (*rx)->checkpoints();
  if (!cps) return fail(cps.error());
  auto next_cp = cps->begin();
  int64_t count = 0;
  bool go_on = true;
  auto st = (*rx)->scan_audit(from, [&](const store::AuditRecord& r) {
    if (to != 0 && r.seq > to) return false;
    go_on = line(audit::event_json(r, redact));
    ++count;
    while (next_cp != cps->end() && next_cp->size < r.seq) ++next_cp;
    for (; go_on && next_cp != cps->end() && next_cp->size == r.seq; ++next_cp) {
      go_on = line(audit::checkpoint_json(origin, *next_cp));
    }
    return go_on;
  });
  if (!st) return fail(st.error());
  return count;
}

Result<std::vector<store::AuditRecord>> AuditService::events(const access::Actor& actor,
                                                             const store::AuditQuery& q) {
  if (q.limit < 1 || q.limit > 1000) {
    return fail(ErrorCode::kInvalidArgument, "limit must be from 1 to 1000", "limit");
  }
  json::object what{{"query", "events"},        {"subject", q.subject}, {"action", q.action},
                    {"target", q.target},       {"from_us", q.from_us}, {"to_us", q.to_us},
                    {"after_seq", q.after_seq}, {"limit", q.limit}};
  MINATO_TRY(record_read(actor, json::serialize(what)));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  return (*rx)->query_audit(q);
}

Result<std::vector<store::CheckpointRecord>> AuditService::checkpoints(const access::Actor& actor,
                                                                       int64_t after_size,
                                                                       int limit) {
  if (limit < 1 || limit > 1000) {
    return fail(ErrorCode::kInvalidArgument, "limit must be from 1 to 1000", "limit");
  }
  MINATO_TRY(record_read(
      actor, json::serialize(json::object{{"query", "checkpoints"}, {"after_size", after_size}})));
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto all = (*rx)->checkpoints();
  if (!all) return fail(all.error());
  std::vector<store::CheckpointRecord> out;
  for (auto& c : *all) {
    if (c.size <= after_size) continue;
    out.push_back(std::move(c));
    if (static_cast<int>(out.size()) == limit) break;
  }
  return out;
}

Result<std::vector<audit::Hash>> AuditService::leaves(int64_t size) {
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto head = (*rx)->audit_head();
  if (!head) return fail(head.error());
  if (size < 1 || size > *head) {
    return fail(ErrorCode::kInvalidArgument, "tree size must be from 1 to " + std::to_string(*head),
                "size");
  }
  std::vector<audit::Hash> out;
  out.reserve(static_cast<size_t>(size));
  int64_t expected = 1;
  bool gap = false;
  MINATO_TRY((*rx)->scan_audit_leaves(1, size, [&](int64_t seq, std::string_view leaf) {
    if (seq != expected++) gap = true;
    out.push_back(audit::hash_from_bytes(leaf));
  }));
  if (gap || static_cast<int64_t>(out.size()) != size) {
    return fail(ErrorCode::kDataLoss,
                "the audit log has missing events; run `minato audit verify` for the position");
  }
  return out;
}

Result<InclusionProof> AuditService::inclusion(const access::Actor& actor, int64_t seq,
                                               int64_t size) {
  MINATO_TRY(record_read(
      actor, json::serialize(json::object{{"query", "inclusion"}, {"seq", seq}, {"size", size}})));
  auto all = leaves(size);
  if (!all) return fail(all.error());
  if (seq < 1 || seq > size) {
    return fail(ErrorCode::kInvalidArgument, "seq must be from 1 to the tree size", "seq");
  }
  audit::Tree tree(std::move(*all));
  InclusionProof p;
  p.seq = seq;
  p.size = size;
  p.leaf = audit::to_hex(tree.leaf(static_cast<uint64_t>(seq - 1)));
  for (const auto& h :
       tree.inclusion_proof(static_cast<uint64_t>(seq - 1), static_cast<uint64_t>(size))) {
    p.path.push_back(audit::to_hex(h));
  }
  p.root = audit::to_hex(tree.root(static_cast<uint64_t>(size)));
  return p;
}

Result<ConsistencyProof> AuditService::consistency(const access::Actor& actor, int64_t from,
                                                   int64_t to) {
  MINATO_TRY(record_read(
      actor, json::serialize(json::object{{"query", "consistency"}, {"from", from}, {"to", to}})));
  if (from < 1 || from > to) {
    return fail(ErrorCode::kInvalidArgument, "from must be from 1 to `to`", "from");
  }
  auto all = leaves(to);
  if (!all) return fail(all.error());
  audit::Tree tree(std::move(*all));
  ConsistencyProof p;
  p.from = from;
  p.to = to;
  p.old_root = audit::to_hex(tree.root(static_cast<uint64_t>(from)));
  p.new_root = audit::to_hex(tree.root(static_cast<uint64_t>(to)));
  for (const auto& h :
       tree.consistency_proof(static_cast<uint64_t>(from), static_cast<uint64_t>(to))) {
    p.path.push_back(audit::to_hex(h));
  }
  return p;
}

namespace {

// Microseconds of 00:00 UTC on the first of the month.
int64_t month_start_us(int year, int month) {
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = 1;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000;
}

}  // namespace

Result<PruneResult> AuditService::prune(const access::Actor& actor, int year, int month) {
  if (year < 2000 || year > 9999 || month < 1 || month > 12) {
    return fail(ErrorCode::kInvalidArgument, "give the month as YYYY-MM", "before");
  }
  char before[16];
  std::snprintf(before, sizeof before, "%04d-%02d-01", year, month);
  int64_t cutoff = month_start_us(year, month);
  int64_t keep_from = clock_.now_us() - int64_t{retention_days_} * 86400 * 1'000'000;
  if (cutoff > keep_from) {
    return fail(ErrorCode::kFailedPrecondition,
                std::string("events before ") + before +
                    " are not all past the retention period (" + std::to_string(retention_days_) +
                    " days, audit.retention_days); only whole months older than that may be "
                    "pruned");
  }
  return writes_.execute<PruneResult>(
      actor, {"audit.prune", std::string("audit:before-") + before, access::Permission::kAuditLog},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<PruneResult> {
        auto seq = tx.audit_seq_at(cutoff);
        if (!seq) return fail(seq.error());
        auto n = tx.prune_audit(*seq);
        if (!n) return fail(n.error());
        PruneResult r{before, *seq, *n};
        fx.change = json::serialize(json::object{{"before", before},
                                                 {"before_seq", *seq},
                                                 {"events", *n},
                                                 {"retention_days", retention_days_}});
        fx.checkpoint = true;  // the prune is covered by a checkpoint at once
        return r;
      });
}

}  // namespace minato::app
