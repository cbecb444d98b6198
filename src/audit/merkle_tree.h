// Tree: an RFC 6962 Merkle tree held whole in memory, for proofs over many events at once (the
// evidence bundle of an incident, G3.1-b). It keeps every level (2n hashes for n leaves), so
// the root of any subtree costs O(log n) and a proof O(log² n), where the free functions of
// audit/merkle.h recompute subtrees from the leaves each time.
//
// A range proof shows that the leaves [begin, end) — all of them, in order — are in the tree of
// `size` leaves with a given root. It holds the roots of the subtrees left and right of the
// range that the recursive MTH definition meets, in the order it meets them; the verifier runs
// the same recursion, taking those roots from the proof and the range's leaves from the events
// it holds (compare the "compact range" proofs of transparency-dev/merkle).
//
//   Tree tree(leaves);
//   auto proof = tree.range_proof(10, 20, tree.size());
//   bool ok = verify_range(10, std::span(leaves).subspan(10, 10), tree.size(), proof,
//                          tree.root(tree.size()));
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "audit/merkle.h"

namespace minato::audit {

class Tree {
 public:
  explicit Tree(std::vector<Hash> leaves);

  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // REQUIRES: i < size().
  const Hash& leaf(uint64_t i) const { return levels_[0][i]; }
  // MTH of the first `n` leaves. REQUIRES: n <= size().
  Hash root(uint64_t n) const;
  // RFC 9162 §2.1.3 and §2.1.4, as the free functions compute them.
  // REQUIRES: index < n <= size(); 0 < old_size <= new_size <= size().
  std::vector<Hash> inclusion_proof(uint64_t index, uint64_t n) const;
  std::vector<Hash> consistency_proof(uint64_t old_size, uint64_t new_size) const;
  // REQUIRES: begin < end <= n <= size().
  std::vector<Hash> range_proof(uint64_t begin, uint64_t end, uint64_t n) const;

 private:
  // MTH(D[lo:hi]) for a node of the recursion: lo is a multiple of bit_ceil(hi - lo).
  Hash node(uint64_t lo, uint64_t hi) const;
  void collect_range(uint64_t lo, uint64_t hi, uint64_t begin, uint64_t end,
                     std::vector<Hash>& out) const;

  std::vector<std::vector<Hash>> levels_;  // levels_[k][i]: root of leaves [i·2^k, (i+1)·2^k)
};

// Checks that `leaves` are the leaves [begin, begin + leaves.size()) of the tree of `size`
// leaves whose root is `root`, with the proof Tree::range_proof gave.
bool verify_range(uint64_t begin, std::span<const Hash> leaves, uint64_t size,
                  std::span<const Hash> proof, const Hash& root);

}  // namespace minato::audit
