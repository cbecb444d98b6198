#include "audit/merkle_tree.h"

#include <gtest/gtest.h>

#include <bit>

namespace minato::audit {
namespace {

std::vector<Hash> leaves_of(uint64_t n) {
  std::vector<Hash> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(leaf_hash("leaf " + std::to_string(i)));
  return out;
}

// RFC 9162 §2.1.3.1 and §2.1.4.1, written as the RFC defines them (recursively, from the
// leaves): the reference the tree's proofs must equal.
Hash mth(std::span<const Hash> d) {
  if (d.empty()) return empty_root();
  if (d.size() == 1) return d[0];
  const size_t k = std::bit_floor(d.size() - 1);
  return node_hash(mth(d.first(k)), mth(d.subspan(k)));
}
std::vector<Hash> path(uint64_t m, std::span<const Hash> d) {
  if (d.size() == 1) return {};
  const size_t k = std::bit_floor(d.size() - 1);
  std::vector<Hash> out = m < k ? path(m, d.first(k)) : path(m - k, d.subspan(k));
  out.push_back(m < k ? mth(d.subspan(k)) : mth(d.first(k)));
  return out;
}
std::vector<Hash> subproof(uint64_t m, std::span<const Hash> d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash>{} : std::vector<Hash>{mth(d)};
  const size_t k = std::bit_floor(d.size() - 1);
  std::vector<Hash> out =
      m <= k ? subproof(m, d.first(k), b) : subproof(m - k, d.subspan(k), false);
  out.push_back(m <= k ? mth(d.subspan(k)) : mth(d.first(k)));
  return out;
}

TEST(MerkleTreeTest, ProofsAreTheRfcsForEverySizeAndPosition) {
  auto leaves = leaves_of(40);
  Tree tree(leaves);
  for (uint64_t n = 1; n <= 40; ++n) {
    auto first = std::span<const Hash>(leaves).first(n);
    ASSERT_EQ(tree.root(n), mth(first)) << n;
    for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(tree.inclusion_proof(i, n), path(i, first));
    for (uint64_t m = 1; m <= n; ++m) {
      ASSERT_EQ(tree.consistency_proof(m, n), subproof(m, first, true)) << m << "/" << n;
    }
  }
  EXPECT_EQ(Tree({}).root(0), empty_root());
}

// G3.1-b: every range of every tree up to 33 leaves proves, and nothing else does.
TEST(MerkleTreeTest, G3_1_b_RangeProofsProveEveryRangeAndOnlyIt) {
  auto leaves = leaves_of(33);
  Tree tree(leaves);
  for (uint64_t n = 1; n <= 33; ++n) {
    const Hash root = tree.root(n);
    for (uint64_t b = 0; b < n; ++b) {
      for (uint64_t e = b + 1; e <= n; ++e) {
        auto proof = tree.range_proof(b, e, n);
        auto range = std::span<const Hash>(leaves).subspan(b, e - b);
        ASSERT_TRUE(verify_range(b, range, n, proof, root)) << b << ".." << e << "/" << n;
        // A changed leaf, a leaf left out, a range shifted, a proof cut short or lengthened.
        std::vector<Hash> changed(range.begin(), range.end());
        changed[changed.size() / 2][7] ^= 1;
        ASSERT_FALSE(verify_range(b, changed, n, proof, root));
        if (e - b > 1) {
          ASSERT_FALSE(verify_range(b, range.first(range.size() - 1), n, proof, root));
        }
        if (b > 0) {
          ASSERT_FALSE(verify_range(b - 1, range, n, proof, root));
        }
        if (!proof.empty()) {
          auto cut = proof;
          cut.pop_back();
          ASSERT_FALSE(verify_range(b, range, n, cut, root));
        }
        auto longer = proof;
        longer.push_back(root);
        ASSERT_FALSE(verify_range(b, range, n, longer, root));
      }
    }
  }
}

TEST(MerkleTreeTest, RangeProofIsLogarithmic) {
  auto leaves = leaves_of(100'000);
  Tree tree(leaves);
  auto proof = tree.range_proof(12'345, 67'890, 100'000);
  EXPECT_LE(proof.size(), 2u * 17u);
  EXPECT_TRUE(verify_range(12'345, std::span<const Hash>(leaves).subspan(12'345, 67'890 - 12'345),
                           100'000, proof, tree.root(100'000)));
}

}  // namespace
}  // namespace minato::audit
