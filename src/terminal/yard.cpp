#include "terminal/yard.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>

namespace minato::terminal {

namespace {

// Ground geometry for segregation distances: a 20-foot unit is 6.06 m by 2.44 m; stacks are
// laid out at 6.5 m along the block and 2.9 m across (the usual gaps for spreaders).
constexpr double kBayPitchM = 6.5, kUnitLengthM = 6.06, kRowPitchM = 2.9, kUnitWidthM = 2.44;

int first_column(int bay) { return bay % 2 == 1 ? (bay - 1) / 2 : (bay - 2) / 2; }
int last_column(int bay) { return bay % 2 == 1 ? (bay - 1) / 2 : bay / 2; }

// Horizontal gap in metres between the footprints of two stacks.
double gap_m(int bay_a, int row_a, int bay_b, int row_b) {
  double ax0 = first_column(bay_a) * kBayPitchM,
         ax1 = last_column(bay_a) * kBayPitchM + kUnitLengthM;
  double bx0 = first_column(bay_b) * kBayPitchM,
         bx1 = last_column(bay_b) * kBayPitchM + kUnitLengthM;
  double ay0 = (row_a - 1) * kRowPitchM, ay1 = ay0 + kUnitWidthM;
  double by0 = (row_b - 1) * kRowPitchM, by1 = by0 + kUnitWidthM;
  double gx = std::max({0.0, bx0 - ax1, ax0 - bx1});
  double gy = std::max({0.0, by0 - ay1, ay0 - by1});
  return std::sqrt(gx * gx + gy * gy);
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string mask_names(uint32_t mask) {
  std::string out;
  for (int c = 0; c < 17; ++c) {
    if (!(mask & (1u << c))) continue;
    if (!out.empty()) out += ", ";
    out += segregation_column_name(c);
  }
  return out;
}

}  // namespace

int weight_class(int gross_kg, bool empty) {
  if (empty) return 0;
  if (gross_kg <= 10'000) return 1;
  if (gross_kg <= 20'000) return 2;
  if (gross_kg <= 28'000) return 3;
  return 4;
}

void Yard::reset_stacks(Block& b) {
  const YardBlock& s = b.spec;
  const auto n = static_cast<size_t>(s.bays * s.rows);
  b.height.assign(n, 0);
  b.top.assign(n, StackTop{});
  b.plug.assign(n, 0);
  for (int c = 0; c < s.bays; ++c) {
    for (int row = 1; row <= s.rows; ++row) {
      b.plug[static_cast<size_t>(c * s.rows + row - 1)] = s.has_plug(2 * c + 1, row) ? 1 : 0;
    }
  }
}

uint32_t& Yard::cell(Block& b, int column, int row, int tier) {
  return b.cells[static_cast<size_t>(((column * b.spec.rows) + row - 1) * b.spec.tiers + tier - 1)];
}

uint32_t Yard::cell(const Block& b, int column, int row, int tier) const {
  return b.cells[static_cast<size_t>(((column * b.spec.rows) + row - 1) * b.spec.tiers + tier - 1)];
}

const Yard::Entry* Yard::entry_at(const Block& b, int column, int row, int tier) const {
  uint32_t v = cell(b, column, row, tier);
  return v == 0 ? nullptr : &entries_[v - 1];
}

Result<size_t> Yard::block_index(std::string_view name) const {
  for (size_t i = 0; i < blocks_.size(); ++i) {
    if (blocks_[i].spec.name == name) return i;
  }
  return fail(ErrorCode::kNotFound, "yard block " + std::string(name) + " does not exist", "slot");
}

const YardBlock* Yard::find_block(std::string_view name) const {
  auto i = block_index(name);
  return i ? &blocks_[*i].spec : nullptr;
}

std::vector<YardBlock> Yard::blocks() const {
  std::vector<YardBlock> out;
  out.reserve(blocks_.size());
  for (const auto& b : blocks_) out.push_back(b.spec);
  return out;
}

Status Yard::add_block(const YardBlock& spec) {
  MINATO_TRY(spec.validate());
  if (find_block(spec.name)) {
    return fail(ErrorCode::kAlreadyExists, "yard block " + spec.name + " exists", "name");
  }
  if (blocks_.size() >= 4096) {
    return fail(ErrorCode::kResourceExhausted, "the yard has its maximum of 4096 blocks");
  }
  Block b;
  b.spec = spec;
  b.cells.assign(static_cast<size_t>(spec.bays * spec.rows * spec.tiers), 0);
  reset_stacks(b);
  blocks_.push_back(std::move(b));
  return ok();
}

Status Yard::update_block(const YardBlock& spec) {
  MINATO_TRY(spec.validate());
  auto bi = block_index(spec.name);
  if (!bi) return fail(bi.error());
  // Take the block's units out (lowest tiers first back in), change the shape, and put them
  // back by the rules; if one no longer fits, everything returns as it was.
  std::vector<uint32_t> inside;
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].block == *bi && by_unit_.count(entries_[i].item.unit_id) &&
        by_unit_.at(entries_[i].item.unit_id) == i) {
      inside.push_back(i);
    }
  }
  std::sort(inside.begin(), inside.end(),
            [&](uint32_t a, uint32_t b) { return entries_[a].tier < entries_[b].tier; });
  for (uint32_t i : inside) vacate(i);
  Block old = blocks_[*bi];
  Block& b = blocks_[*bi];
  b.spec = spec;
  b.cells.assign(static_cast<size_t>(spec.bays * spec.rows * spec.tiers), 0);
  reset_stacks(b);
  b.dangerous.clear();
  b.used_teu = b.units = 0;
  for (size_t k = 0; k < inside.size(); ++k) {
    const Entry& e = entries_[inside[k]];
    Status fits = check_at(e.item, *bi, e.bay, e.row, e.tier);
    if (!fits) {
      std::string where = slot_of(e).str();
      for (size_t j = 0; j < k; ++j) vacate(inside[j]);
      b = std::move(old);
      for (uint32_t i : inside) occupy(i);
      return fail(ErrorCode::kConflict, "block " + spec.name + " cannot change so: the unit at " +
                                            where + " would break a rule (" +
                                            fits.error().message() + ")");
    }
    occupy(inside[k]);
  }
  return ok();
}

Status Yard::remove_block(std::string_view name) {
  auto bi = block_index(name);
  if (!bi) return fail(bi.error());
  if (blocks_[*bi].units > 0) {
    return fail(ErrorCode::kConflict, "yard block " + std::string(name) + " still holds " +
                                          std::to_string(blocks_[*bi].units) + " units");
  }
  blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(*bi));
  for (auto& e : entries_) {
    if (e.block > *bi) --e.block;
  }
  return ok();
}

YardSlot Yard::slot_of(const Entry& e) const {
  return YardSlot::at(blocks_[e.block].spec.name, e.bay, e.row, e.tier);
}

std::vector<uint8_t> Yard::segregation_map(const StackItem& item, size_t bi) const {
  const Block& b = blocks_[bi];
  const int bays = b.spec.bays, rows = b.spec.rows;
  std::vector<uint8_t> marks(static_cast<size_t>(bays * rows), 0);
  for (uint32_t idx : b.dangerous) {
    const Entry& other = entries_[idx];
    if (other.item.unit_id == item.unit_id) continue;
    int code = segregation_masks(item.dg_mask, other.item.dg_mask);
    if (code == 0) continue;
    const double need = land_distance_m(code);
    // Only stacks within reach can be too close: a box around the other unit's footprint.
    const int reach_c = static_cast<int>(need / kBayPitchM) + 1;
    const int reach_r = static_cast<int>(need / kRowPitchM) + 1;
    for (int c = std::max(0, first_column(other.bay) - reach_c);
         c <= std::min(bays - 1, last_column(other.bay) + reach_c); ++c) {
      for (int r = std::max(1, other.row - reach_r); r <= std::min(rows, other.row + reach_r);
           ++r) {
        if (gap_m(2 * c + 1, r, other.bay, other.row) + 1e-9 < need) {
          marks[static_cast<size_t>(c * rows + r - 1)] = 1;
        }
      }
    }
  }
  return marks;
}

Status Yard::check_segregation(const StackItem& item, size_t bi, int bay, int row) const {
  for (uint32_t idx : blocks_[bi].dangerous) {
    const Entry& other = entries_[idx];
    if (other.item.unit_id == item.unit_id) continue;
    int code = segregation_masks(item.dg_mask, other.item.dg_mask);
    double gap = gap_m(bay, row, other.bay, other.row);
    if (code == 0 || gap + 1e-9 >= land_distance_m(code)) continue;
    char metres[32];
    std::snprintf(metres, sizeof metres, "%.1f", gap);
    return fail(ErrorCode::kConflict,
                "IMDG segregation: class " + mask_names(item.dg_mask) + " must be " +
                    std::to_string(land_distance_m(code)) + " m from class " +
                    mask_names(other.item.dg_mask) + " (the unit at " + slot_of(other).str() +
                    "); this stack is " + metres + " m away",
                "slot");
  }
  return ok();
}

Status Yard::check_at(const StackItem& item, size_t bi, int bay, int row, int tier) const {
  const Block& b = blocks_[bi];
  const YardBlock& s = b.spec;
  const std::string here = s.name + "-" + two(bay) + "-" + two(row) + "-" + std::to_string(tier);
  if (item.forty()) {
    if (bay % 2 == 1) {
      return fail(
          ErrorCode::kInvalidArgument,
          "a 40-foot unit stands on an even bay (02, 04, ...); " + here + " is a 20-foot position",
          "slot");
    }
    if (bay > s.max_bay() - 1) {
      return fail(ErrorCode::kInvalidArgument,
                  "yard slot " + here + " is outside block " + s.name + " (40-foot bays 02-" +
                      two(s.max_bay() - 1) + ")",
                  "slot");
    }
  } else {
    if (bay % 2 == 0) {
      return fail(
          ErrorCode::kInvalidArgument,
          "a 20-foot unit stands on an odd bay (01, 03, ...); " + here + " is a 40-foot position",
          "slot");
    }
    if (bay > s.max_bay()) {
      return fail(ErrorCode::kInvalidArgument,
                  "yard slot " + here + " is outside block " + s.name + " (bays 01-" +
                      two(s.max_bay()) + ")",
                  "slot");
    }
  }
  if (row > s.rows) {
    return fail(ErrorCode::kInvalidArgument,
                "yard slot " + here + " is outside block " + s.name + " (rows 1-" +
                    std::to_string(s.rows) + ")",
                "slot");
  }
  if (tier > s.tiers) {
    return fail(ErrorCode::kInvalidArgument,
                "yard slot " + here + " is above the stacking limit of block " + s.name + " (" +
                    std::to_string(s.tiers) + " high)",
                "slot");
  }
  const int c0 = first_column(bay), c1 = last_column(bay);
  for (int c = c0; c <= c1; ++c) {
    if (cell(b, c, row, tier) != 0) {
      return fail(ErrorCode::kConflict,
                  "yard slot " + here + " is occupied by the unit at " +
                      slot_of(*entry_at(b, c, row, tier)).str(),
                  "slot");
    }
  }
  if (tier > 1) {
    for (int c = c0; c <= c1; ++c) {
      const Entry* below = entry_at(b, c, row, tier - 1);
      if (below == nullptr) {
        return fail(ErrorCode::kConflict,
                    "no floating tier: nothing stands below " + here + " (tier " +
                        std::to_string(tier - 1) + " of bay " + two(2 * c + 1) + " is empty)",
                    "slot");
      }
      if (item.forty() && !(below->item.forty() && below->bay == bay)) {
        return fail(ErrorCode::kConflict,
                    "a 40-foot unit stands only on a 40-foot unit at the same bay; below " + here +
                        " is the unit at " + slot_of(*below).str(),
                    "slot");
      }
      if (!item.forty() && below->item.forty()) {
        return fail(ErrorCode::kConflict,
                    "a 20-foot unit cannot stand on a 40-foot unit (the unit at " +
                        slot_of(*below).str() + ")",
                    "slot");
      }
    }
  }
  if (item.powered) {
    for (int c = c0; c <= c1; ++c) {
      if (!s.has_plug(2 * c + 1, row)) {
        return fail(ErrorCode::kConflict,
                    "a reefer needs a plug: stack " + two(2 * c + 1) + "/" + std::to_string(row) +
                        " of block " + s.name + " has none",
                    "slot");
      }
    }
  }
  if (item.dg_mask != 0) {
    if (!s.hazardous) {
      return fail(ErrorCode::kConflict,
                  "dangerous goods are kept only in a hazardous block; " + s.name + " is not one",
                  "slot");
    }
    MINATO_TRY(check_segregation(item, bi, bay, row));
  }
  return ok();
}

// A slot naming a block the yard does not have is bad input, not a missing resource.
static Error no_such_block(const YardSlot& slot) {
  return Error(ErrorCode::kInvalidArgument,
               "yard slot " + slot.str() + ": block " + slot.block() + " does not exist", "slot");
}

Status Yard::check(const StackItem& item, const YardSlot& slot) const {
  auto bi = block_index(slot.block());
  if (!bi) return fail(no_such_block(slot));
  return check_at(item, *bi, slot.bay(), slot.row(), slot.tier());
}

void Yard::occupy(uint32_t idx) {
  const Entry& e = entries_[idx];
  Block& b = blocks_[e.block];
  for (int c = first_column(e.bay); c <= last_column(e.bay); ++c) {
    cell(b, c, e.row, e.tier) = idx + 1;
    const auto i = static_cast<size_t>(c * b.spec.rows + e.row - 1);
    uint8_t& h = b.height[i];
    if (e.tier >= h) {
      h = e.tier;
      b.top[i] =
          StackTop{e.item.group, static_cast<uint8_t>(e.item.weight_class), e.bay, e.item.forty()};
    }
  }
  if (e.item.dg_mask != 0) b.dangerous.push_back(idx);
  b.used_teu += e.item.forty() ? 2 : 1;
  b.units += 1;
  by_unit_[e.item.unit_id] = idx;
}

void Yard::vacate(uint32_t idx) {
  const Entry& e = entries_[idx];
  Block& b = blocks_[e.block];
  for (int c = first_column(e.bay); c <= last_column(e.bay); ++c) {
    cell(b, c, e.row, e.tier) = 0;
    const auto i = static_cast<size_t>(c * b.spec.rows + e.row - 1);
    uint8_t& h = b.height[i];
    while (h > 0 && cell(b, c, e.row, h) == 0) --h;
    if (h > 0) {
      const Entry& t = entries_[cell(b, c, e.row, h) - 1];
      b.top[i] =
          StackTop{t.item.group, static_cast<uint8_t>(t.item.weight_class), t.bay, t.item.forty()};
    }
  }
  if (e.item.dg_mask != 0) std::erase(b.dangerous, idx);
  b.used_teu -= e.item.forty() ? 2 : 1;
  b.units -= 1;
  by_unit_.erase(e.item.unit_id);
}

Status Yard::place(const StackItem& item, const YardSlot& slot) {
  if (by_unit_.count(item.unit_id)) {
    return fail(ErrorCode::kConflict, "the unit is already in the yard at " +
                                          slot_of(entries_[by_unit_.at(item.unit_id)]).str());
  }
  auto bi = block_index(slot.block());
  if (!bi) return fail(no_such_block(slot));
  MINATO_TRY(check_at(item, *bi, slot.bay(), slot.row(), slot.tier()));
  restore(item, slot);
  return ok();
}

void Yard::restore(const StackItem& item, const YardSlot& slot) {
  auto bi = block_index(slot.block());
  Entry e{item, static_cast<uint16_t>(bi ? *bi : 0), static_cast<uint8_t>(slot.bay()),
          static_cast<uint8_t>(slot.row()), static_cast<uint8_t>(slot.tier())};
  uint32_t idx;
  if (!free_.empty()) {
    idx = free_.back();
    free_.pop_back();
    entries_[idx] = e;
  } else {
    idx = static_cast<uint32_t>(entries_.size());
    entries_.push_back(e);
  }
  occupy(idx);
}

Status Yard::check_remove(int64_t unit_id) const {
  auto it = by_unit_.find(unit_id);
  if (it == by_unit_.end()) return fail(ErrorCode::kNotFound, "the unit is not in the yard");
  const Entry& e = entries_[it->second];
  const Block& b = blocks_[e.block];
  if (e.tier < b.spec.tiers) {
    for (int c = first_column(e.bay); c <= last_column(e.bay); ++c) {
      if (const Entry* above = entry_at(b, c, e.row, e.tier + 1)) {
        return fail(ErrorCode::kConflict, "the unit at " + slot_of(e).str() +
                                              " is not on top of its stack: move the unit at " +
                                              slot_of(*above).str() + " first");
      }
    }
  }
  return ok();
}

Status Yard::remove(int64_t unit_id) {
  MINATO_TRY(check_remove(unit_id));
  uint32_t idx = by_unit_.at(unit_id);
  vacate(idx);
  free_.push_back(idx);
  return ok();
}

void Yard::forget(int64_t unit_id) {
  auto it = by_unit_.find(unit_id);
  if (it == by_unit_.end()) return;
  uint32_t idx = it->second;
  vacate(idx);
  free_.push_back(idx);
}

void Yard::clear_units() {
  for (auto& b : blocks_) {
    std::fill(b.cells.begin(), b.cells.end(), 0);
    std::fill(b.height.begin(), b.height.end(), 0);
    std::fill(b.top.begin(), b.top.end(), StackTop{});
    b.dangerous.clear();
    b.used_teu = b.units = 0;
  }
  entries_.clear();
  free_.clear();
  by_unit_.clear();
}

Status Yard::shift(int64_t unit_id, const YardSlot& to) {
  MINATO_TRY(check_remove(unit_id));
  uint32_t idx = by_unit_.at(unit_id);
  const Entry e = entries_[idx];
  if (slot_of(e) == to) {
    return fail(ErrorCode::kInvalidArgument, "the unit is already at " + to.str(), "slot");
  }
  vacate(idx);
  free_.push_back(idx);
  Status placed = place(e.item, to);
  if (!placed) restore(e.item, slot_of(e));
  return placed;
}

std::optional<YardSlot> Yard::where(int64_t unit_id) const {
  auto it = by_unit_.find(unit_id);
  if (it == by_unit_.end()) return std::nullopt;
  return slot_of(entries_[it->second]);
}

const StackItem* Yard::item(int64_t unit_id) const {
  auto it = by_unit_.find(unit_id);
  return it == by_unit_.end() ? nullptr : &entries_[it->second].item;
}

Result<YardSlot> Yard::allocate(const StackItem& item, const AllocationRequest& request) const {
  int best = INT_MAX;
  size_t best_block = 0;
  int best_bay = 0, best_row = 0, best_tier = 0;
  const bool forty = item.forty();
  for (size_t bi = 0; bi < blocks_.size(); ++bi) {
    const Block& b = blocks_[bi];
    const YardBlock& s = b.spec;
    if (!request.blocks.empty() &&
        std::find(request.blocks.begin(), request.blocks.end(), s.name) == request.blocks.end()) {
      continue;
    }
    if (item.dg_mask != 0 && !s.hazardous) continue;
    // For dangerous goods: the 20-foot stacks too close to a unit it must be kept from, marked
    // once per block (a 40-foot position is too close when either of its stacks is), instead
    // of measuring against every such unit for every stack.
    std::vector<uint8_t> too_close;
    if (item.dg_mask != 0) too_close = segregation_map(item, bi);
    const int columns = forty ? s.bays - 1 : s.bays;
    for (int c0 = 0; c0 < columns; ++c0) {
      const int c1 = forty ? c0 + 1 : c0;
      const int bay = forty ? 2 * c0 + 2 : 2 * c0 + 1;
      for (int row = 1; row <= s.rows; ++row) {
        const auto i0 = static_cast<size_t>(c0 * s.rows + row - 1);
        const auto i1 = static_cast<size_t>(c1 * s.rows + row - 1);
        const int h = b.height[i0];
        if (forty && b.height[i1] != h) continue;
        const int tier = h + 1;
        if (tier > s.tiers) continue;
        int score = tier * 4;
        if (h > 0) {
          const StackTop& top = b.top[i0];
          if (forty) {
            if (!top.forty || top.bay != bay) continue;
          } else if (top.forty) {
            continue;
          }
          score += (item.group != 0 && top.group == item.group) ? -30 : 40;
          if (top.weight_class < item.weight_class) score += 50;
        } else {
          score += 20;  // opens a stack
        }
        const bool plugs = b.plug[i0] && b.plug[i1];
        if (item.powered && !plugs) continue;
        if (!item.powered && (b.plug[i0] || b.plug[i1])) score += 30;  // keeps plugs for reefers
        if (item.dg_mask == 0 && s.hazardous) score += 30;
        if (score >= best) continue;
        if (!too_close.empty() && (too_close[i0] || too_close[i1])) {
          continue;
        }
        if (!request.avoid.empty()) {
          std::string text = s.name + "-" + two(bay) + "-" + two(row) + "-" + std::to_string(tier);
          if (std::find(request.avoid.begin(), request.avoid.end(), text) != request.avoid.end()) {
            continue;
          }
        }
        best = score;
        best_block = bi;
        best_bay = bay;
        best_row = row;
        best_tier = tier;
      }
    }
  }
  if (best == INT_MAX) {
    return fail(ErrorCode::kResourceExhausted,
                std::string("no free yard slot can take this unit") +
                    (item.powered ? " (a reefer needs a plug)" : "") +
                    (item.dg_mask ? " (dangerous goods need a hazardous block with room to "
                                    "segregate)"
                                  : ""));
  }
  return YardSlot::at(blocks_[best_block].spec.name, best_bay, best_row, best_tier);
}

Result<std::vector<StackView>> Yard::stacks(std::string_view block) const {
  auto bi = block_index(block);
  if (!bi) return fail(bi.error());
  const Block& b = blocks_[*bi];
  std::vector<StackView> out(b.height.size());
  for (int column = 0; column < b.spec.bays; ++column) {
    for (int row = 1; row <= b.spec.rows; ++row) {
      const auto i = static_cast<size_t>(column * b.spec.rows + row - 1);
      StackView& v = out[i];
      v.height = b.height[i];
      v.plug = b.plug[i] != 0;
      for (int tier = 1; tier <= v.height; ++tier) {
        if (const Entry* e = entry_at(b, column, row, tier)) {
          v.powered = v.powered || e->item.powered;
          v.dangerous = v.dangerous || e->item.dg_mask != 0;
        }
      }
    }
  }
  return out;
}

Result<std::vector<int64_t>> Yard::stack_units(std::string_view block, int bay20, int row) const {
  auto bi = block_index(block);
  if (!bi) return fail(bi.error());
  const Block& b = blocks_[*bi];
  if (bay20 < 1 || bay20 > b.spec.bays || row < 1 || row > b.spec.rows) {
    return fail(ErrorCode::kNotFound,
                "block " + b.spec.name + " has no stack at 20-foot bay " + std::to_string(bay20) +
                    ", row " + std::to_string(row),
                "stack");
  }
  std::vector<int64_t> out;
  for (int tier = 1; tier <= b.spec.tiers; ++tier) {
    const Entry* e = entry_at(b, bay20 - 1, row, tier);
    if (e == nullptr) break;
    out.push_back(e->item.unit_id);
  }
  return out;
}

std::vector<BlockUse> Yard::usage() const {
  std::vector<BlockUse> out;
  out.reserve(blocks_.size());
  for (const auto& b : blocks_) {
    out.push_back(BlockUse{b.spec.name, b.spec.capacity_teu(), b.used_teu, b.units});
  }
  return out;
}

Status Yard::check_invariants() const {
  // A fresh picture from the entries alone, compared with the kept cells and counters.
  std::vector<std::vector<uint32_t>> cells(blocks_.size());
  for (size_t bi = 0; bi < blocks_.size(); ++bi) cells[bi].assign(blocks_[bi].cells.size(), 0);
  auto bad = [](const std::string& what) { return fail(ErrorCode::kDataLoss, what); };
  for (const auto& [unit, idx] : by_unit_) {
    const Entry& e = entries_[idx];
    if (e.item.unit_id != unit) return bad("index names the wrong unit");
    if (e.block >= blocks_.size()) return bad("unit in a missing block");
    const YardBlock& s = blocks_[e.block].spec;
    if (e.tier < 1 || e.tier > s.tiers) return bad(slot_of(e).str() + ": above the stack limit");
    if (e.row < 1 || e.row > s.rows) return bad(slot_of(e).str() + ": outside the block");
    if (e.item.forty() != (e.bay % 2 == 0)) return bad(slot_of(e).str() + ": wrong bay parity");
    if (last_column(e.bay) >= s.bays) return bad(slot_of(e).str() + ": outside the block");
    for (int c = first_column(e.bay); c <= last_column(e.bay); ++c) {
      uint32_t& v =
          cells[e.block][static_cast<size_t>(((c * s.rows) + e.row - 1) * s.tiers + e.tier - 1)];
      if (v != 0) return bad(slot_of(e).str() + ": held twice");
      v = idx + 1;
      if (e.item.powered && !s.has_plug(2 * c + 1, e.row)) {
        return bad(slot_of(e).str() + ": reefer without a plug");
      }
    }
    if (e.item.dg_mask != 0 && !s.hazardous) {
      return bad(slot_of(e).str() + ": dangerous goods outside a hazardous block");
    }
  }
  for (size_t bi = 0; bi < blocks_.size(); ++bi) {
    const Block& b = blocks_[bi];
    if (cells[bi] != b.cells) return bad("block " + b.spec.name + ": kept cells differ");
    int teu = 0;
    for (uint32_t idx : b.dangerous) {
      for (uint32_t other : b.dangerous) {
        if (other == idx) continue;
        const Entry &x = entries_[idx], &y = entries_[other];
        int code = segregation_masks(x.item.dg_mask, y.item.dg_mask);
        if (code != 0 && gap_m(x.bay, x.row, y.bay, y.row) + 1e-9 < land_distance_m(code)) {
          return bad(slot_of(x).str() + " and " + slot_of(y).str() + ": not segregated");
        }
      }
    }
    for (int c = 0; c < b.spec.bays; ++c) {
      for (int row = 1; row <= b.spec.rows; ++row) {
        int h = 0;
        for (int tier = 1; tier <= b.spec.tiers; ++tier) {
          const Entry* e = entry_at(b, c, row, tier);
          if (e == nullptr) continue;
          if (tier != h + 1) return bad(slot_of(*e).str() + ": floating");
          h = tier;
          if (tier > 1) {
            const Entry* below = entry_at(b, c, row, tier - 1);
            if (e->item.forty() ? !(below->item.forty() && below->bay == e->bay)
                                : below->item.forty()) {
              return bad(slot_of(*e).str() + ": stands on a unit of the wrong length");
            }
          }
          if (e->bay == 2 * c + 1 || e->bay == 2 * c + 2) teu += e->item.forty() ? 2 : 1;
        }
        const auto i = static_cast<size_t>(c * b.spec.rows + row - 1);
        if (b.height[i] != h) return bad("block " + b.spec.name + ": kept stack height differs");
        if (h > 0) {
          const Entry& t = *entry_at(b, c, row, h);
          const StackTop& kept = b.top[i];
          if (kept.group != t.item.group || kept.weight_class != t.item.weight_class ||
              kept.bay != t.bay || kept.forty != t.item.forty()) {
            return bad(slot_of(t).str() + ": kept top of stack differs");
          }
        }
        if (b.plug[i] != (b.spec.has_plug(2 * c + 1, row) ? 1 : 0)) {
          return bad("block " + b.spec.name + ": kept reefer plugs differ");
        }
      }
    }
    if (teu != b.used_teu) return bad("block " + b.spec.name + ": kept TEU count differs");
  }
  return ok();
}

}  // namespace minato::terminal
