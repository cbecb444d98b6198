#include "audit/merkle_tree.h"

#include <bit>

namespace minato::audit {

namespace {

uint64_t split_point(uint64_t n) { return std::bit_floor(n - 1); }

}  // namespace

Tree::Tree(std::vector<Hash> leaves) {
  if (leaves.empty()) return;
  levels_.push_back(std::move(leaves));
  while (levels_.back().size() > 1) {
    const auto& below = levels_.back();
    std::vector<Hash> up;
    up.reserve(below.size() / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2)
      up.push_back(node_hash(below[i], below[i + 1]));
    if (up.empty()) break;
    levels_.push_back(std::move(up));
  }
}

Hash Tree::node(uint64_t lo, uint64_t hi) const {
  const uint64_t n = hi - lo;
  if (std::has_single_bit(n)) {
    const int k = std::countr_zero(n);
    return levels_[static_cast<size_t>(k)][lo >> k];
  }
  const uint64_t k = split_point(n);
  return node_hash(node(lo, lo + k), node(lo + k, hi));
}

Hash Tree::root(uint64_t n) const { return n == 0 ? empty_root() : node(0, n); }

std::vector<Hash> Tree::inclusion_proof(uint64_t index, uint64_t n) const {
  std::vector<Hash> path;
  uint64_t begin = 0, end = n;
  while (end - begin > 1) {
    uint64_t k = split_point(end - begin);
    if (index < begin + k) {
      path.push_back(node(begin + k, end));
      end = begin + k;
    } else {
      path.push_back(node(begin, begin + k));
      begin += k;
    }
  }
  return {path.rbegin(), path.rend()};
}

std::vector<Hash> Tree::consistency_proof(uint64_t old_size, uint64_t new_size) const {
  std::vector<Hash> path;
  uint64_t m = old_size, begin = 0, end = new_size;
  bool whole = true;
  while (m != end - begin) {
    uint64_t k = split_point(end - begin);
    if (m <= k) {
      path.push_back(node(begin + k, end));
      end = begin + k;
    } else {
      path.push_back(node(begin, begin + k));
      m -= k;
      begin += k;
      whole = false;
    }
  }
  if (!whole) path.push_back(node(begin, end));
  return {path.rbegin(), path.rend()};
}

void Tree::collect_range(uint64_t lo, uint64_t hi, uint64_t begin, uint64_t end,
                         std::vector<Hash>& out) const {
  if (hi <= begin || lo >= end) {
    out.push_back(node(lo, hi));
    return;
  }
  if (hi - lo == 1) return;  // a leaf of the range: the verifier has it
  const uint64_t k = split_point(hi - lo);
  collect_range(lo, lo + k, begin, end, out);
  collect_range(lo + k, hi, begin, end, out);
}

std::vector<Hash> Tree::range_proof(uint64_t begin, uint64_t end, uint64_t n) const {
  std::vector<Hash> out;
  collect_range(0, n, begin, end, out);
  return out;
}

namespace {

struct RangeCheck {
  uint64_t begin, end;
  std::span<const Hash> leaves, proof;
  size_t used = 0;
  bool short_proof = false;

  Hash at(uint64_t lo, uint64_t hi) {
    if (hi <= begin || lo >= end) {
      if (used == proof.size()) {
        short_proof = true;
        return Hash{};
      }
      return proof[used++];
    }
    if (hi - lo == 1) return leaves[lo - begin];
    const uint64_t k = split_point(hi - lo);
    Hash left = at(lo, lo + k);
    return node_hash(left, at(lo + k, hi));
  }
};

}  // namespace

bool verify_range(uint64_t begin, std::span<const Hash> leaves, uint64_t size,
                  std::span<const Hash> proof, const Hash& root) {
  if (leaves.empty() || begin + leaves.size() > size) return false;
  RangeCheck c{begin, begin + leaves.size(), leaves, proof};
  Hash got = c.at(0, size);
  return !c.short_proof && c.used == proof.size() && got == root;
}

}  // namespace minato::audit
