// Audit events the benchmarks write: a gate-in with realistic sizes (~280 bytes of leaf data),
// every `login_every`-th a login (0: none), as `seq` at `at_us`.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.h"

namespace minato::bench {

inline store::AuditRecord gate_event(int64_t seq, int64_t at_us, int64_t login_every = 0) {
  store::AuditRecord r;
  r.seq = seq;
  r.at_us = at_us;
  r.subject = "user:clerk" + std::to_string(seq % 40);
  r.credential = "session:1f2e3d4c5b6a7980";
  r.source = "10.20.30." + std::to_string(seq % 200);
  r.action = login_every != 0 && seq % login_every == 0 ? "session.create" : "gate.in";
  r.target = "unit:MSCU" + std::to_string(1'000'000 + seq % 900'000);
  r.result = "success";
  r.request_id = "Xk2-fA9qLw0pZ7mB";
  r.change = R"({"table":"units","op":"update","id":)" + std::to_string(seq) +
             R"(,"state":"in_yard","slot":"A01-03-04-2","truck":"NGY-1234"})";
  return r;
}

}  // namespace minato::bench
