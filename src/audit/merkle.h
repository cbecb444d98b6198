// Merkle tree hashing of the audit log, as RFC 6962 / RFC 9162 define it for Certificate
// Transparency:
//
//   leaf hash  = SHA-256(0x00 || leaf data)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH(D[n])  = the root over n leaves, split at the largest power of two below n.
//
// CompactRange keeps the tree's right edge (at most 64 hashes), so appending a leaf and
// reading the root cost O(1) amortised hashes and O(log n) memory. Proofs are computed from
// the leaf hashes, and checked without them.
//
//   CompactRange tree;
//   for (auto& e : events) tree.append(leaf_hash(e));
//   Hash root = tree.root();
//   auto proof = inclusion_proof(leaves, 3, leaves.size());
//   bool ok = verify_inclusion(leaves[3], 3, leaves.size(), *proof, root);
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato::audit {

using Hash = std::array<uint8_t, 32>;

Hash leaf_hash(std::string_view data);

// leaf_hash() of data given in pieces.
class LeafHasher {
 public:
  LeafHasher();
  void add(std::string_view bytes);
  void add_u64(uint64_t v);  // 8 bytes, big-endian
  Hash finish();

 private:
  alignas(16) unsigned char ctx_[128];  // SHA256_CTX
};
Hash node_hash(const Hash& left, const Hash& right);
// SHA-256 of nothing: the root of the empty tree.
Hash empty_root();

std::string to_hex(const Hash& h);
Result<Hash> hash_from_hex(std::string_view hex);
Hash hash_from_bytes(std::string_view bytes);  // REQUIRES: bytes.size() == 32
std::string_view as_bytes(const Hash& h);

// The right edge of a Merkle tree over leaves [0, size): the roots of its perfect subtrees,
// largest first (one per set bit of size).
class CompactRange {
 public:
  uint64_t size() const { return size_; }
  void append(const Hash& leaf);
  Hash root() const;  // MTH of the leaves so far; empty_root() for none

  // The stored form: 8-byte size then the subtree roots.
  std::string serialize() const;
  static Result<CompactRange> parse(std::string_view bytes);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> nodes_;  // perfect subtree roots, largest first
};

// MTH(leaves).
Hash root_of(std::span<const Hash> leaves);

// RFC 9162 §2.1.3: the audit path of leaf `index` in the tree of the first `size` leaves.
// REQUIRES: index < size <= leaves.size().
std::vector<Hash> inclusion_proof(std::span<const Hash> leaves, uint64_t index, uint64_t size);
bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t size, std::span<const Hash> proof,
                      const Hash& root);

// RFC 9162 §2.1.4: proof that the tree of `old_size` leaves is a prefix of the tree of
// `new_size` leaves. REQUIRES: 0 < old_size <= new_size <= leaves.size().
std::vector<Hash> consistency_proof(std::span<const Hash> leaves, uint64_t old_size,
                                    uint64_t new_size);
bool verify_consistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                        const Hash& new_root, std::span<const Hash> proof);

}  // namespace minato::audit
