#include "audit/audit_chain.h"

#include "crypto/random.h"

namespace minato::audit {

namespace {

void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
void put_field(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

const std::string& genesis() {
  static const std::string kZero(32, '\0');
  return kZero;
}

}  // namespace

std::string chain_hash(const std::string& prev_hash, const store::AuditRecord& r) {
  std::string buf = "minato-audit-v1";
  buf.reserve(256 + r.change.size());
  put_field(buf, prev_hash);
  put_u64(buf, static_cast<uint64_t>(r.seq));
  put_u64(buf, static_cast<uint64_t>(r.at_us));
  put_field(buf, r.subject);
  put_field(buf, r.source);
  put_field(buf, r.action);
  put_field(buf, r.target);
  put_field(buf, r.result);
  put_field(buf, r.reason);
  put_field(buf, r.change);
  return crypto::sha256(buf);
}

Result<int64_t> append(store::WriteTxn& tx, const AuditEvent& e) {
  auto last = tx.last_audit();
  if (!last) return fail(last.error());
  store::AuditRecord r;
  r.seq = *last ? (*last)->seq + 1 : 1;
  r.prev_hash = *last ? (*last)->hash : genesis();
  r.at_us = e.at_us;
  r.subject = e.subject;
  r.source = e.source;
  r.action = e.action;
  r.target = e.target;
  r.result = e.result;
  r.reason = e.reason;
  r.change = e.change;
  r.hash = chain_hash(r.prev_hash, r);
  MINATO_TRY(tx.append_audit(r));
  return r.seq;
}

Result<VerifyReport> verify(store::ReadTxn& rx) {
  VerifyReport rep;
  std::string prev = genesis();
  int64_t expected_seq = 1;
  auto st = rx.scan_audit(1, [&](const store::AuditRecord& r) {
    auto bad = [&](std::string why) {
      rep.first_bad = r.seq;
      rep.problem = std::move(why);
      return false;
    };
    if (r.seq != expected_seq) {
      return bad("expected event " + std::to_string(expected_seq) + " but found " +
                 std::to_string(r.seq) + " (events missing or reordered)");
    }
    if (!crypto::constant_time_equal(r.prev_hash, prev)) {
      return bad(
          "its link to the previous event does not match (an earlier event was changed or "
          "removed)");
    }
    if (!crypto::constant_time_equal(chain_hash(prev, r), r.hash)) {
      return bad("its content does not match its hash (the event was changed)");
    }
    prev = r.hash;
    ++expected_seq;
    ++rep.events;
    return true;
  });
  if (!st) return fail(st.error());
  rep.head_hash = crypto::to_hex(prev);
  return rep;
}

}  // namespace minato::audit
