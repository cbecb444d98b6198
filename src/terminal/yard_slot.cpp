#include "terminal/yard_slot.h"

#include "terminal/yard_block.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace minato::terminal {

Result<YardSlot> YardSlot::parse(std::string_view text) {
  constexpr const char* kField = "slot";
  if (text.size() > 16) return fail(ErrorCode::kInvalidArgument, "yard slot is too long", kField);
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == '-') {
      parts.emplace_back();
    } else {
      parts.back().push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  if (parts.size() != 4) {
    return fail(ErrorCode::kInvalidArgument,
                "yard slot must be BLOCK-BAY-ROW-TIER, e.g. A1-03-02-1", kField);
  }
  YardSlot s;
  s.block_ = parts[0];
  if (!valid_block_name(s.block_)) {
    return fail(ErrorCode::kInvalidArgument,
                "yard slot block must be 1-4 letters or digits starting with a letter", kField);
  }
  auto number = [](const std::string& p, int max, int* out) {
    if (p.empty() || p.size() > 2) return false;
    int v = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v < 1 || v > max) return false;
    *out = v;
    return true;
  };
  if (!number(parts[1], 99, &s.bay_)) {
    return fail(ErrorCode::kInvalidArgument, "yard slot bay must be 1-99", kField);
  }
  if (!number(parts[2], 30, &s.row_)) {
    return fail(ErrorCode::kInvalidArgument, "yard slot row must be 1-30", kField);
  }
  if (!number(parts[3], 9, &s.tier_)) {
    return fail(ErrorCode::kInvalidArgument, "yard slot tier must be 1-9", kField);
  }
  return s;
}

YardSlot YardSlot::at(std::string block, int bay, int row, int tier) {
  YardSlot s;
  s.block_ = std::move(block);
  s.bay_ = bay;
  s.row_ = row;
  s.tier_ = tier;
  return s;
}

std::string YardSlot::str() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%02d-%02d-%d", block_.c_str(), bay_, row_, tier_);
  return buf;
}

}  // namespace minato::terminal
