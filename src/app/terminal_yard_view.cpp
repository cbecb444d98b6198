// TerminalService's views of the yard for the console: the map of every stack and the units of
// one stack. Reads only; the yard (in memory) gives the stacks, the store the holds and units.
#include <mutex>

#include "app/terminal_service.h"

namespace minato::app {

namespace t = minato::terminal;
using access::Permission;

Result<std::vector<BlockMap>> TerminalService::yard_map(const access::Actor& actor) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  // The held units first (from the store, page by page), then the yard under its lock.
  std::vector<int64_t> held_units;
  {
    auto rx = store_.read();
    if (!rx) return fail(rx.error());
    store::UnitQuery q;
    q.state = "in_yard";
    q.on_hold = true;
    q.limit = 1000;
    for (;;) {
      auto page = (*rx)->list_units(q);
      if (!page) return fail(page.error());
      for (const auto& u : *page) held_units.push_back(u.id());
      if (page->size() < static_cast<size_t>(q.limit)) break;
      q.after_id = page->back().id();
    }
  }
  std::shared_lock lock(yard_mu_);
  std::vector<BlockMap> out;
  for (const auto& spec : yard_.blocks()) {
    auto stacks = yard_.stacks(spec.name);
    if (!stacks) return fail(stacks.error());
    BlockMap m{spec, std::move(*stacks), {}};
    m.held.assign(m.stacks.size(), 0);
    out.push_back(std::move(m));
  }
  for (int64_t id : held_units) {
    auto slot = yard_.where(id);
    if (!slot) continue;  // left the yard since the read
    for (auto& m : out) {
      if (m.block.name != slot->block()) continue;
      // A 20-foot unit stands on odd bay b (bay20 (b+1)/2); a 40-foot one on even bay b, over
      // bay20s b/2 and b/2 + 1.
      const int bay = slot->bay();
      const int first = bay % 2 == 1 ? (bay + 1) / 2 : bay / 2;
      const int last = bay % 2 == 1 ? first : first + 1;
      for (int b20 = first; b20 <= last; ++b20) {
        const auto i = static_cast<size_t>((b20 - 1) * m.block.rows + slot->row() - 1);
        if (i < m.held.size()) m.held[i] = 1;
      }
    }
  }
  return out;
}

Result<std::vector<t::Unit>> TerminalService::stack_units(const access::Actor& actor,
                                                          const std::string& block, int bay20,
                                                          int row) {
  MINATO_TRY(require(actor, Permission::kTerminalRead));
  std::vector<int64_t> ids;
  {
    std::shared_lock lock(yard_mu_);
    auto found = yard_.stack_units(block, bay20, row);
    if (!found) return fail(found.error());
    ids = std::move(*found);
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  std::vector<t::Unit> out;
  for (int64_t id : ids) {
    auto u = (*rx)->find_unit(id);
    if (!u) return fail(u.error());
    if (*u) out.push_back(std::move(**u));
  }
  return out;
}

}  // namespace minato::app
