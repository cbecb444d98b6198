#include "audit/event.h"

#include <boost/json.hpp>

#include "crypto/random.h"

namespace minato::audit {

namespace json = boost::json;

namespace {

void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
void put_field(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out += s;
}

// Keys in a change record whose string values are personal data (A1.4.4: kept out of copies
// that leave the system where they are not needed).
bool personal_key(std::string_view k) {
  return k == "email" || k == "mail" || k == "name" || k == "display_name" || k == "phone" ||
         k == "driver" || k == "driver_name";
}

void redact_value(json::value& v, const std::function<std::string(std::string_view)>& redact) {
  if (auto* o = v.if_object()) {
    for (auto& [k, val] : *o) {
      if (personal_key(k) && val.is_string()) {
        val = redact(val.as_string());
      } else {
        redact_value(val, redact);
      }
    }
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a) redact_value(e, redact);
  }
}

}  // namespace

std::string encode_event(const store::AuditRecord& r) {
  std::string buf = "minato/audit/2";
  buf.reserve(96 + r.subject.size() + r.credential.size() + r.source.size() + r.action.size() +
              r.target.size() + r.result.size() + r.reason.size() + r.request_id.size() +
              r.change.size());
  put_u64(buf, static_cast<uint64_t>(r.seq));
  put_u64(buf, static_cast<uint64_t>(r.at_us));
  put_field(buf, r.subject);
  put_field(buf, r.credential);
  put_field(buf, r.source);
  put_field(buf, r.action);
  put_field(buf, r.target);
  put_field(buf, r.result);
  put_field(buf, r.reason);
  put_field(buf, r.request_id);
  put_field(buf, r.change);
  return buf;
}

namespace {

Hash leaf_of(int64_t seq, int64_t at_us, std::initializer_list<std::string_view> fields) {
  // The same bytes as encode_event(), hashed as they are produced (no copy of the fields).
  LeafHasher h;
  h.add("minato/audit/2");
  h.add_u64(static_cast<uint64_t>(seq));
  h.add_u64(static_cast<uint64_t>(at_us));
  for (std::string_view f : fields) {
    h.add_u64(f.size());
    h.add(f);
  }
  return h.finish();
}

}  // namespace

Hash event_leaf(const store::AuditRecord& r) {
  return leaf_of(r.seq, r.at_us,
                 {r.subject, r.credential, r.source, r.action, r.target, r.result, r.reason,
                  r.request_id, r.change});
}

Hash event_leaf(const store::AuditRowView& r) {
  return leaf_of(r.seq, r.at_us,
                 {r.subject, r.credential, r.source, r.action, r.target, r.result, r.reason,
                  r.request_id, r.change});
}

std::string key_id_of(std::string_view public_key) {
  return crypto::to_hex(crypto::sha256(public_key).substr(0, 8));
}

std::string checkpoint_body(std::string_view origin, const store::CheckpointRecord& c) {
  std::string out = "minato/audit/checkpoint/1\n";
  out += origin;
  out += '\n';
  out += std::to_string(c.size) + "\n";
  out += to_hex(hash_from_bytes(c.root)) + "\n";
  out += std::to_string(c.at_us) + "\n";
  out += c.key_id + "\n";
  return out;
}

std::string event_json(const store::AuditRecord& r,
                       const std::function<std::string(std::string_view)>* redact) {
  json::object o{{"type", "event"},
                 {"seq", r.seq},
                 {"at_us", r.at_us},
                 {"subject", r.subject},
                 {"credential", r.credential},
                 {"source", r.source},
                 {"action", r.action},
                 {"target", r.target},
                 {"result", r.result},
                 {"reason", r.reason},
                 {"request_id", r.request_id},
                 {"leaf", to_hex(hash_from_bytes(r.leaf))}};
  if (r.pruned) o["pruned"] = true;
  if (redact == nullptr || r.change.empty()) {
    o["change"] = r.change;
  } else {
    // The shipped copy: personal values replaced; the leaf still proves the original.
    boost::system::error_code ec;
    json::value v = json::parse(r.change, ec);
    if (ec) {
      o["change"] = (*redact)(r.change);
    } else {
      redact_value(v, *redact);
      o["change"] = json::serialize(v);
    }
    o["redacted"] = true;
  }
  return json::serialize(o);
}

std::string checkpoint_json(std::string_view origin, const store::CheckpointRecord& c) {
  json::object o{{"type", "checkpoint"},
                 {"origin", origin},
                 {"size", c.size},
                 {"root", to_hex(hash_from_bytes(c.root))},
                 {"at_us", c.at_us},
                 {"key_id", c.key_id},
                 {"signature", crypto::to_hex(c.signature)}};
  return json::serialize(o);
}

}  // namespace minato::audit
