// Yard: where every unit in the yard stands, and the stacking rules that keep it physically
// and legally sound. It decides whether a unit may go to a slot and finds the best slot for
// a unit (slot allocation). Pure and in memory: the application keeps one Yard in step with
// the store and asks it before every placement.
//
// Rules (check() gives the first broken one as a sentence):
//  - the slot exists: inside a block, a 20-foot unit on an odd bay, a 40/45-foot unit on an
//    even bay with both 20-foot bays it covers inside the block, tier within the block's height;
//  - nothing else is there (a 40-foot unit takes both 20-foot bays);
//  - no floating tier: a unit above tier 1 stands on units; a 20-foot unit only on a 20-foot
//    unit, a 40-foot unit only on one 40-foot unit at the same bay;
//  - a reefer that needs power only where every stack it covers has a plug;
//  - dangerous goods only in a hazardous block, and kept from other dangerous goods in the block
//    by the distance the IMDG segregation table asks for (imdg.h);
//  - a unit leaves its slot only from the top of its stack.
// allocate() searches every allowed stack and scores the candidates: stacks of the same group
// (line, category, vessel) first, heavier weight classes not on lighter ones, low tiers, reefer
// plugs and hazardous zones kept for the units that need them.
//
// Thread-safety: none; callers serialise (the application holds a lock).
//
//   Yard yard;  yard.add_block(*YardBlock::make("A1", 20, 6, 4));
//   StackItem box{.unit_id = 7, .length_ft = 20, .weight_class = 2};
//   auto slot = yard.allocate(box, {});        // "A1-01-01-1"
//   yard.place(box, *slot);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "terminal/imdg.h"
#include "terminal/yard_block.h"
#include "terminal/yard_slot.h"

namespace minato::terminal {

// The weight classes a planner stacks by: 0 empty, 1 light (up to 10 t gross), 2 medium (up to
// 20 t), 3 heavy (up to 28 t), 4 very heavy.
int weight_class(int gross_kg, bool empty);

// What the yard needs to know of a unit to stack it.
struct StackItem {
  int64_t unit_id = 0;
  int length_ft = 20;    // 20-24: one 20-foot bay; longer: a 40-foot position
  bool powered = false;  // a reefer that must be plugged in
  uint32_t dg_mask = 0;  // bit c: carries dangerous goods of segregation column c (imdg.h)
  int weight_class = 0;  // see weight_class()
  uint32_t group = 0;    // units of one group stack together (0: no group)

  bool forty() const { return length_ft > 24; }
  void add_dangerous_goods(const ImdgClass& c) { dg_mask |= 1u << c.column(); }
};

struct AllocationRequest {
  std::vector<std::string> blocks;  // search only these (empty: every block)
  std::vector<std::string> avoid;   // slots not to use (e.g. just refused), canonical text
};

// One 20-foot ground stack as the yard map draws it.
struct StackView {
  uint8_t height = 0;      // tiers in use
  bool plug = false;       // the stack has a reefer plug
  bool powered = false;    // a reefer that needs power stands in it
  bool dangerous = false;  // a unit with dangerous goods stands in it
};

struct BlockUse {
  std::string block;
  int capacity_teu = 0;
  int used_teu = 0;
  int units = 0;
};

class Yard {
 public:
  Yard() = default;

  Status add_block(const YardBlock& block);
  // Replaces a block's shape and zones; refused if a unit would then break a rule.
  Status update_block(const YardBlock& block);
  // Refused while units stand in the block.
  Status remove_block(std::string_view name);
  const YardBlock* find_block(std::string_view name) const;
  std::vector<YardBlock> blocks() const;

  // Whether `item` may be placed at `slot` now (ok, or the first rule it breaks).
  Status check(const StackItem& item, const YardSlot& slot) const;
  // check(), then records the unit there. A unit already in the yard is refused (shift it).
  Status place(const StackItem& item, const YardSlot& slot);
  // Moves a unit already in the yard (taken from the top of its stack) to `to`.
  Status shift(int64_t unit_id, const YardSlot& to);
  // Whether the unit may leave its slot now (it is on top of its stack).
  Status check_remove(int64_t unit_id) const;
  Status remove(int64_t unit_id);
  // Puts a unit back exactly where it was, for undoing a removal. REQUIRES: the slot is free
  // and the unit not in the yard (as right after remove()).
  void restore(const StackItem& item, const YardSlot& slot);
  // Takes the unit out without the top-of-stack check, for undoing a placement (newest
  // first). Nothing happens if it is not in the yard.
  void forget(int64_t unit_id);
  // Empties the yard of units (the blocks stay).
  void clear_units();

  std::optional<YardSlot> where(int64_t unit_id) const;
  const StackItem* item(int64_t unit_id) const;
  // The best free slot for `item`, or kResourceExhausted when no stack may take it.
  Result<YardSlot> allocate(const StackItem& item, const AllocationRequest& request) const;

  // Every 20-foot stack of `block`, at index (bay20 - 1) * rows + (row - 1), where bay20 is the
  // 20-foot ground bay (1 for bay 01, 2 for bay 03...); a 40-foot unit stands in two stacks.
  Result<std::vector<StackView>> stacks(std::string_view block) const;
  // The units of one 20-foot stack, tier 1 first (0 where a tier is empty below a unit cannot
  // happen: the yard has no floating tiers).
  Result<std::vector<int64_t>> stack_units(std::string_view block, int bay20, int row) const;

  size_t units() const { return by_unit_.size(); }
  std::vector<BlockUse> usage() const;
  // Recomputes every rule over the whole yard from the recorded positions; the first broken
  // one as an error. For tests and for the consistency check at start.
  Status check_invariants() const;

 private:
  struct Entry {
    StackItem item;
    uint16_t block = 0;
    uint8_t bay = 0, row = 0, tier = 0;
  };
  struct StackTop {
    uint32_t group = 0;
    uint8_t weight_class = 0;
    uint8_t bay = 0;
    bool forty = false;
  };
  struct Block {
    YardBlock spec;
    // cells[((column * rows) + row - 1) * tiers + tier - 1]: entry index + 1, 0 when empty.
    std::vector<uint32_t> cells;
    // Per 20-foot stack (column * rows + row - 1), kept in step with the cells so that
    // allocate() reads one small record per stack instead of chasing the top entry and the
    // block's reefer areas.
    std::vector<uint8_t> height;      // tiers in use
    std::vector<StackTop> top;        // the top unit, when height > 0
    std::vector<uint8_t> plug;        // 1 where the stack has a reefer plug
    std::vector<uint32_t> dangerous;  // entries with dangerous goods
    int used_teu = 0;
    int units = 0;
  };

  static void reset_stacks(Block& b);
  uint32_t& cell(Block& b, int column, int row, int tier);
  uint32_t cell(const Block& b, int column, int row, int tier) const;
  const Entry* entry_at(const Block& b, int column, int row, int tier) const;
  Status check_at(const StackItem& item, size_t block, int bay, int row, int tier) const;
  Status check_segregation(const StackItem& item, size_t block, int bay, int row) const;
  // Per 20-foot stack of the block (column * rows + row - 1): 1 where `item` would stand too
  // close to a dangerous-goods unit it must be segregated from.
  std::vector<uint8_t> segregation_map(const StackItem& item, size_t block) const;
  Result<size_t> block_index(std::string_view name) const;
  void occupy(uint32_t entry_index);
  void vacate(uint32_t entry_index);
  YardSlot slot_of(const Entry& e) const;

  std::vector<Block> blocks_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_;
  std::unordered_map<int64_t, uint32_t> by_unit_;
};

}  // namespace minato::terminal
